"""Shared fixtures: a test database with the district office and two schools, A and B.

django-tenants' TenantTestCase ignores setUpTestData; instead the schools are created once
per session in django_db_setup (outside any test transaction) and each test runs in a
transaction that is rolled back, in whatever schema it switches to.
"""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests import factories

SCHOOL_A, SCHOOL_B = "alpha", "beta"


def pytest_collection_modifyitems(config, items):
    """Plain database tests first, then `worker` tests (a real Celery worker), then `e2e` ones.

    Both kinds need a transactional database (another thread has its own connection), whose
    teardown flushes the public tables. School schemas hold rows that point at public users
    (admin log, history), so the flush must cascade, which Django does only when
    available_apps is set.
    """
    from django.conf import settings

    def stage(item):
        return 2 if item.get_closest_marker("e2e") else 1 if item.get_closest_marker("worker") else 0

    for item in items:
        if stage(item):
            item.add_marker(
                pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
            )
    items.sort(key=stage)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import district_office_ensure

    with django_db_blocker.unblock():
        call_command("school_template", verbosity=0)
        district_office_ensure(domains=["localhost", "testserver"])
        factories.school_get_or_create(SCHOOL_A, "School A")
        factories.school_get_or_create(SCHOOL_B, "School B")
    yield


@pytest.fixture(autouse=True)
def _public_schema_after_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def _test_reports_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(autouse=True)
def _reports_in_a_temporary_folder(settings, _test_reports_folder):
    """Tests never write report files into the developer's var/ (S3 tests override this)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": _test_reports_folder, "base_url": None},
        },
    }


@pytest.fixture
def school_a(db):
    return factories.school_get_or_create(SCHOOL_A, "School A")


@pytest.fixture
def school_b(db):
    return factories.school_get_or_create(SCHOOL_B, "School B")


def host_of(school) -> str:
    return school.domains.get(is_primary=True).domain


@pytest.fixture
def client_for():
    """client_for(school, user=None): a test client on the school's own domain, logged in as user."""

    def make(school, user=None):
        client = Client(HTTP_HOST=host_of(school))
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def district_client(db):
    client = Client(HTTP_HOST="localhost")
    client.force_login(factories.user_create(district=True))
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (it cannot download its own browsers here)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield browser
        browser.close()
