"""Fixtures for plan tests: a real Celery worker, its broker, and school years with plans.

Broker: when CELERY_BROKER_URL is a redis URL, the tests use the same Redis server on a
dedicated database number (PLANS_TEST_REDIS_DB) so they never share queues with a running
app; otherwise kombu's filesystem transport in a temporary folder (the embedded broker).

Tests using the worker need `transactional_db` (the worker thread has its own database
connection), whose teardown flushes the public tables: they are marked `worker` and sorted
after the plain database tests (and before the browser tests, which conftest.py sorts last).
They create their own schools with unique codes.
"""

import contextlib
import itertools
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from tests import factories

PLANS_TEST_REDIS_DB = 11
_codes = itertools.count(1)


def broker_url_for_tests() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis"):
        base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        return f"{base}/{PLANS_TEST_REDIS_DB}"
    return "filesystem://"


@pytest.fixture(scope="session")
def celery_broker():
    """Point the Celery app at the test broker (and reset its connection pools)."""
    return _broker_use(broker_url_for_tests())


@pytest.fixture
def private_broker(celery_broker):
    """A broker no other consumer of this test session has seen (redis db 10, or a new folder)."""
    url = celery_broker["url"]
    if url.startswith("redis"):
        url = f"{url.rsplit('/', 1)[0]}/{PLANS_TEST_REDIS_DB - 1}"
    yield _broker_use(url)
    _broker_use(celery_broker["url"], folder=celery_broker["folder"])


def _broker_use(url, folder=None) -> dict:
    from config.celery import app

    folder = folder or Path(tempfile.mkdtemp(prefix="plans-broker-"))
    options = {}
    if url.startswith("filesystem"):
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(exist_ok=True)
        options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                   "processed_folder": str(folder / "processed"), "store_processed": False,
                   "control_folder": str(folder / "control"),
                   "polling_interval": 0.1}
    app.conf.broker_url = url
    if os.environ.get("CELERY_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = url  # Celery reads this variable before its own settings
    app.conf.broker_transport_options = options
    app.conf.broker_connection_retry_on_startup = False
    app.conf.broker_connection_max_retries = 1
    app._pool = None
    app.amqp._producer_pool = None
    with app.connection_for_write() as connection:
        for queue in ("solver", "reports", "celery"):
            try:
                connection.default_channel.queue_purge(queue)
            except Exception:
                pass
    return {"url": url, "folder": folder, "env": _worker_env(url, folder)}


def _worker_env(url, folder) -> dict:
    """Environment for a worker subprocess using the same broker and the test database."""
    from django.db import connection

    db = connection.settings_dict
    env = {**os.environ, "DEBUG": "1", "CELERY_BROKER_URL": url,
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    if str(db["HOST"]).startswith("/"):  # the embedded server's unix socket: libpq takes it from PGHOST
        env.update(DATABASE_URL=f"postgres://{db['USER']}@/{db['NAME']}", PGHOST=str(db["HOST"]))
    if url.startswith("filesystem"):
        env["CELERY_BROKER_FILESYSTEM_DIR"] = str(folder)
    return env


@contextlib.contextmanager
def thread_worker(queue: str):
    """A real Celery worker (celery's test worker, in a thread) consuming one queue."""
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from config.celery import app

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[queue], shutdown_timeout=30, loglevel="WARNING") as worker:
        yield worker
    connections.close_all()


@pytest.fixture
def solver_worker(transactional_db, celery_broker):
    with thread_worker("solver") as worker:
        yield worker


def unique_code(prefix="p") -> str:
    return f"{prefix}{next(_codes)}-{uuid.uuid4().hex[:6]}"


def fresh_school(prefix="p", name=None):
    """A school of its own for transactional tests (the public rows are flushed after each)."""
    from tenants.services import district_office_ensure

    district_office_ensure(domains=["localhost", "testserver"])
    code = unique_code(prefix)
    return factories.school_get_or_create(code, name or f"School {code}")


HILLVIEW = {"K": 41, "1": 57, "2": 40}
HILLVIEW_GRADES = [("K", "Kindergarten", 15, 22), ("1", "", 15, 25), ("2", "", 15, 25)]


def hillview_year(school, *, year=2027, teachers=6, students=HILLVIEW, composites=(("K", "1"), ("1", "2")),
                  min_per_grade=5):
    """The contract's hillview example (best plan: 6 classes, 1 composite, spread 2)."""
    factories.grades_create(school, grades=HILLVIEW_GRADES)
    return factories.year_create(school, year=year, teachers=teachers, students=students,
                                 composites=composites, min_per_grade=min_per_grade)


def saved_plan(school, year, classes, *, rank=1, adopted=False, job=None):
    """A plan stored by hand: classes are (name, {grade: n}) pairs."""
    from optimization import plan_figures
    from schools.plans.models import AllocationPlan, PlannedClass

    with schema_context(school.schema_name):
        figures = plan_figures({"classes": [{"grades": counts} for _, counts in classes]})
        plan = AllocationPlan.objects.create(year=year, job=job, rank=rank, adopted=adopted, **figures)
        for i, (name, counts) in enumerate(classes):
            PlannedClass.objects.create(plan=plan, position=i, name=name, counts=counts,
                                        size=sum(counts.values()))
        return plan
