"""District staff move between schools without logging in again."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tenants.services import district_office_ensure
from tests.browser import log_in
from tests import factories

pytestmark = pytest.mark.django_db


def follow_switch(district_client, school, path=""):
    """The district's hand-off page: (the school's hand-off URL, the token it POSTs)."""
    response = district_client.get(f"/schools/{school.code}/open/{path}")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    action = re.search(r'<form method="post" action="([^"]+)" id="handoff-form"', response.text).group(1)
    token = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    return urlsplit(action), token


def test_a_signed_link_logs_district_staff_into_a_school_once(school_a, district_client):
    target, token = follow_switch(district_client, school_a)
    assert target.hostname == "alpha.localhost" and target.path == "/accounts/handoff/"
    school_client = Client(HTTP_HOST="alpha.localhost")
    landed = school_client.post(target.path, {"token": token})
    assert landed.status_code == 302 and landed["Location"] == "/"
    assert school_client.get("/").status_code == 200
    replay = Client(HTTP_HOST="alpha.localhost").post(target.path, {"token": token})
    assert "/accounts/login/" in replay["Location"]


def test_a_used_link_stays_used_in_every_process(school_a, district_client):
    """The used-token record is in the database: another web worker (here: an emptied cache) refuses it too."""
    target, token = follow_switch(district_client, school_a)
    assert Client(HTTP_HOST="alpha.localhost").post(target.path, {"token": token}).status_code == 302
    cache.clear()  # what a second gunicorn worker, with its own memory, would see
    replay = Client(HTTP_HOST="alpha.localhost")
    response = replay.post(target.path, {"token": token})
    assert "/accounts/login/" in response["Location"]
    assert replay.get("/admin/").status_code == 302  # not logged in


def test_the_token_travels_in_a_post_body_never_in_a_url(school_a, district_client):
    response = district_client.get(f"/schools/{school_a.code}/open/")
    target, token = follow_switch(district_client, school_a)
    assert token not in target.geturl() and "token=" not in response.get("Location", "")
    school_client = Client(HTTP_HOST="alpha.localhost")
    refused = school_client.get(f"{target.path}?token={token}")  # a GET never logs in
    assert "/accounts/login/" in refused["Location"]
    assert school_client.get("/admin/").status_code == 302


def test_the_school_end_never_swaps_a_logged_in_person_for_another(school_a, district_client):
    target, token = follow_switch(district_client, school_a)  # made for the district staff member
    principal = factories.member_create(school_a, "principal")
    browser = Client(HTTP_HOST="alpha.localhost")
    browser.force_login(principal)
    response = browser.post(target.path, {"token": token})
    assert response.status_code == 409 and "already logged in" in response.text
    assert browser.get("/").wsgi_request.user.pk == principal.pk


def test_a_link_opens_the_page_it_names_and_no_other_host(school_a, district_client):
    target, token = follow_switch(district_client, school_a, "?next=/admin/schools/schoolyear/")
    landed = Client(HTTP_HOST="alpha.localhost").post(target.path, {"token": token})
    assert landed["Location"] == "/admin/schools/schoolyear/"
    target, token = follow_switch(district_client, school_a, "?next=//evil.example/")
    assert Client(HTTP_HOST="alpha.localhost").post(target.path, {"token": token})["Location"] == "/"


def test_every_district_link_into_a_school_uses_the_hand_off(school_a, district_client):
    schools = district_client.get("/admin/tenants/school/", HTTP_HOST="localhost:8000")
    assert f'href="/schools/{school_a.code}/open/"' in schools.text
    assert "http://alpha.localhost:8000/" in schools.text  # the address shown keeps the site's port
    plans = district_client.get("/admin/plans/districtplans/", {"year": 2027})
    assert f'href="/schools/{school_a.code}/open/?next=' in plans.text


def test_a_link_for_one_school_does_not_open_another(school_a, school_b, district_client):
    target, token = follow_switch(district_client, school_a)
    other = Client(HTTP_HOST="beta.localhost")
    response = other.post(target.path, {"token": token})
    assert "/accounts/login/" in response["Location"]
    assert other.get("/admin/").status_code == 302  # still not logged in


def test_a_tampered_link_is_refused(school_a):
    response = Client(HTTP_HOST="alpha.localhost").post("/accounts/handoff/", {"token": "forged"})
    assert "/accounts/login/" in response["Location"]


def test_school_staff_get_no_link_to_another_school(school_a, school_b):
    client = Client(HTTP_HOST="localhost")
    client.force_login(factories.member_create(school_a, "staff"))
    assert client.get(f"/schools/{school_b.code}/open/").status_code == 404


@override_settings(SESSION_COOKIE_DOMAIN=".localhost")
def test_with_a_shared_parent_cookie_the_link_is_a_plain_redirect(school_a, district_client):
    response = district_client.get(f"/schools/{school_a.code}/open/")
    assert response.status_code == 302 and urlsplit(response["Location"]).path == "/"


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
        page.click(f"text=Open {school.name}")  # the hand-off page POSTs its token by itself
        page.wait_for_url(f"http://{school.code}.localhost:{port}/**")
        assert urlsplit(page.url).hostname == f"{school.code}.localhost"
        page.goto(f"http://{school.code}.localhost:{port}/admin/")
        assert page.title().startswith("School data and plans")
        assert school.name in page.content()
    page.close()
