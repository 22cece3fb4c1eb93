"""The district's settings: one row, read without writing, changed only through the audited service."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tenants.models import AuditEvent, DistrictSettings
from tenants.selectors import district_settings
from tenants.services import district_settings_update
from tests import factories

pytestmark = pytest.mark.django_db


def test_reading_the_settings_writes_nothing_and_gives_the_defaults():
    DistrictSettings.objects.all().delete()
    settings = district_settings()
    assert settings.rule_pack == "none" and settings.time_zone == "UTC"
    assert settings.ranking_or_default == ["composites", "classes", "spread"]
    assert not DistrictSettings.objects.exists()


def test_an_update_is_audited_with_old_and_new_values():
    actor = factories.user_create(district=True)
    district_settings_update(actor=actor, time_zone="America/Toronto", rule_pack="ontario")
    assert district_settings().time_zone == "America/Toronto"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DISTRICT_SETTINGS_CHANGE).first()
    assert event.actor == actor
    assert event.old == {"time_zone": "UTC", "rule_pack": "none"}
    assert event.new == {"time_zone": "America/Toronto", "rule_pack": "ontario"}


def test_a_wrong_time_zone_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as error:
        district_settings_update(actor=None, time_zone="Mars/Olympus")
    assert "time_zone" in error.value.message_dict


def test_district_staff_change_the_settings_in_the_district_admin(district_client):
    url = "/admin/tenants/districtsettings/1/change/"
    assert district_client.get("/admin/tenants/districtsettings/").status_code == 302
    page = district_client.get(url)
    assert page.status_code == 200 and b"Ontario" in page.content
    response = district_client.post(url, {
        "name": "Maple District", "time_zone": "America/Toronto", "rule_pack": "ontario",
        "ranking_choice": "classes,composites,largest,spread", "grade_template": "K-8",
    })
    assert response.status_code == 302, response.content[:2000]
    settings = district_settings()
    assert (settings.name, settings.rule_pack, settings.ranking) == (
        "Maple District", "ontario", ["classes", "composites", "largest", "spread"])


def test_school_people_cannot_reach_the_district_settings(school_a):
    staff = factories.member_create(school_a, "staff")
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    response = client.get("/admin/tenants/districtsettings/1/change/")
    assert response.status_code in (302, 403)
    assert b"Maple" not in response.content
