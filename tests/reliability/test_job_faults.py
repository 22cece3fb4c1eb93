"""Issue 10, items 1-4: jobs never stick and never lose work, with real processes.

A real `celery worker --beat` subprocess (the dispatcher runs in it, with short intervals set by
environment variables), real PostgreSQL, Redis (for item 4 a redis-server of the test's own).
Faults: a message never published, a message the broker lost, a worker killed (main process and
pool), the database cutting the worker's connection mid-save, Redis stopped mid-solve.
"""

import time

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from schools.plans import services
from schools.plans.models import PlanJob
from tests import workers
from tests.factories import fresh_school, hillview_year
from tests.reliability.faults import FAST_JOBS, OwnRedis, kill_tree, table_locked, terminate_backend
from tests.workers import process_worker, wait_for

pytestmark = pytest.mark.worker

WORKER_ARGS = ["--beat", "-n", "rely@test"]


def job_now(school, pk) -> PlanJob:
    with schema_context(school.schema_name):
        return PlanJob.objects.get(pk=pk)


def finished(school, pk):
    def check():
        job = job_now(school, pk)
        return job if job.status not in PlanJob.LIVE else None
    return check


def health(host="localhost"):
    response = Client(HTTP_HOST=host).get("/healthz")
    return response.status_code, response.json()


def test_lost_messages_and_a_killed_worker_leave_no_job_stuck(private_broker, settings):
    """1: a job whose message was never published (web process killed after the commit) and one
    whose message the broker lost are both sent again by the dispatcher and solved.
    3: the worker (main process and pool) is killed while it holds a job; the restarted worker
    runs the job again at once (its predecessor's heartbeat is gone) and /healthz says when no
    worker is alive."""
    settings.JOB_DEAD_AFTER_S = 3
    lost_school, kill_school = fresh_school("lost"), fresh_school("kill")
    never_sent_year, lost_year = hillview_year(lost_school), hillview_year(lost_school, year=2028)
    kill_year = hillview_year(kill_school)
    with schema_context(lost_school.schema_name):
        # the row committed, the publish never happened
        never_sent = PlanJob.objects.create(year=never_sent_year, problem=services.year_problem_for(never_sent_year))
        # sent, then lost with the broker's data (Redis restarted empty) before any worker took it
        lost = services.plan_generate(year=lost_year, actor=None)
    assert job_now(lost_school, lost.pk).dispatched is not None
    with workers.broker_connection() as conn:
        assert conn.default_channel.queue_purge("solver") == 1
    assert health()[0] == 503 and health()[1]["checks"]["workers"]["ok"] is False

    with process_worker(private_broker, "solver,reports,celery", pool="prefork", concurrency=2, args=WORKER_ARGS,
                        env=FAST_JOBS, log_name="faults-1.log") as (first, log):
        for job in (never_sent, lost):
            done = wait_for(finished(lost_school, job.pk), timeout=60)
            assert done.status == PlanJob.Status.SUCCEEDED, (done.error, log.read_text()[-2000:])
            assert done.attempts == 1 and done.dispatches >= 1
        assert job_now(lost_school, lost.pk).dispatches >= 2  # sent again by the dispatcher
        status, body = health(host=f"{lost_school.code}.localhost")
        assert status == 200 and body["status"] == "ok", body

        with table_locked(kill_school.schema_name, "plans_allocationplan") as waiting:
            with schema_context(kill_school.schema_name):
                held = services.plan_generate(year=kill_year, actor=None)
            wait_for(waiting, timeout=60)  # solved; saving its plans, held by the lock
            assert job_now(kill_school, held.pk).status == PlanJob.Status.RUNNING
            kill_tree(first.pid)
            first.wait()
        status, body = wait_for(lambda: (lambda h: h if h[0] == 503 else None)(health()), timeout=30)
        assert body["checks"]["workers"] == {"ok": False, "seen": 0,
                                             "queues_without_a_worker": ["solver", "reports", "celery"]}

    started = time.monotonic()
    with process_worker(private_broker, "solver,reports,celery", pool="prefork", concurrency=2, args=WORKER_ARGS,
                        env=FAST_JOBS, log_name="faults-1b.log") as (second, log):
        done = wait_for(finished(kill_school, held.pk), timeout=60)
        assert done.status == PlanJob.Status.SUCCEEDED, (done.error, log.read_text()[-3000:])
        assert done.attempts == 2
        assert any("stopped" in p["message"] for p in done.progress)
        assert done.worker.split()[1] == str(second.pid)
        assert time.monotonic() - started < 60  # not the broker's visibility timeout
        assert health()[0] == 200


def test_redis_and_the_database_failing_mid_job_lose_nothing(transactional_db, celery_broker):
    """4: Redis stopped while a job runs and started again: the worker lives on (celery 5.7.0's died
    with "'NoneType' object has no attribute 'hostname'") and takes later jobs.
    2: the database cuts the worker's connection while it saves a finished solve: the save is
    retried, the plans are kept (no second solve) and the job says what happened."""
    redis = OwnRedis()
    redis.start()
    broker = workers.broker_use(redis.url)
    school = fresh_school("flaky")
    year, later_year = hillview_year(school), hillview_year(school, year=2028)
    try:
        with process_worker(broker, "solver,reports,celery", pool="prefork", concurrency=2, args=WORKER_ARGS,
                            env=FAST_JOBS, log_name="faults-2.log") as (worker, log):
            with table_locked(school.schema_name, "plans_allocationplan") as waiting:
                with schema_context(school.schema_name):
                    job = services.plan_generate(year=year, actor=None)
                (saver,) = wait_for(waiting, timeout=60)  # the solve is done; its save waits on the lock
                redis.stop()
                wait_for(lambda: "Connection to broker lost" in log.read_text(), timeout=30)
                redis.start()
                terminate_backend(saver)  # the save's connection is cut by the database
                wait_for(lambda: [p for p in waiting() if p != saver], timeout=30)  # saving again
            done = wait_for(finished(school, job.pk), timeout=60)
            assert done.status == PlanJob.Status.SUCCEEDED, (done.error, log.read_text()[-3000:])
            assert done.attempts == 1  # the finished solve was kept, not solved again
            assert any("database could not be reached while saving" in p["message"] for p in done.progress), (done.progress, log.read_text()[-4000:])
            assert worker.poll() is None, log.read_text()[-3000:]
            with schema_context(school.schema_name):
                again = services.plan_generate(year=later_year, actor=None)
            assert wait_for(finished(school, again.pk), timeout=60).status == PlanJob.Status.SUCCEEDED
            assert "Unrecoverable error" not in log.read_text()
    finally:
        redis.stop()
        workers.broker_use(celery_broker["url"], folder=celery_broker["folder"])
