"""Copy a year forward: everything carried, students optionally moved up a grade, never overwriting."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from schools.models import CompositeRule, Enrolment, SchoolYear
from schools.services import year_copy_forward
from tenants.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2027(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, year=2027, teachers=7, min_per_grade=4,
                                 students={"K": 40, "1": 41, "2": 42, "3": 43, "4": 44, "5": 45, "6": 46},
                                 composites=[("K", "1"), ("5", "6")])
    with schema_context(school_a.schema_name):
        Enrolment.objects.filter(year=year, grade__code="3").update(min_class_size=12, max_class_size=26)
        CompositeRule.objects.filter(year=year, grades__code="6").update(max_class_size=27, min_per_grade=3)
    return year


def counts(year):
    return {e.grade.code: e.students for e in Enrolment.objects.filter(year=year).select_related("grade")}


def test_copy_forward_with_roll_up(school_a, year_2027):
    actor = factories.member_create(school_a, "staff")
    with schema_context(school_a.schema_name):
        new = year_copy_forward(source=year_2027, year=2028, roll_up=True, actor=actor)
        assert (new.teachers, new.composite_min_per_grade, new.status) == (7, 4, "draft")
        # K gets this year's K count (a first guess), everyone else moves up, grade 6 leaves
        assert counts(new) == {"K": 40, "1": 40, "2": 41, "3": 42, "4": 43, "5": 44, "6": 45}
        third = Enrolment.objects.get(year=new, grade__code="3")
        assert (third.min_class_size, third.max_class_size) == (12, 26)  # limits stay with the grade
        rules = [(sorted(g.code for g in r.grades.all()), r.max_class_size, r.min_per_grade)
                 for r in CompositeRule.objects.filter(year=new)]
        assert sorted(rules) == [(["1", "K"], None, None), (["5", "6"], 27, 3)]
        assert counts(year_2027)["6"] == 46  # the source is untouched
        assert Enrolment.history.filter(year_id=new.pk).first().history_user_id == actor.pk
    assert AuditEvent.objects.filter(action="year_copy_forward", school_code="alpha", actor=actor,
                                     details__year=2028).exists()


def test_copy_forward_without_roll_up_and_with_a_given_first_grade(school_a, year_2027):
    with schema_context(school_a.schema_name):
        same = year_copy_forward(source=year_2027, year=2028, roll_up=False, actor=None)
        assert counts(same) == counts(year_2027)
        rolled = year_copy_forward(source=year_2027, year=2029, roll_up=True, actor=None, first_grade_students=35)
        assert counts(rolled)["K"] == 35 and counts(rolled)["1"] == 40


def test_copy_forward_refuses_an_existing_year(school_a, year_2027):
    with schema_context(school_a.schema_name):
        year_copy_forward(source=year_2027, year=2028, roll_up=True, actor=None)
        Enrolment.objects.filter(year__year=2028, grade__code="K").update(students=99)
        with pytest.raises(ValidationError) as error:
            year_copy_forward(source=year_2027, year=2028, roll_up=False, actor=None)
        assert error.value.message_dict == {"year": ["The year 2028 already exists; it was not changed."]}
        assert counts(SchoolYear.objects.get(year=2028))["K"] == 99
        assert SchoolYear.objects.count() == 2


def test_copy_forward_from_the_admin(school_a, year_2027, client_for):
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    change = staff.get(f"/admin/schools/schoolyear/{year_2027.pk}/change/")
    assert "Copy forward to a new year" in change.text
    action = staff.post("/admin/schools/schoolyear/", {"action": "copy_forward", "_selected_action": [year_2027.pk]})
    assert action.status_code == 302 and action["Location"].endswith(f"/{year_2027.pk}/copy-forward/")
    form = staff.get(action["Location"])
    assert form.status_code == 200 and 'value="2028"' in form.text
    created = staff.post(action["Location"], {"year": 2028, "roll_up": "on", "first_grade_students": 38})
    assert created.status_code == 302
    with schema_context(school_a.schema_name):
        assert counts(SchoolYear.objects.get(year=2028))["K"] == 38
    again = staff.post(action["Location"], {"year": 2028, "roll_up": "on"})
    assert again.status_code == 200
    assert "The year 2028 already exists; it was not changed." in again.text
