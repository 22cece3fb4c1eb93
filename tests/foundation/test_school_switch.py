"""District staff move between schools without logging in again."""

from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from tenants.services import district_office_ensure
from tests.browser import log_in
from tests import factories

pytestmark = pytest.mark.django_db


def follow_switch(district_client, school):
    response = district_client.get(f"/schools/{school.code}/open/")
    assert response.status_code == 302
    return urlsplit(response["Location"])


def test_a_signed_link_logs_district_staff_into_a_school_once(school_a, district_client):
    target = follow_switch(district_client, school_a)
    assert target.hostname == "alpha.localhost" and target.path == "/accounts/handoff/"
    school_client = Client(HTTP_HOST="alpha.localhost")
    landed = school_client.get(f"{target.path}?{target.query}")
    assert landed.status_code == 302 and landed["Location"] == "/"
    assert school_client.get("/").status_code == 200
    replay = Client(HTTP_HOST="alpha.localhost").get(f"{target.path}?{target.query}")
    assert "/accounts/login/" in replay["Location"]


def test_a_link_for_one_school_does_not_open_another(school_a, school_b, district_client):
    target = follow_switch(district_client, school_a)
    other = Client(HTTP_HOST="beta.localhost")
    response = other.get(f"{target.path}?{target.query}")
    assert "/accounts/login/" in response["Location"]
    assert other.get("/admin/").status_code == 302  # still not logged in


def test_a_tampered_link_is_refused(school_a):
    response = Client(HTTP_HOST="alpha.localhost").get("/accounts/handoff/?token=forged")
    assert "/accounts/login/" in response["Location"]


def test_school_staff_get_no_link_to_another_school(school_a, school_b):
    client = Client(HTTP_HOST="localhost")
    client.force_login(factories.member_create(school_a, "staff"))
    assert client.get(f"/schools/{school_b.code}/open/").status_code == 404


@override_settings(SESSION_COOKIE_DOMAIN=".localhost")
def test_with_a_shared_parent_cookie_the_link_is_a_plain_redirect(school_a, district_client):
    assert follow_switch(district_client, school_a).path == "/"


@pytest.mark.e2e
def test_district_staff_open_two_schools_after_one_login(live_server, browser):
    district_office_ensure(domains=["localhost"])
    first = factories.school_get_or_create("switch-one", "Switch One Primary")
    second = factories.school_get_or_create("switch-two", "Switch Two Primary")
    factories.user_create("dana", district=True)
    port = live_server.thread.port
    page = browser.new_page()
    log_in(page, f"http://localhost:{port}/accounts/login/", "dana")
    for school in (first, second):
        page.goto(f"http://localhost:{port}/")
        page.click(f"text=Open {school.name}")
        assert urlsplit(page.url).hostname == f"{school.code}.localhost"
        page.goto(f"http://{school.code}.localhost:{port}/admin/")
        assert page.title().startswith("School data and plans")
        assert school.name in page.content()
    page.close()
