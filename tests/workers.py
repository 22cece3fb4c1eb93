"""Real Celery workers for the `worker` tests, and their broker.

Broker: when CELERY_BROKER_URL is a redis URL, the tests use the same Redis server on a
dedicated database number (TEST_REDIS_DB) so they never share queues with a running app;
otherwise kombu's filesystem transport in a temporary folder (the embedded broker).

Tests using a worker need `transactional_db` (the worker has its own database connection),
whose teardown flushes the public tables: they are marked `worker` and sorted after the plain
database tests (tests/conftest.py). They create their own schools (`factories.fresh_school`).
"""

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Several checkouts on one machine can each take their own pair (TEST_REDIS_DB and the one below).
TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "11"))


def wait_for(check, timeout=60.0, every=0.1):
    """The first truthy value of check(), polled until `timeout` seconds (AssertionError then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s")


def broker_url_for_tests() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis"):
        base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        return f"{base}/{TEST_REDIS_DB}"
    return "filesystem://"


def private_broker_url(url: str) -> str:
    """A broker no other consumer of this test session has seen (redis db 10, or a new folder)."""
    return f"{url.rsplit('/', 1)[0]}/{TEST_REDIS_DB - 1}" if url.startswith("redis") else url


def broker_use(url, folder=None) -> dict:
    from config.celery import app

    folder = folder or Path(tempfile.mkdtemp(prefix="test-broker-"))
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


@contextlib.contextmanager
def broker_connection():
    """A connection to the broker the Celery app now uses (to purge or look at queues)."""
    from config.celery import app

    with app.connection_for_write() as connection:
        yield connection


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



@contextlib.contextmanager
def process_worker(broker: dict, queue: str, *, pool: str = "solo", log_name: str = "worker.log",
                   concurrency: int = 1, args=(), env=None):
    """A real Celery worker in its own process (`celery -A config worker`), consuming `queue`
    (comma-separated names); `args` are more options (e.g. --beat, -n name), `env` more variables.

    Nothing is shared with the test process but the database and the broker: the task learns
    its school only from the message's schema header. Yields (process, log path).
    """
    log = Path(broker["folder"]) / log_name
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-Q", queue, "--pool", pool,
         "--concurrency", str(concurrency), "-l", "info", "--without-heartbeat", "--without-gossip",
         "--without-mingle", *args],
        cwd=ROOT, env={**broker["env"], **(env or {})}, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )
    try:
        yield worker, log
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
