"""Jobs on a real Celery worker: lifecycle, isolation between schools, concurrent clicks, killed workers.

Transactional (the worker has its own database connection): each test makes its own schools.
"""

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from schools.plans import services
from schools.plans.models import AllocationPlan, PlanJob
from tests import factories
from tests.factories import fresh_school, hillview_year

pytestmark = pytest.mark.worker  # transactional; see tests/plans/conftest.py

from tests.workers import process_worker, wait_for

# a copy of the contract's example problems that the tests need (never a path outside the repo)
DATA = Path(__file__).resolve().parents[1] / "data"


def job_done(school, job_id):
    def check():
        with schema_context(school.schema_name):
            job = PlanJob.objects.get(pk=job_id)
        return job if job.status not in PlanJob.LIVE else None

    return check


def test_a_job_runs_on_the_worker_from_queued_to_succeeded(solver_worker):
    school = fresh_school("life")
    year = hillview_year(school)
    staff = factories.member_create(school, "staff")
    with schema_context(school.schema_name):
        job = services.plan_generate(year=year, actor=staff)
        assert job.status == PlanJob.Status.QUEUED
    job = wait_for(job_done(school, job.pk), timeout=30)
    assert job.status == PlanJob.Status.SUCCEEDED, job.error
    assert job.task_id and job.attempts == 1 and job.started <= job.finished
    with schema_context(school.schema_name):
        best = AllocationPlan.objects.get(job=job, rank=1)
        assert (best.classes, best.composites, best.spread) == (6, 1, 2)


def test_a_job_for_school_a_never_writes_into_school_b(solver_worker):
    school_a, school_b = fresh_school("isoa"), fresh_school("isob")
    year_a = hillview_year(school_a)
    year_b = hillview_year(school_b, students={"K": 30, "1": 30, "2": 30}, teachers=6)
    with schema_context(school_b.schema_name):
        # the same primary keys exist in both schemas: only the schema tells them apart
        b_job = PlanJob.objects.create(year=year_b, problem={}, status=PlanJob.Status.FAILED)
    with schema_context(school_a.schema_name):
        a_job = services.plan_generate(year=year_a, actor=None)
    assert a_job.pk == b_job.pk and year_a.pk == year_b.pk
    wait_for(job_done(school_a, a_job.pk), timeout=30)
    with schema_context(school_b.schema_name):
        assert not AllocationPlan.objects.exists()
        assert PlanJob.objects.get().status == PlanJob.Status.FAILED
    with schema_context(school_a.schema_name):
        totals = {sum(c.size for c in p.planned_classes.all()) for p in AllocationPlan.objects.all()}
        assert totals == {138}
    with schema_context(school_b.schema_name):
        b_new = services.plan_generate(year=year_b, actor=None)
    wait_for(job_done(school_b, b_new.pk), timeout=30)
    with schema_context(school_b.schema_name):
        assert {sum(c.size for c in p.planned_classes.all()) for p in AllocationPlan.objects.all()} == {90}
    with schema_context(school_a.schema_name):
        assert AllocationPlan.objects.count() == 3 and PlanJob.objects.count() == 1


def test_many_clicks_at_once_make_exactly_one_job(celery_broker):
    school = fresh_school("click")
    year = hillview_year(school)
    staff = factories.member_create(school, "staff")
    url = f"/plans/{year.year}/generate/"
    host = school.domains.get().domain
    barrier, statuses, errors = threading.Barrier(8), [], []

    def click():
        try:
            client = Client(HTTP_HOST=host)
            client.force_login(staff)
            barrier.wait()
            statuses.append(client.post(url).status_code)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with schema_context(school.schema_name):
        assert PlanJob.objects.count() == 1
        assert set(statuses) == {302}  # every click is sent back to the page, which shows the one job


def year_from_example(school, name):
    """A school year holding one of the contract's example problems."""
    from schools.models import CompositeRule, Enrolment, Grade, SchoolYear

    problem = json.loads((DATA / name).read_text())
    with schema_context(school.schema_name):
        grades = {}
        for i, g in enumerate(problem["grades"]):
            grades[g["code"]] = Grade.objects.create(code=g["code"], name=g.get("name", ""), order=i,
                                                     min_class_size=g["min_class_size"],
                                                     max_class_size=g["max_class_size"])
        year = SchoolYear.objects.create(year=2027, teachers=problem["teachers"],
                                         composite_min_per_grade=problem.get("composite_min_per_grade", 1))
        for g in problem["grades"]:
            Enrolment.objects.create(year=year, grade=grades[g["code"]], students=g["students"],
                                     min_class_size=g["min_class_size"], max_class_size=g["max_class_size"])
        for c in problem.get("composites", []):
            rule = CompositeRule.objects.create(year=year, **{k: c[k] for k in ("min_class_size", "max_class_size",
                                                                               "min_per_grade") if k in c})
            rule.grades.set([grades[code] for code in c["grades"]])
        return year


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def test_a_worker_killed_mid_solve_gets_the_job_retried_not_stuck(private_broker):
    """A real prefork worker; its pool process is killed (SIGKILL) while solving.

    acks_late + reject_on_worker_lost put the message back; the next delivery sees the job
    "running" with one attempt and solves it again.
    """
    school = fresh_school("kill")
    year = year_from_example(school, "primary_k6_420_tight_adjacent.json")
    celery_broker = private_broker
    with process_worker(celery_broker, "solver", pool="prefork", log_name="kill-worker.log") as (worker, log):
        with schema_context(school.schema_name):
            job = services.plan_generate(year=year, actor=None)

        def running():
            with schema_context(school.schema_name):
                now = PlanJob.objects.get(pk=job.pk)
            assert now.status in PlanJob.LIVE, (now.error, log.read_text()[-2000:])
            return now.status == PlanJob.Status.RUNNING

        try:
            wait_for(running, timeout=60, every=0.02)
        except AssertionError:
            from config.celery import app

            with schema_context(school.schema_name):
                now = PlanJob.objects.get(pk=job.pk)
            raise AssertionError((now.status, now.task_id, app.conf.broker_url, app.conf.broker_transport_options,
                                  os.environ.get("CELERY_BROKER_URL"),
                                  sorted(p.name for p in Path(celery_broker["folder"]).rglob("*")),
                                  log.read_text()[-1500:]))
        pool = children_of(worker.pid)
        assert pool, "the worker has no pool process"
        for pid in pool:
            subprocess.run(["kill", "-9", str(pid)], check=False)
        finished = wait_for(job_done(school, job.pk), timeout=90)
        assert finished.status == PlanJob.Status.SUCCEEDED, (finished.error, log.read_text()[-3000:])
        assert finished.attempts == 2
        assert any("running it again" in p["message"] for p in finished.progress)
