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

from tests import factories, workers

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


# --- report storages ---------------------------------------------------------------------------

@pytest.fixture
def local_reports(tmp_path, settings):
    """Report files in a private temporary folder (no S3 settings)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "reports", "base_url": None},
        },
    }
    return tmp_path / "reports"


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local S3-API server (moto) on a free port, spoken to over HTTP by the real boto3 client."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


S3_BUCKET = factories.S3_BUCKET
S3_KEYS = {"access_key": "testing", "secret_key": "testing"}


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


@pytest.fixture
def s3_reports(moto_endpoint, settings):
    """STORAGES["reports"] as in production (private S3, SSE, no overwrite), pointed at moto."""
    client = s3_client(moto_endpoint)
    if S3_BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=S3_BUCKET)
    settings.AWS_STORAGE_BUCKET_NAME = S3_BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "region_name": "us-east-1",
                "endpoint_url": moto_endpoint,
                **S3_KEYS,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": settings.REPORTS_URL_EXPIRY_S,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
    return client


# --- real Celery workers (tests/workers.py) ----------------------------------------------------


@pytest.fixture(scope="session")
def celery_broker():
    """Point the Celery app at the test broker (and reset its connection pools)."""
    return workers.broker_use(workers.broker_url_for_tests())


@pytest.fixture
def private_broker(celery_broker):
    """A broker no other consumer of this test session has seen (redis db 10, or a new folder)."""
    yield workers.broker_use(workers.private_broker_url(celery_broker["url"]))
    workers.broker_use(celery_broker["url"], folder=celery_broker["folder"])


@pytest.fixture
def solver_worker(transactional_db, celery_broker):
    """A real worker (in a thread of this process) on the solver queue."""
    with workers.thread_worker("solver") as worker:
        yield worker


@pytest.fixture
def reports_worker(transactional_db, private_broker, local_reports):
    """A real worker in its own process on the reports queue: a task learns its school only
    from the message's schema header (nothing in this process's connection can help it).
    It stores files in this test's `local_reports` folder."""
    broker = {**private_broker, "env": {**private_broker["env"], "REPORTS_LOCAL_ROOT": str(local_reports)}}
    broker["env"] = {k: v for k, v in broker["env"].items() if not k.startswith("AWS_STORAGE")}
    with workers.process_worker(broker, "reports", log_name="reports-worker.log") as worker:
        yield worker



# --- mail: a real SMTP server on loopback (aiosmtpd) -------------------------------------------


@pytest.fixture(scope="session")
def _smtp_server():
    import socket

    from aiosmtpd.controller import Controller

    inbox = factories.Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtp(_smtp_server, settings):
    """Mail goes through Django's SMTP backend to a real SMTP server on loopback; the fixture is
    its inbox (`.messages`, `.wait_for(to)`, `Inbox.link(message)`)."""
    controller, inbox = _smtp_server
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    return inbox


@pytest.fixture
def jobs_in_process(django_capture_on_commit_callbacks):
    """Jobs queued after commit run at once, in this process (Celery's eager mode): the real
    task and service, without a worker. Use as `with jobs_in_process(): ...`."""
    import contextlib

    from config.celery import app

    @contextlib.contextmanager
    def run():
        app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
        try:
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                yield callbacks
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = False, False

    return run
