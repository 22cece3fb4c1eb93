"""The school year page: inlines, defaults, totals, validation messages, warnings, permissions."""

import pytest
from django.contrib.messages import get_messages
from django_tenants.utils import schema_context

from schools.models import CompositeRule, Enrolment, SchoolYear
from tests import factories
from tests.schools.helpers import year_post

pytestmark = pytest.mark.django_db
ADD = "/admin/schools/schoolyear/add/"


@pytest.fixture
def staff(school_a, client_for):
    factories.grades_create(school_a)
    return client_for(school_a, factories.member_create(school_a, "staff"))


def years(school):
    with schema_context(school.schema_name):
        return list(SchoolYear.objects.values_list("year", flat=True))


def test_add_page_prefills_one_row_per_grade_with_its_limits(school_a, staff):
    page = staff.get(ADD)
    assert page.status_code == 200
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "enrolments").formset
    assert len(formset.forms) == 7
    assert formset.forms[0].initial["min_class_size"] == 15 and formset.forms[0].initial["max_class_size"] == 22
    assert 'id="year-totals-live"' in page.text and "grade-defaults" in page.text


def test_staff_create_a_year_with_enrolments_and_a_composite(school_a, staff):
    data = year_post(school_a, year=2028, teachers=5,
                     enrolments=[("K", 30), ("1", 25, 10, 26), ("2", 18)],
                     composites=[(("1", "2"), "", 28, 4)])
    response = staff.post(ADD, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    with schema_context(school_a.schema_name):
        year = SchoolYear.objects.get(year=2028)
        rows = {e.grade.code: (e.students, e.min_class_size, e.max_class_size)
                for e in Enrolment.objects.filter(year=year).select_related("grade")}
        assert rows == {"K": (30, 15, 22), "1": (25, 10, 26), "2": (18, 15, 24)}  # blanks from the grade
        rule = CompositeRule.objects.get(year=year)
        assert sorted(g.code for g in rule.grades.all()) == ["1", "2"]
        assert (rule.min_class_size, rule.max_class_size, rule.min_per_grade) == (None, 28, 4)
    page = staff.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    assert "73 students in 3 grades; at least 4 straight classes" in page.text
    listing = staff.get("/admin/schools/schoolyear/")
    assert "73" in listing.text


def errors_of(response):
    """Every error message on the re-displayed page: form, inline forms and inline formsets."""
    assert response.status_code == 200
    found = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        found += list(inline.formset.non_form_errors())
        for form in inline.formset.forms:
            found += [(name, msg) for name, msgs in form.errors.items() for msg in msgs]
    return found


@pytest.mark.parametrize("enrolments, composites, expected", [
    ([("K", 20, 25, 20)], [], ("min_class_size", "The min class size (25) is larger than the max class size (20).")),
    ([("K", -3)], [], ("students", "Students cannot be negative.")),
    ([("K", 20), ("1", 20)], [(("K",),)], ("grades", "A composite class needs 2 or more grades: tick at least two.")),
    ([("K", 20), ("1", 20)], [(("1", "6"),)],
     ("grades", "Grade 6 is not taught this year (it has no enrolment row): add its enrolment first or untick it.")),
    ([("K", 20), ("1", 20)], [(("K", "1"), 20, 18)],
     ("min_class_size", "The min class size (20) is larger than the max class size (18).")),
    ([("K", 20, 20, 22), ("3", 20, 25, 28)], [(("K", "3"),)],
     ("min_class_size", "The K/3 class would need at least 25 and at most 22 students: "
                        "set its own min and max class size.")),
    ([("K", 20), ("K", 21)], [], ("grade", "Kindergarten has two rows: keep one row per grade.")),
])
def test_bad_input_is_refused_with_a_message_naming_the_field_and_nothing_saved(
    school_a, staff, enrolments, composites, expected
):
    response = staff.post(ADD, year_post(school_a, enrolments=enrolments, composites=composites))
    assert expected in errors_of(response)
    assert years(school_a) == []


def test_a_failed_change_keeps_what_was_saved(school_a, staff):
    year = factories.year_create(school_a, year=2027, teachers=4, students={"K": 30, "1": 20})
    with schema_context(school_a.schema_name):
        ids = list(Enrolment.objects.filter(year=year).order_by("grade__order").values_list("pk", flat=True))
    data = year_post(school_a, year=2027, teachers=9, enrolments=[("K", 31), ("1", -5)], initial_enrolments=2)
    data.update({"enrolments-0-id": ids[0], "enrolments-0-year": year.pk,
                 "enrolments-1-id": ids[1], "enrolments-1-year": year.pk})
    response = staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", data)
    assert ("students", "Students cannot be negative.") in errors_of(response)
    with schema_context(school_a.schema_name):
        year.refresh_from_db()
        assert year.teachers == 4
        assert list(Enrolment.objects.filter(year=year).values_list("students", flat=True)) == [30, 20]


def test_a_grade_too_small_for_a_class_and_in_no_composite_is_a_warning_not_an_error(school_a, staff):
    response = staff.post(ADD, year_post(school_a, year=2029, enrolments=[("K", 30), ("1", 6), ("2", 5)],
                                         composites=[(("K", "2"),)]))
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith("Grade 1: 6 students is fewer than the smallest class (15)")
    assert 2029 in years(school_a)


def test_principals_read_but_cannot_change(school_a, client_for):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, year=2027, students={"K": 20})
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    page = principal.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text and "Copy forward" not in page.text
    assert principal.get(ADD).status_code == 403
    assert principal.post(f"/admin/schools/schoolyear/{year.pk}/change/",
                          year_post(school_a, year=2027, teachers=1)).status_code == 403
    assert principal.get(f"/admin/schools/schoolyear/{year.pk}/copy-forward/").status_code == 403
    assert principal.get("/admin/schools/enrolment/import/").status_code == 403
    assert principal.get("/admin/schools/enrolment/export/").status_code == 200
    with schema_context(school_a.schema_name):
        assert SchoolYear.objects.get(pk=year.pk).teachers == 6


