"""Building the school year admin page's POST data (the year form and its two inlines)."""

import re

from django_tenants.utils import schema_context

from schools.models import Grade


def grade_ids(school) -> dict:
    with schema_context(school.schema_name):
        return dict(Grade.objects.values_list("code", "pk"))


def year_post(school, *, year=2028, teachers=6, min_per_grade=1, enrolments=(), composites=(),
              status="draft", initial_enrolments=0, initial_composites=0, **extra):
    """enrolments: [(code, students, min, max)] ('' for blank); composites: [(codes, min, max, per_grade)]."""
    ids = grade_ids(school)
    data = {
        "year": year, "teachers": teachers, "composite_min_per_grade": min_per_grade, "status": status,
        "notes": "",
        "enrolments-TOTAL_FORMS": len(enrolments), "enrolments-INITIAL_FORMS": initial_enrolments,
        "enrolments-MIN_NUM_FORMS": 0, "enrolments-MAX_NUM_FORMS": 1000,
        "composites-TOTAL_FORMS": len(composites), "composites-INITIAL_FORMS": initial_composites,
        "composites-MIN_NUM_FORMS": 0, "composites-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(enrolments):
        code, students, low, high = (list(row) + ["", ""])[:4]
        data.update({f"enrolments-{i}-grade": ids[code], f"enrolments-{i}-students": students,
                     f"enrolments-{i}-min_class_size": low, f"enrolments-{i}-max_class_size": high})
    for i, row in enumerate(composites):
        codes, low, high, per_grade = (list(row) + ["", "", ""])[:4]
        data.update({f"composites-{i}-grades": [ids[c] for c in codes], f"composites-{i}-min_class_size": low,
                     f"composites-{i}-max_class_size": high, f"composites-{i}-min_per_grade": per_grade})
    data.update(extra)
    return data


def opened_value(client, year_id) -> str:
    """The year page's `opened` field (its version as the page was opened), as a browser posts it back."""
    page = client.get(f"/admin/schools/schoolyear/{year_id}/change/")
    found = re.search(r'name="opened" value="([^"]*)"', page.text) or re.search(
        r'value="([^"]*)"[^>]*name="opened"', page.text)
    assert found, "the year page has no opened field"
    return found.group(1)
