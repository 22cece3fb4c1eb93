"""Issue 10, items 8, 9, 10 and 14: input that must not hurt, lost updates, cloned schema names."""

import re
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import schema_context

from schools.models import Enrolment, SchoolYear
from schools.services import year_copy_forward
from tenants.schemas import schema_names, schema_names_copy
from tests import factories

pytestmark = pytest.mark.django_db


def year_page(client, year):
    """The year's change page: its form fields as the browser would post them back."""
    page = client.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    assert page.status_code == 200
    data = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>(?:[^<]*</textarea>)?", page.text):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="checkbox"' in tag:
            continue
        if tag.startswith("<select"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page.text, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    data["notes"] = ""
    return data


@pytest.fixture
def year(school_a):
    factories.grades_create(school_a)
    return factories.year_create(school_a, teachers=16, students={"K": 39, "1": 41, "2": 42})


@pytest.fixture
def staff(school_a, client_for):
    return client_for(school_a, factories.member_create(school_a, "staff"))


def rows(data):
    """{row prefix: grade id} of the enrolment rows on the page."""
    return {key[:-len("-grade")]: value for key, value in data.items()
            if key.startswith("enrolments-") and key.endswith("-grade") and value}


def test_the_year_page_enforces_the_contract_limits_naming_the_field(year, staff, school_a):
    """8: one grade with 1,000,000,000 students, 6,000 teachers, a class of 5,000: refused, named."""
    data = year_page(staff, year)
    first = sorted(rows(data))[0]
    data.update({"teachers": "6000", f"{first}-students": "1000000000", f"{first}-max_class_size": "5000"})
    response = staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", data)
    assert response.status_code == 200
    assert "Teachers can be at most 5,000." in response.text
    assert "Students in one grade can be at most 10,000." in response.text
    assert "The max class size can be at most 1,000." in response.text
    with schema_context(school_a.schema_name):
        assert SchoolYear.objects.get(pk=year.pk).teachers == 16
        enrolment = Enrolment(year=year, grade=Enrolment.objects.first().grade, students=10_001,
                              min_class_size=1, max_class_size=1001)
        with pytest.raises(ValidationError) as error:
            enrolment.full_clean(exclude=["year", "grade"])
        assert set(error.value.message_dict) == {"students", "max_class_size"}


def test_swapping_two_rows_grades_saves_and_a_tampered_page_gets_a_message(year, staff, school_a):
    """9: a normal correction (two rows' grades swapped) is saved; INITIAL_FORMS=-1 is a message."""
    data = year_page(staff, year)
    (a, grade_a), (b, grade_b) = sorted(rows(data).items())[:2]
    data[f"{a}-grade"], data[f"{b}-grade"] = grade_b, grade_a
    response = staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", data)
    assert response.status_code == 302, response.text[-3000:]
    with schema_context(school_a.schema_name):
        counts = {e.grade.code: e.students for e in Enrolment.objects.filter(year=year).select_related("grade")}
    assert counts == {"K": 41, "1": 39, "2": 42}

    data = year_page(staff, year)
    data["enrolments-INITIAL_FORMS"] = "-1"
    response = staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", data)
    assert response.status_code == 200
    assert "rows were changed outside the page" in response.text


def test_copy_forward_with_a_huge_first_grade_is_a_message(year, staff, school_a):
    """9: 2^31 students in the first grade: a message naming the field, no DataError."""
    response = staff.post(f"/admin/schools/schoolyear/{year.pk}/copy-forward/",
                          {"year": 2028, "roll_up": "on", "first_grade_students": 2 ** 31})
    assert response.status_code == 200 and "Students in one grade can be at most 10,000." in response.text
    with schema_context(school_a.schema_name), pytest.raises(ValidationError) as error:
        year_copy_forward(source=year, year=2028, roll_up=True, first_grade_students=2 ** 31,
                          actor=factories.member_create(school_a, "staff"))
    assert list(error.value.message_dict) == ["first_grade_students"]


def test_a_stale_page_is_refused_with_what_changed(year, staff, school_a, client_for):
    """10: A and B open the year; A saves teachers 16 -> 17 and K 39 -> 44; B saves grade 1 from
    the page opened before: refused, told what A changed; A's changes stay."""
    other = client_for(school_a, factories.member_create(school_a, "staff"))
    page_a, page_b = year_page(staff, year), year_page(other, year)
    by_grade = {v: k for k, v in rows(page_a).items()}
    with schema_context(school_a.schema_name):
        grades = {e.grade.code: str(e.grade_id) for e in Enrolment.objects.filter(year=year).select_related("grade")}
    page_a.update({"teachers": "17", f"{by_grade[grades['K']]}-students": "44"})
    assert staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", page_a).status_code == 302
    page_b[f"{by_grade[grades['1']]}-students"] = "50"
    response = other.post(f"/admin/schools/schoolyear/{year.pk}/change/", page_b)
    assert response.status_code == 200
    assert "Someone else saved this year after you opened this page" in response.text
    assert "Teachers: 16 → 17" in response.text and "Kindergarten students: 39 → 44" in response.text
    with schema_context(school_a.schema_name):
        saved = SchoolYear.objects.get(pk=year.pk)
        counts = {e.grade.code: e.students for e in Enrolment.objects.filter(year=year).select_related("grade")}
    assert saved.teachers == 17 and counts == {"K": 44, "1": 41, "2": 42}
    again = year_page(other, year)  # reloaded: B's save goes through
    again[f"{by_grade[grades['1']]}-students"] = "50"
    assert other.post(f"/admin/schools/schoolyear/{year.pk}/change/", again).status_code == 302


def test_a_cloned_school_has_the_constraint_and_index_names_of_a_migrated_schema(school_a):
    """14: every constraint and index name of a clone is the template's (which migrations made);
    a schema cloned before the fix is repaired (the migration does the same)."""
    template = schema_names(settings.TENANT_BASE_SCHEMA)
    clone = schema_names(school_a.schema_name)
    assert clone == template
    assert "one_enrolment_per_grade_per_year" in clone["schools_enrolment"]
    assert "one_class_per_position" in clone["plans_plannedclass"]
    from django.db import connection

    with connection.cursor() as cursor:  # as django-tenants' clone left them before
        cursor.execute(f'ALTER TABLE "{school_a.schema_name}".schools_enrolment RENAME CONSTRAINT '
                       'one_enrolment_per_grade_per_year TO schools_enrolment_year_id_grade_id_key')
        cursor.execute(f'ALTER INDEX "{school_a.schema_name}".report_plan_kind_idx '
                       'RENAME TO reports_report_plan_id_kind_created_idx')
    assert schema_names(school_a.schema_name) != template
    assert schema_names_copy(source=settings.TENANT_BASE_SCHEMA, target=school_a.schema_name) == 2
    assert schema_names(school_a.schema_name) == template


# --- items 5 and 6: renders that cannot finish say so ---------------------------------------------


def test_a_pdf_whose_chart_failed_to_draw_is_failed_never_ready(school_a, monkeypatch):
    """6: WeasyPrint logs "Failed to render SVG image" and carries on (as when Celery's soft time
    limit interrupts the chart): the report is failed with the reason, never stored as ready."""
    from billiard.exceptions import SoftTimeLimitExceeded
    from weasyprint.svg import SVG

    from reports import rendering
    from reports.models import Report
    from reports.services import plan_reports_queue, report_render

    def soft_limit_mid_chart(*args, **kwargs):  # Celery's soft time limit, raised while the chart is drawn
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(SVG, "draw", soft_limit_mid_chart)
    plan = factories.plan_create(school_a)
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan)
        report = report_render(report_id=Report.objects.get(plan=plan, kind="plan_pdf").pk)
    assert report.status == "failed" and not report.file
    assert "could not be made completely" in report.error
    assert "Failed to render SVG image" in report.error


def test_a_zip_never_renders_and_says_when_it_cannot_finish(school_a, school_b, district_client, settings):
    """5: the ZIP queues the missing PDF on the reports queue (never renders it itself); with no
    report worker it gives up after BUNDLE_STALL_S, says why, and its page stops refreshing."""
    from reports.district.models import DistrictBundle
    from reports.district.services import district_bundle_build
    from reports.models import Report

    settings.BUNDLE_STALL_S, settings.BUNDLE_POLL_S = 0, 0.01
    factories.plan_create(school_a)
    assert district_client.post("/district/reports/zip/", {"year": "2027"}).status_code == 302
    bundle = district_bundle_build(bundle_id=DistrictBundle.objects.get().pk)
    assert bundle.status == "failed"
    assert "could not be finished" in bundle.error and "School A" in bundle.error
    with schema_context(school_a.schema_name):
        assert list(Report.objects.values_list("kind", "status")) == [("plan_pdf", "pending")]  # queued, not made
    page = district_client.get(f"/district/reports/zip/{bundle.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page and "could not be finished" in page
