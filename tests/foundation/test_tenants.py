"""Routing by domain, schema creation, and who may reach which school."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from tenants.models import AuditEvent, School
from tenants.services import school_create, school_delete
from tests import factories

pytestmark = pytest.mark.django_db


def tables_in(schema):
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_each_domain_routes_to_its_own_school(school_a, school_b, client_for):
    user = factories.user_create(district=True)
    page_a = client_for(school_a, user).get("/")
    page_b = client_for(school_b, user).get("/")
    assert page_a.status_code == page_b.status_code == 200
    assert "School A" in page_a.text and "School B" not in page_a.text
    assert "School B" in page_b.text and "School A" not in page_b.text


def test_the_parent_domain_is_the_district_office(school_a, district_client):
    page = district_client.get("/")
    assert page.status_code == 200
    assert "School A" in page.text and "alpha.localhost" in page.text


def test_an_unknown_domain_finds_no_school(db):
    assert Client(HTTP_HOST="nowhere.localhost").get("/").status_code == 404


def test_creating_a_school_creates_its_schema_with_tenant_tables_and_none_in_public(db):
    school = school_create(name="Gamma Primary", code="gamma")
    assert school.schema_name == "school_gamma"
    assert schema_exists("school_gamma")
    assert school.domains.get().domain == "gamma.localhost"
    tenant_tables = tables_in("school_gamma")
    assert {"schools_schoolyear", "schools_enrolment", "plans_allocationplan"} <= tenant_tables
    assert "tenants_school" not in tenant_tables
    public_tables = tables_in("public")
    assert "tenants_school" in public_tables and "schools_schoolyear" not in public_tables
    assert AuditEvent.objects.filter(action="school_create", school_code="gamma").exists()


def test_a_school_code_is_validated_and_unique(school_a):
    with pytest.raises(ValidationError) as error:
        school_create(name="Bad", code="Bad Code!")
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError):
        school_create(name="Again", code=school_a.code)


def test_deleting_a_school_needs_its_code_typed_back_and_removes_its_files(
    db, django_capture_on_commit_callbacks
):
    from reports.storage import reports_backend

    school = school_create(name="Delta", code="delta")
    backend = reports_backend()
    kept = backend.save("school_alpha/reports/2027/keep.csv", ContentFile(b"alpha"))
    gone = backend.save("school_delta/reports/2027/plan.csv", ContentFile(b"delta"))
    with pytest.raises(ValidationError) as error:
        school_delete(school=school, confirm_code="wrong")
    assert "delta" in str(error.value)
    assert schema_exists("school_delta") and School.objects.filter(code="delta").exists()
    with django_capture_on_commit_callbacks(execute=True):
        school_delete(school=school, confirm_code="delta")
    assert not schema_exists("school_delta")
    assert not School.objects.filter(code="delta").exists()
    assert not backend.exists(gone) and backend.exists(kept)
    backend.delete(kept)


def test_the_district_admin_offers_no_silent_delete(district_client, school_a):
    change = district_client.get(f"/admin/tenants/school/{school_a.pk}/change/")
    assert change.status_code == 200
    assert "delete-with-data" in change.text
    assert district_client.get(f"/admin/tenants/school/{school_a.pk}/delete/").status_code == 403
    wrong = district_client.post(
        f"/admin/tenants/school/{school_a.pk}/delete-with-data/", {"confirm_code": "nope"}
    )
    assert wrong.status_code == 200 and "Type the school" in wrong.text
    assert schema_exists(school_a.schema_name)


def test_creating_a_school_in_the_district_admin_creates_schema_and_domain(district_client):
    response = district_client.post("/admin/tenants/school/add/", {"name": "Epsilon", "code": "epsilon"})
    assert response.status_code == 302, response.text
    assert schema_exists("school_epsilon")
    assert School.objects.get(code="epsilon").domains.get().domain == "epsilon.localhost"


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/schools/schoolyear/"])
def test_school_staff_of_a_get_403_at_school_b(school_a, school_b, client_for, path):
    staff_a = factories.member_create(school_a, "staff")
    assert client_for(school_a, staff_a).get(path).status_code == 200
    refused = client_for(school_b, staff_a).get(path)
    assert refused.status_code == 403
    assert "You don't have access to this school" in refused.text


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/schools/schoolyear/"])
def test_district_staff_reach_every_school(school_a, school_b, client_for, path):
    district = factories.user_create(district=True)
    assert client_for(school_a, district).get(path).status_code == 200
    assert client_for(school_b, district).get(path).status_code == 200


def test_school_staff_cannot_use_the_district_admin(school_a):
    client = Client(HTTP_HOST="localhost")
    client.force_login(factories.member_create(school_a, "staff"))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_anonymous_visitors_are_sent_to_log_in(school_a, client_for):
    response = client_for(school_a).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_school_data_is_invisible_from_another_schema(school_a, school_b):
    factories.grades_create(school_a)
    factories.year_create(school_a, year=2031, teachers=9, students={"K": 30})
    from schools.models import SchoolYear

    with schema_context(school_a.schema_name):
        assert SchoolYear.objects.filter(year=2031).count() == 1
    with schema_context(school_b.schema_name):
        assert SchoolYear.objects.filter(year=2031).count() == 0


def test_cache_keys_are_prefixed_by_school(school_a, school_b):
    with schema_context(school_a.schema_name):
        cache.set("totals", "a's figures")
    with schema_context(school_b.schema_name):
        assert cache.get("totals") is None
    with schema_context(school_a.schema_name):
        assert cache.get("totals") == "a's figures"


def test_a_missing_or_stale_template_is_brought_up_to_date_before_cloning(db, monkeypatch):
    from django.conf import settings

    from tenants import services

    monkeypatch.setattr(services, "_template_current", False)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{settings.TENANT_BASE_SCHEMA}" CASCADE')
    school = school_create(name="Zeta", code="zeta")
    assert schema_exists(settings.TENANT_BASE_SCHEMA)
    assert {"schools_schoolyear", "plans_planjob", "reports_report"} <= tables_in(school.schema_name)
