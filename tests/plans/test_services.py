"""Plan services without a worker: queueing, solving, saving, adopting, editing, recovery."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from schools.plans import services
from schools.plans.models import AllocationPlan, PlanJob
from tenants.models import AuditEvent
from tests import factories
from tests.factories import hillview_year

pytestmark = pytest.mark.django_db


def test_generate_stores_the_exact_problem_and_a_second_click_returns_the_live_job(school_a):
    year = hillview_year(school_a)
    staff = factories.member_create(school_a, "staff")
    with schema_context(school_a.schema_name):
        job = services.plan_generate(year=year, actor=staff)
        again = services.plan_generate(year=year, actor=staff)
        assert again.pk == job.pk
        assert PlanJob.objects.count() == 1
        assert job.status == PlanJob.Status.QUEUED and job.requested_by_id == staff.pk
        assert job.problem["teachers"] == 6
        assert {g["code"]: g["students"] for g in job.problem["grades"]} == {"K": 41, "1": 57, "2": 40}
        assert [c["grades"] for c in job.problem["composites"]] == [["K", "1"], ["1", "2"]]
    assert AuditEvent.objects.filter(action="plan_generate", school_code=school_a.code).count() == 1


def test_the_database_refuses_a_second_live_job_for_a_year(school_a):
    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        PlanJob.objects.create(year=year, problem={})
        with pytest.raises(IntegrityError), transaction.atomic():
            PlanJob.objects.create(year=year, problem={}, status=PlanJob.Status.RUNNING)


def test_a_year_the_optimizer_would_reject_names_the_problem_and_creates_no_job(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, teachers=3, students={})
    with schema_context(school_a.schema_name):
        with pytest.raises(ValidationError) as error:
            services.plan_generate(year=year, actor=None)
        assert "grades" in " ".join(error.value.messages)
        assert not PlanJob.objects.exists()


def run_job(school, year):
    with schema_context(school.schema_name):
        job = services.plan_generate(year=year, actor=None)
        return services.plan_job_run(job_id=job.pk)


def test_running_a_job_saves_ranked_named_plans_and_supersedes_older_ones(school_a):
    year = hillview_year(school_a)
    job = run_job(school_a, year)
    with schema_context(school_a.schema_name):
        assert job.status == PlanJob.Status.SUCCEEDED and job.attempts == 1
        assert job.started and job.finished and job.result["status"] == "optimal"
        assert [p["message"][:6] for p in job.progress] == ["Queued", "Solvin", "Done: "]
        plans = list(AllocationPlan.objects.filter(job=job).order_by("rank"))
        assert [p.rank for p in plans] == [1, 2, 3]
        best = plans[0]
        assert (best.composites, best.classes, best.spread) == (1, 6, 2)
        names = [c.name for c in best.planned_classes.order_by("position")]
        assert names == ["K-A", "K-B", "1-A", "1-B", "1/2-A", "2-A"]
        assert sum(c.size for c in best.planned_classes.all()) == 138
        second = run_job(school_a, year)
        assert AllocationPlan.objects.filter(job=job, superseded=True).count() == 3
        assert AllocationPlan.objects.filter(job=second, superseded=False).count() == 3


def test_an_infeasible_year_keeps_the_diagnosis(school_a):
    year = hillview_year(school_a, teachers=4)
    job = run_job(school_a, year)
    assert job.status == PlanJob.Status.INFEASIBLE
    assert job.result["diagnosis"] and "6 teachers" in job.result["diagnosis"][0]
    with schema_context(school_a.schema_name):
        assert not AllocationPlan.objects.exists()


def test_a_redelivered_job_is_solved_again_then_failed_with_a_reason(school_a):
    """What the worker sees after its predecessor was killed mid-solve (acks_late redelivery)."""
    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        job = PlanJob.objects.create(year=year, problem=services.year_problem_for(year),
                                     status=PlanJob.Status.RUNNING, attempts=1, started=timezone.now())
        job = services.plan_job_run(job_id=job.pk)
        assert job.status == PlanJob.Status.SUCCEEDED and job.attempts == 2
        assert any("running it again" in p["message"] for p in job.progress)
        AllocationPlan.objects.all().delete()
        lost = PlanJob.objects.create(year=year, problem=job.problem, status=PlanJob.Status.RUNNING,
                                      attempts=settings.JOB_MAX_ATTEMPTS, started=timezone.now())
        lost = services.plan_job_run(job_id=lost.pk)
        assert lost.status == PlanJob.Status.FAILED
        assert "stopped 2 times" in lost.error and lost.finished
        assert not AllocationPlan.objects.exists()


def test_a_finished_job_delivered_again_is_left_alone(school_a):
    year = hillview_year(school_a)
    job = run_job(school_a, year)
    with schema_context(school_a.schema_name):
        again = services.plan_job_run(job_id=job.pk)
        assert again.attempts == 1 and AllocationPlan.objects.count() == 3


def test_a_job_whose_worker_went_silent_is_failed_by_the_dispatcher_after_its_attempts(school_a, settings):
    from tenants.jobs import jobs_dispatch

    year = hillview_year(school_a)
    now = timezone.now()
    with schema_context(school_a.schema_name):
        job = PlanJob.objects.create(year=year, problem={}, status=PlanJob.Status.RUNNING, started=now,
                                     heartbeat=now, attempts=settings.JOB_MAX_ATTEMPTS)
    assert jobs_dispatch(now=now)["failed"] == 0  # its heartbeat is fresh
    later = now + timedelta(seconds=settings.JOB_DEAD_AFTER_S + 1)
    assert jobs_dispatch(now=later)["failed"] == 1
    with schema_context(school_a.schema_name):
        job.refresh_from_db()
        assert job.status == PlanJob.Status.FAILED and "stopped 2 times" in job.error
        # the year is free again: a new job can start
        assert services.plan_generate(year=year, actor=None).status == PlanJob.Status.QUEUED


def test_a_job_reaped_while_solving_does_not_save_plans(school_a):
    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        job = PlanJob.objects.create(year=year, problem=services.year_problem_for(year),
                                     status=PlanJob.Status.FAILED, attempts=1)
        from optimization import solve

        services._job_result_save(job.pk, solve(job.problem))
        assert not AllocationPlan.objects.exists()


# --- adopting ------------------------------------------------------------------------------


def test_adopting_another_plan_unadopts_the_first_and_the_database_allows_one(school_a):
    year = hillview_year(school_a)
    job = run_job(school_a, year)
    staff = factories.member_create(school_a, "staff")
    with schema_context(school_a.schema_name):
        first, second, _ = AllocationPlan.objects.filter(job=job).order_by("rank")
        services.plan_adopt(plan=first, actor=staff)
        services.plan_adopt(plan=second, actor=staff)
        assert list(AllocationPlan.objects.filter(adopted=True)) == [second]
        assert AllocationPlan.objects.get(pk=second.pk).adopted_at is not None
        with pytest.raises(IntegrityError), transaction.atomic():
            AllocationPlan.objects.filter(pk=first.pk).update(adopted=True)
    assert AuditEvent.objects.filter(action="plan_adopt").count() == 2


def test_adopting_prepares_the_plans_reports_and_sends_their_jobs_only_after_commit(
    school_a, django_capture_on_commit_callbacks, monkeypatch
):
    from reports.models import Report
    from tenants import jobs

    sent = []
    monkeypatch.setattr(jobs, "job_send", lambda row: sent.append(row.pk))
    year = hillview_year(school_a)
    job = run_job(school_a, year)
    with schema_context(school_a.schema_name):
        plan = AllocationPlan.objects.get(job=job, rank=1)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.plan_adopt(plan=plan, actor=None)
        pending = set(Report.objects.filter(plan=plan, status="pending").values_list("pk", flat=True))
        assert len(pending) == 2 and sent == []  # the rows are in the adoption's transaction; no job yet
        for callback in callbacks:  # the commit
            callback()
    assert set(sent) == pending


# --- editing by hand -----------------------------------------------------------------------


def adopted_best(school, year):
    job = run_job(school, year)
    with schema_context(school.schema_name):
        plan = AllocationPlan.objects.get(job=job, rank=1)
        return services.plan_adopt(plan=plan, actor=None)


def classes_of(plan):
    return [{"name": c.name, "teacher_name": c.teacher_name, "counts": dict(c.counts)}
            for c in plan.planned_classes.order_by("position")]


def test_an_edit_that_breaks_a_rule_names_the_class_grade_and_limit_and_saves_nothing(school_a):
    year = hillview_year(school_a)
    plan = adopted_best(school_a, year)
    with schema_context(school_a.schema_name):
        classes = classes_of(plan)
        ka, kb = classes[0], classes[1]
        ka["counts"]["K"] += kb["counts"]["K"] - 10  # K-A too large, K-B too small
        kb["counts"]["K"] = 10
        with pytest.raises(ValidationError) as error:
            services.plan_edit(plan=plan, classes=classes, actor=None)
        messages = error.value.messages
        assert any(m.startswith("Class K-A (grade K) has 31 students; the most allowed is 22") for m in messages)
        assert any(m.startswith("Class K-B (grade K) has 10 students; the fewest allowed is 15") for m in messages)
        assert AllocationPlan.objects.count() == 3 and AllocationPlan.objects.get(pk=plan.pk).adopted


def test_an_edit_that_loses_students_or_mixes_grades_is_refused(school_a):
    year = hillview_year(school_a)
    plan = adopted_best(school_a, year)
    with schema_context(school_a.schema_name):
        classes = classes_of(plan)
        classes[0]["counts"]["K"] -= 1
        with pytest.raises(ValidationError) as error:
            services.plan_edit(plan=plan, classes=classes, actor=None)
        assert "Grade K has 41 students but 40 are placed in classes." in error.value.messages
        classes = classes_of(plan)
        classes[0]["counts"]["2"] = 5
        classes[-1]["counts"]["2"] -= 5
        with pytest.raises(ValidationError) as error:
            services.plan_edit(plan=plan, classes=classes, actor=None)
        assert any("K-A" in m and "not an allowed composite" in m for m in error.value.messages)


def test_a_valid_edit_becomes_the_adopted_revision_and_keeps_the_original(school_a):
    year = hillview_year(school_a)
    plan = adopted_best(school_a, year)
    with schema_context(school_a.schema_name):
        classes = classes_of(plan)
        classes[0]["counts"]["K"] -= 1
        classes[1]["counts"]["K"] += 1
        classes[0]["name"], classes[0]["teacher_name"] = "Kinder Owls", "Ms Avery"
        revision = services.plan_edit(plan=plan, classes=classes, actor=None)
        plan.refresh_from_db()
        assert revision.adopted and revision.edited and revision.derived_from_id == plan.pk
        assert revision.rank == plan.rank and revision.job_id == plan.job_id
        assert not plan.adopted and plan.superseded
        first = revision.planned_classes.order_by("position").first()
        assert (first.name, first.teacher_name, first.size) == ("Kinder Owls", "Ms Avery", 20)
        assert [c.counts for c in plan.planned_classes.order_by("position")][0] == {"K": 21}
        with pytest.raises(ValidationError):
            services.plan_edit(plan=plan, classes=classes, actor=None)  # no longer adopted


def test_duplicate_or_missing_class_names_are_refused(school_a):
    year = hillview_year(school_a)
    plan = adopted_best(school_a, year)
    with schema_context(school_a.schema_name):
        classes = classes_of(plan)
        classes[1]["name"] = classes[0]["name"]
        classes[2]["name"] = ""
        with pytest.raises(ValidationError) as error:
            services.plan_edit(plan=plan, classes=classes, actor=None)
        text = " ".join(error.value.messages)
        assert "Two classes are named 'K-A'" in text and "Class 3 needs a name" in text


# --- what-if -----------------------------------------------------------------------------


def test_the_what_if_sweep_runs_from_one_below_the_fewest_teachers_to_three_more(school_a):
    year = hillview_year(school_a, teachers=7)
    job = run_job(school_a, year)
    with schema_context(school_a.schema_name):
        job = services.plan_sweep_run(job_id=job.pk)
        rows = job.sweep["rows"]
        assert [r["teachers"] for r in rows] == [5, 6, 7, 8, 9, 10]
        assert rows[0]["status"] == "infeasible" and rows[0]["plans"] == []  # the row that shows why
        assert rows[1]["classes"] == 6 and rows[1]["composites"] == 1 and rows[1]["average_size"] == 23.0
        assert rows[2]["current"] and not rows[1]["current"]
        assert all(r["classes"] <= r["teachers"] for r in rows[1:]) and len(rows[1]["plans"]) == 3
        assert "<svg" in job.sweep["chart"] and job.sweep["min_teachers"] == 6
