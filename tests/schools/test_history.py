"""Every change to a year, its enrolments and composites is kept with who and when."""

import pytest
from django_tenants.utils import schema_context

from schools.models import Enrolment
from tests import factories
from tests.schools.helpers import opened_value, year_post

pytestmark = pytest.mark.django_db


def test_changes_made_in_the_admin_are_kept_and_shown(school_a, client_for):
    factories.grades_create(school_a)
    secretary = factories.user_create("sally", first_name="Sally", last_name="Secretary")
    from tenants.services import membership_set
    membership_set(user=secretary, school=school_a, role="staff")
    staff = client_for(school_a, secretary)
    assert staff.post("/admin/schools/schoolyear/add/", year_post(
        school_a, year=2028, teachers=5, enrolments=[("K", 30), ("1", 25)], composites=[(("K", "1"),)]
    )).status_code == 302
    with schema_context(school_a.schema_name):
        enrolment = Enrolment.objects.get(year__year=2028, grade__code="K")
        year_id = enrolment.year_id
        ids = list(Enrolment.objects.filter(year_id=year_id).order_by("grade__order").values_list("pk", flat=True))
        rule_id = enrolment.year.composites.get().pk
    data = year_post(school_a, year=2028, teachers=6, enrolments=[("K", 33), ("1", 25)],
                     composites=[(("K", "1"), "", 26)], initial_enrolments=2, initial_composites=1)
    data.update({"enrolments-0-id": ids[0], "enrolments-1-id": ids[1], "composites-0-id": rule_id,
                 "opened": opened_value(staff, year_id)})
    assert staff.post(f"/admin/schools/schoolyear/{year_id}/change/", data).status_code == 302
    with schema_context(school_a.schema_name):
        records = list(Enrolment.history.filter(id=ids[0]).order_by("history_date"))
        assert [r.students for r in records] == [30, 33]
        assert {r.history_user_id for r in records} == {secretary.pk}

    history = staff.get(f"/admin/schools/schoolyear/{year_id}/history/")
    assert history.status_code == 200
    text = history.text
    assert "Sally Secretary" in text
    assert "Enrolment: Kindergarten" in text and "30 → 33" in text
    assert "teachers: 5 → 6" in text.lower() or "Teachers: 5 → 6" in text
    assert "max class size: – → 26" in text.lower()

    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    assert principal.get(f"/admin/schools/schoolyear/{year_id}/history/").status_code == 200
    enrolment_history = principal.get(f"/admin/schools/enrolment/{ids[0]}/history/")
    assert enrolment_history.status_code == 200 and "sally" in enrolment_history.text.lower()