def test_district_staff_edit_any_school(school_a, school_b, client_for):
    factories.grades_create(school_b)
    district = client_for(school_b, factories.user_create(district=True))
    response = district.post(ADD, year_post(school_b, year=2030, enrolments=[("K", 12)]))
    assert response.status_code == 302
    assert years(school_b) == [2030] and 2030 not in years(school_a)


def test_staff_of_one_school_cannot_reach_another(school_a, school_b, client_for):
    factories.grades_create(school_b)
    year_b = factories.year_create(school_b, year=2027)
    staff_a = client_for(school_b, factories.member_create(school_a, "staff"))
    assert staff_a.get(f"/admin/schools/schoolyear/{year_b.pk}/change/").status_code == 403
    assert staff_a.post(ADD, year_post(school_b, year=2031)).status_code == 403
    assert staff_a.get("/admin/schools/enrolment/export/").status_code == 403
    assert years(school_b) == [2027]


def test_an_enrolment_added_on_its_own_page_takes_the_grade_limits(school_a, staff):
    year = factories.year_create(school_a, year=2027)
    from tests.schools.helpers import grade_ids

    response = staff.post("/admin/schools/enrolment/add/", {
        "year": year.pk, "grade": grade_ids(school_a)["3"], "students": 27, "min_class_size": "", "max_class_size": ""})
    assert response.status_code == 302
    with schema_context(school_a.schema_name):
        row = Enrolment.objects.get(year=year, grade__code="3")
        assert (row.students, row.min_class_size, row.max_class_size) == (27, 15, 28)
    listing = staff.get("/admin/schools/enrolment/")
    assert 'name="form-0-students"' in listing.text  # quick edits in the list
