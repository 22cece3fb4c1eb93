"""State changes for plans: queue a solve, run it, adopt a plan, edit the adopted plan by hand.

Each runs in the current school's schema and records an audit event. Work for Celery is
queued after commit with `tenants.context.enqueue_on_commit` (the schema travels in the
message headers). Adoption is announced with the `plan_adopted` signal; the reports app
listens (plans never import reports).
"""

from __future__ import annotations

import json
import logging
import re
import string
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from optimization import (DEFAULT_RANKING, ProblemError, check_plan, parse_problem, plan_checks, plan_figures,
                          solve, solve_teacher_counts)
from schools.models import SchoolYear, final_year_refuse
from schools.plans import charts
from schools.plans.models import AllocationPlan, PlanJob, PlannedClass
from schools.plans.selectors import plan_problem, plan_table
from schools.plans.signals import plan_adopted
from schools.plans.tasks import plan_sweep_task
from schools.selectors import year_problem, year_rule_pack
from tenants import jobs, policy
from tenants.context import current_school, enqueue_on_commit, tenant_context
from tenants.selectors import school_list
from tenants.audit import audit_record

logger = logging.getLogger(__name__)

# How often a job is tried before it is failed, how its liveness is judged: tenants/jobs.py
# (JOB_MAX_ATTEMPTS, JOB_HEARTBEAT_S, JOB_DEAD_AFTER_S; the dispatcher is a periodic task).


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _note(job: PlanJob, message: str) -> None:
    job.job_note(message)


# --- generating -----------------------------------------------------------------------------


def year_problem_for(year: SchoolYear) -> dict:
    return year_problem_sourced(year)[0]


def year_problem_sourced(year: SchoolYear) -> tuple[dict, list[dict]]:
    """(the problem to solve, where each of its rules comes from: label, origin, source, url)."""
    problem, rules = year_problem(year, with_sources=True)
    problem["time_limit_s"] = settings.SOLVER_TIME_LIMIT_S  # the hard task limit is set above it
    sources = [{k: r[k] for k in ("label", "origin", "source", "url")} for r in rules]
    pack = year_rule_pack(year)[0]
    if pack.composite_max_class_size is not None and problem["composites"]:
        source = pack.composite_source
        sources.append({"label": pack.composite_label, "origin": "pack", "source": source.title if source else pack.name,
                        "url": source.url if source else "", "composite_cap": pack.composite_max_class_size})
    return problem, sources


def plan_generate(*, year: SchoolYear, actor=None) -> PlanJob:
    """Queue a solve of the year's data (see `_plan_generate`), for staff and district staff.

    PermissionDenied for anyone else; TooManyRequests past the per-person rate limit.
    """
    policy.require_work("start_work", _actor_or_none(actor), current_school())
    return _plan_generate(year=year, actor=actor)


def _plan_generate(*, year: SchoolYear, actor=None) -> PlanJob:
    """Queue a solve of the year's data, or return the job already queued or running for it.

    Two requests at once cannot both create a job: the partial unique constraint
    `one_live_job_per_year` makes the second insert wait for the first and then fail, and the
    second request returns the first's job. A year the optimizer would reject raises
    ValidationError with one message per problem (no job is created).
    """
    live = _live_job(year)
    if live is not None:
        return live
    final_year_refuse(year.pk)
    problem, sources = year_problem_sourced(year)
    try:
        parse_problem(problem)
    except ProblemError as error:
        raise ValidationError(error.errors) from error
    job = PlanJob(year=year, requested_by=_actor_or_none(actor), problem=problem, rules=sources)
    _note(job, "Queued: waiting for a solver worker.")
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        live = _live_job(year)
        if live is None:  # the other job finished in between: this click is a new request
            return _plan_generate(year=year, actor=actor)
        return live
    audit_record(action="plan_generate", actor=_actor_or_none(actor), school=current_school(),
                 year=year.year, job=job.pk)
    _job_queue(job)
    return job


def _live_job(year: SchoolYear) -> PlanJob | None:
    """The year's live job, only when it is alive: one whose message or worker was lost is sent
    again (or failed, when it has used its attempts: then None, and a new job may start)."""
    live = PlanJob.objects.filter(year=year, status__in=PlanJob.LIVE).first()
    if live is None or jobs.job_alive(live):
        return live
    if live.started is None and live.dispatched is None and live.created > timezone.now() - timedelta(seconds=5):
        return live  # just created by another request, whose commit sends it
    return jobs.job_revive(live)


def _job_queue(job: PlanJob) -> None:
    """Send the job to the solver queue once the transaction commits (the row is the outbox:
    a send that never happens is made by the dispatcher, tenants/jobs.py)."""
    jobs.job_send_on_commit(job)


def _job_finish(job_id: int, status: str, *, error: str = "", result=None, message: str = "",
                before: str = "") -> None:
    with transaction.atomic():
        job = PlanJob.objects.select_for_update().get(pk=job_id)
        if job.status not in PlanJob.LIVE:
            return
        job.status, job.error, job.finished = status, error, timezone.now()
        if result is not None:
            job.result = result
        if before:
            _note(job, before)
        _note(job, message or error or job.get_status_display())
        job.save()


# --- running (the Celery task's body) ------------------------------------------------------


def plan_job_run(*, job_id: int) -> PlanJob | None:
    """Solve a queued job and save its plans. Safe to run twice: a finished job, or one running
    elsewhere with a fresh heartbeat, is left alone (`tenants.jobs.job_claim`).

    A job whose worker died mid-solve is solved again up to JOB_MAX_ATTEMPTS, then failed with
    the reason. The result is saved with retries: a transient database error never discards it.
    """
    job = jobs.job_claim(PlanJob, job_id)
    if job is None:
        return PlanJob.objects.filter(pk=job_id).first()
    with jobs.job_heartbeat(job):
        try:
            result = solve(job.problem)
        except Exception as error:  # includes Celery's soft time limit
            logger.exception("Plan job %s failed", job_id)
            jobs.with_db_retry(lambda: _job_finish(
                job_id, PlanJob.Status.FAILED,
                error=f"The solver stopped with an error: {error.__class__.__name__}: {error}"[:2000]))
            return PlanJob.objects.get(pk=job_id)
        problems = []
        saved, _ = jobs.with_db_retry(lambda: _job_result_save(job_id, result, retried=len(problems)),
                                      what="saving the plans", on_retry=problems.append)
    return saved


def _retried_note(retried: int) -> str:
    return (f"The database could not be reached while saving the result ({retried} time(s)); "
            "it was saved when the database came back.") if retried else ""


def _job_result_save(job_id: int, result: dict, *, retried: int = 0) -> PlanJob:
    """Save a finished solve (plans, or why there are none). `retried`: failed tries before this one."""
    status = result.get("status")
    if status in ("optimal", "feasible") and result.get("plans"):
        with transaction.atomic():
            job = PlanJob.objects.select_for_update().select_related("year").get(pk=job_id)
            if job.status not in PlanJob.LIVE:
                return job  # failed meanwhile; a newer job may exist
            # (a job queued again meanwhile, its worker taken for lost, is still this result's)
            AllocationPlan.objects.filter(year=job.year, superseded=False).update(superseded=True)
            for plan in result["plans"]:
                _plan_create(job=job, plan=plan, problem=job.problem)
            job.status, job.result, job.finished = PlanJob.Status.SUCCEEDED, result, timezone.now()
            quality = "best possible" if status == "optimal" else "best found in the time allowed"
            if retried:
                _note(job, _retried_note(retried))
            _note(job, f"Done: {len(result['plans'])} plan(s), {quality}.")
            job.save()
        return job
    before = _retried_note(retried)
    if status == "infeasible":
        _job_finish(job_id, PlanJob.Status.INFEASIBLE, result=result, before=before,
                    message="No plan obeys every rule: see the diagnosis.")
    elif status == "invalid":
        _job_finish(job_id, PlanJob.Status.FAILED, result=result, before=before,
                    error="The year's data is not valid: " + " ".join(result.get("errors", [])))
    else:
        _job_finish(job_id, PlanJob.Status.FAILED, result=result, before=before,
                    error=f"No plan was found within the time limit ({result.get('status')}).")
    return PlanJob.objects.get(pk=job_id)


def class_names(classes: list[dict], grade_order: list[str]) -> list[tuple[str, dict, bool]]:
    """Sort classes by grade and name them `K-A`, `K-B`, `K/1-A`, `3-A` … (counts keep grade
    order). Returns (name, counts, fixed) per class: fixed is the class's `fixed` mark (a lock)."""
    order = {code: i for i, code in enumerate(grade_order)}

    def key(cls):
        counts = cls["grades"]
        codes = sorted(counts, key=lambda c: order.get(c, 99))
        return [order.get(c, 99) for c in codes], -sum(counts.values()), not cls.get("fixed")

    named, seen = [], {}
    for cls in sorted(classes, key=key):
        counts = cls["grades"]
        label = "/".join(sorted(counts, key=lambda c: order.get(c, 99)))
        index = seen.get(label, 0)
        seen[label] = index + 1
        suffix = string.ascii_uppercase[index] if index < 26 else str(index + 1)
        named.append((f"{label}-{suffix}", {c: counts[c] for c in sorted(counts, key=lambda c: order.get(c, 99))},
                      bool(cls.get("fixed"))))
    return named


def _plan_create(*, job: PlanJob, plan: dict, problem: dict) -> AllocationPlan:
    """Save one of a result's plans with its figures, checks, ranking and chart (drawn once
    here: plans never change, so no page ever draws it again)."""
    figures = plan_figures(plan)
    saved = AllocationPlan(
        year=job.year, job=job, rank=plan["rank"],
        composites=figures["composites"], classes=figures["classes"], spread=figures["spread"],
        largest=figures["largest"], checks=plan.get("checks") or plan_checks(problem, plan),
        ranking=list(problem.get("ranking") or DEFAULT_RANKING),
    )
    codes = [g["code"] for g in problem["grades"]]
    classes = [
        PlannedClass(plan=saved, position=i, name=name, counts=counts, size=sum(counts.values()), locked=fixed)
        for i, (name, counts, fixed) in enumerate(class_names(plan["classes"], codes))
    ]
    saved.chart = plan_chart(saved, classes, problem)
    saved.save()
    PlannedClass.objects.bulk_create(classes)
    return saved


def plan_chart(plan: AllocationPlan, classes: list[PlannedClass], problem: dict) -> str:
    """The plan's class-size chart (SVG), from its classes and the limits of its problem."""
    return charts.class_size_chart(plan_table(plan, classes=classes, problem=problem))


# --- adopting and editing -------------------------------------------------------------------


class AdoptionConflict(ValidationError):
    """Another plan was adopted while the person looked at the page: nothing was changed."""


UNSEEN = object()  # `plan_adopt` without `expected`: the caller does not know what was adopted


@transaction.atomic
def plan_adopt(*, plan: AllocationPlan, actor=None, expected=UNSEEN) -> AllocationPlan:
    """Make this the year's plan; the one adopted before (if any) is un-adopted in the same transaction.

    Adoptions of one year queue up on the year's row. `expected` is the id of the plan the
    person saw adopted when they pressed Adopt (None: none): when another plan has been
    adopted since, nothing changes and AdoptionConflict names the plan that is adopted. A
    plan already adopted (a second click) is left as it is: no second event, no second
    render. Sends `plan_adopted` once (the reports app prepares the plan's PDF and CSV).
    """
    policy.require_actor("edit_school", _actor_or_none(actor), current_school())
    SchoolYear.objects.select_for_update().get(pk=plan.year_id)  # adoptions of one year queue up here
    final_year_refuse(plan.year_id)
    plan = AllocationPlan.objects.select_related("year").get(pk=plan.pk)
    current = AllocationPlan.objects.filter(year_id=plan.year_id, adopted=True).first()
    if current is not None and current.pk == plan.pk:
        return plan
    if expected is not UNSEEN and (current.pk if current else None) != expected:
        if current is None:
            raise AdoptionConflict(
                f"The plan adopted for {plan.year.year} was changed while you were looking (an edit was "
                f"undone or another plan adopted). Nothing was changed: look again, then adopt plan "
                f"#{plan.rank} if you still want it.")
        raise AdoptionConflict(
            f"Plan #{current.rank}{' (edited by hand)' if current.edited else ''} was adopted for "
            f"{plan.year.year} at {timezone.localtime(current.adopted_at):%H:%M} while you were looking, so "
            f"plan #{plan.rank} was not adopted. To adopt plan #{plan.rank} instead, press its Adopt "
            f"button again.")
    AllocationPlan.objects.filter(year_id=plan.year_id, adopted=True).exclude(pk=plan.pk).update(
        adopted=False, adopted_at=None
    )
    plan.adopted, plan.adopted_at = True, timezone.now()
    plan.save(update_fields=["adopted", "adopted_at"])
    audit_record(action="plan_adopt", actor=_actor_or_none(actor), school=current_school(),
                 year=plan.year.year, plan=plan.pk, rank=plan.rank)
    plan_adopted.send(sender=AllocationPlan, plan=plan, actor=_actor_or_none(actor))
    return plan


_CLASS_NUMBER = re.compile(r"^Class (\d+)")
_PLACEMENT = re.compile(r"^Grade .+ has \d+ students but \d+ are placed in classes\.$")


def _named(sentences: list[str], names: list[str]) -> list[str]:
    def rename(match):
        number = int(match.group(1))
        return f"Class {names[number - 1]}" if 0 < number <= len(names) else match.group(0)

    return [_CLASS_NUMBER.sub(rename, sentence) for sentence in sentences]


def edit_problem(plan: AllocationPlan) -> dict:
    """The problem a hand edit is checked against: the plan's own, without its locks (a lock
    binds the solver, not a person editing the adopted plan)."""
    problem = plan_problem(plan)
    return {**problem, "fixed": []} if "fixed" in problem else problem


def plan_edit_check(*, plan: AllocationPlan, classes: list[dict]) -> dict:
    """What saving these classes would give, without saving anything.

    {"kept": classes kept (empty ones dropped), "errors": mistakes no reason can excuse
    (names, counts, students left out or counted twice), "broken": the rules the classes
    break, in sentences naming the class, "checks": each problem rule's {holds, value}}.
    """
    problem = edit_problem(plan)
    codes = [g["code"] for g in problem["grades"]]
    errors, kept, names = [], [], []
    for i, cls in enumerate(classes, start=1):
        name = (cls.get("name") or "").strip()
        counts = {}
        for code, n in (cls.get("counts") or {}).items():
            if n in (None, ""):
                continue
            if not isinstance(n, int) or n < 0:
                errors.append(f"Class {name or i}: grade {code} needs a whole number of students, 0 or more.")
            elif n > 0:
                counts[code] = n
        if not counts:
            continue  # every student moved out: the class is dropped
        if not name:
            errors.append(f"Class {i} needs a name.")
        elif name in names:
            errors.append(f"Two classes are named {name!r}; give each class its own name.")
        names.append(name or str(i))
        kept.append({"name": name, "teacher_name": (cls.get("teacher_name") or "").strip()[:80],
                     "counts": {c: counts[c] for c in codes if c in counts}
                     | {c: n for c, n in counts.items() if c not in codes}})
    broken, checks = [], []
    if not errors:
        as_plan = {"classes": [{"grades": c["counts"]} for c in kept]}
        parsed = parse_problem(problem)  # once, for both checks
        for sentence in _named(check_plan(parsed, as_plan), names):
            (errors if _PLACEMENT.match(sentence) else broken).append(sentence)
        checks = plan_checks(parsed, as_plan)
    return {"kept": kept, "errors": errors, "broken": broken, "checks": checks}


@transaction.atomic
def plan_edit(*, plan: AllocationPlan, classes: list[dict], actor=None, reason: str = "") -> AllocationPlan:
    """Save a hand-edited revision of the adopted plan; it becomes the adopted plan.

    classes: [{"name", "teacher_name", "counts": {grade code: students}}] in display order;
    classes left with no students are dropped. Every rule is re-checked against the problem the
    plan was solved for. Mistakes (a name missing or repeated, students left out) are refused
    with one ValidationError message each; an edit that breaks a rule (a class above its
    limit, a rule of the pack) is saved only with a stated `reason`, kept on the plan with the
    rules it breaks. Saved plans never change: the revision is a new plan (rank kept,
    `edited`, `derived_from` the original) and the original is un-adopted and marked superseded.
    """
    policy.require_actor("edit_school", _actor_or_none(actor), current_school())
    SchoolYear.objects.select_for_update().get(pk=plan.year_id)
    final_year_refuse(plan.year_id)
    plan = AllocationPlan.objects.select_related("job", "year").get(pk=plan.pk)
    if not plan.adopted:
        raise ValidationError("Only the adopted plan can be edited. Adopt this plan first.")
    checked = plan_edit_check(plan=plan, classes=classes)
    reason = (reason or "").strip()
    if checked["errors"]:
        raise ValidationError(checked["errors"] + checked["broken"])
    if checked["broken"] and not reason:
        raise ValidationError(checked["broken"] + [
            "This edit breaks the rules above. To keep it all the same, write the reason in "
            "“Why keep this edit”: it is shown on the plan and in its PDF."])
    kept = checked["kept"]
    as_plan = {"classes": [{"grades": c["counts"]} for c in kept]}
    figures = plan_figures(as_plan)
    AllocationPlan.objects.filter(pk=plan.pk).update(adopted=False, adopted_at=None, superseded=True)
    revision = AllocationPlan(
        year=plan.year, job=plan.job, rank=plan.rank, composites=figures["composites"],
        classes=figures["classes"], spread=figures["spread"], largest=figures["largest"],
        checks=checked["checks"], ranking=plan.ranking, adopted=True, adopted_at=timezone.now(),
        edited=True, derived_from=plan, broken_rules=checked["broken"],
        edit_reason=reason if checked["broken"] else "",
    )
    locked = {json.dumps(c.counts, sort_keys=True) for c in plan.planned_classes.all() if c.locked}
    rows = [PlannedClass(plan=revision, position=i, name=c["name"], teacher_name=c["teacher_name"],
                         counts=c["counts"], size=sum(c["counts"].values()),
                         locked=json.dumps(c["counts"], sort_keys=True) in locked)
            for i, c in enumerate(kept)]
    revision.chart = plan_chart(revision, rows, plan_problem(plan))
    revision.save()
    PlannedClass.objects.bulk_create(rows)
    actor = _actor_or_none(actor)
    audit_record(action="plan_edit", actor=actor, school=current_school(), year=plan.year.year,
                 plan=revision.pk, derived_from=plan.pk, broken=checked["broken"], reason=revision.edit_reason)
    plan_adopted.send(sender=AllocationPlan, plan=revision, actor=actor)
    return revision


@transaction.atomic
def plan_edit_undo(*, plan: AllocationPlan, actor=None) -> AllocationPlan:
    """Undo the last hand edit: the plan it was made from is adopted again, the edit is kept
    (superseded) in the record. Returns the plan adopted again."""
    policy.require_actor("edit_school", _actor_or_none(actor), current_school())
    SchoolYear.objects.select_for_update().get(pk=plan.year_id)
    final_year_refuse(plan.year_id)
    plan = AllocationPlan.objects.select_related("year", "derived_from").get(pk=plan.pk)
    if not (plan.adopted and plan.edited and plan.derived_from_id):
        raise ValidationError("Only the adopted plan's last hand edit can be undone.")
    original = plan.derived_from
    AllocationPlan.objects.filter(pk=plan.pk).update(adopted=False, adopted_at=None, superseded=True)
    original.adopted, original.adopted_at = True, timezone.now()
    original.save(update_fields=["adopted", "adopted_at"])
    actor = _actor_or_none(actor)
    audit_record(action="plan_edit_undo", actor=actor, school=current_school(), year=plan.year.year,
                 plan=original.pk, undone=plan.pk)
    plan_adopted.send(sender=AllocationPlan, plan=original, actor=actor)
    return original


# --- what-if sweep --------------------------------------------------------------------------


def plan_sweep_request(*, job: PlanJob, actor=None) -> PlanJob:
    """Queue the what-if sweep over teacher counts for a finished job (once)."""
    policy.require_work("start_work", _actor_or_none(actor), current_school())
    with transaction.atomic():
        job = PlanJob.objects.select_for_update().select_related("year").get(pk=job.pk)
        final_year_refuse(job.year_id)
        if job.sweep and job.sweep.get("status") in ("queued", "done"):
            return job
        job.sweep = {"status": "queued", "rows": []}
        job.save(update_fields=["sweep"])
    job_id = job.pk

    def unreachable(error):
        PlanJob.objects.filter(pk=job_id).update(
            sweep={"status": "failed", "rows": [], "error": f"The job queue is unreachable: {error}"})

    enqueue_on_commit(plan_sweep_task, job_id, on_error=unreachable)
    audit_record(action="plan_sweep_request", actor=_actor_or_none(actor), school=current_school(),
                 year=job.year.year, job=job.pk)
    return job


SWEEP_ABOVE = 3  # the what-if goes up to the year's teachers + 3


def sweep_teacher_counts(problem: dict, min_teachers: int | None) -> list[int]:
    """From one below the fewest teachers that can work (the row that shows why) to the
    year's teachers + 3; from two below the year's teachers when the fewest is not known."""
    top = problem["teachers"] + SWEEP_ABOVE
    low = min_teachers - 1 if min_teachers is not None else problem["teachers"] - 2
    return list(range(max(1, min(low, top)), top + 1))


def _sweep_plan(plan: dict, problem: dict) -> dict:
    named = class_names(plan["classes"], [g["code"] for g in problem["grades"]])
    return {"rank": plan["rank"], "composites": plan["composites"], "spread": plan["spread"],
            "largest": plan.get("largest"), "checks": plan.get("checks", []),
            "classes": [{"name": name, "grades": counts, "fixed": fixed} for name, counts, fixed in named]}


def plan_sweep_run(*, job_id: int) -> PlanJob:
    """Solve the job's problem for each teacher count (see `sweep_teacher_counts`), keep each
    count's plans (the what-if opens them) and draw the what-if chart once."""
    job = PlanJob.objects.get(pk=job_id)
    base = {**job.problem, "time_limit_s": min(job.problem.get("time_limit_s", 10), 10)}
    min_teachers = (job.result or {}).get("min_teachers")
    if job.result is None or "min_teachers" not in job.result:
        min_teachers = solve({**base, "alternatives": 1}).get("min_teachers")
    if min_teachers is None and (job.result or {}).get("status") == "infeasible":
        PlanJob.objects.filter(pk=job_id).update(sweep={
            "status": "done", "rows": [],
            "note": "No number of teachers can place every student with the composites and rules in force now.",
        })
        return PlanJob.objects.get(pk=job_id)
    rows = []
    counts = sweep_teacher_counts(job.problem, min_teachers)
    for teachers, result in solve_teacher_counts(base, counts).items():
        row = {"teachers": teachers, "status": result.get("status"), "classes": None, "composites": None,
               "average_size": None, "largest": None, "current": teachers == job.problem["teachers"],
               "plans": []}
        if result.get("plans"):
            best = result["plans"][0]
            students = sum(sum(c["grades"].values()) for c in best["classes"])
            row.update(classes=len(best["classes"]), composites=best["composites"], largest=best.get("largest"),
                       average_size=round(students / len(best["classes"]), 1),
                       plans=[_sweep_plan(p, job.problem) for p in result["plans"]])
        rows.append(row)
    chart = charts.what_if_chart(rows, current=job.problem["teachers"])
    PlanJob.objects.filter(pk=job_id).update(sweep={"status": "done", "rows": rows, "chart": chart,
                                                    "min_teachers": min_teachers})
    return PlanJob.objects.get(pk=job_id)


# --- district -------------------------------------------------------------------------------


def district_generate_all(*, year: int, actor=None) -> dict:
    """Queue one job per school that has this year (or show the live one). Returns counts."""
    policy.require_actor("manage_district", _actor_or_none(actor))
    policy.work_rate_check(_actor_or_none(actor))
    queued, skipped, errors = 0, [], []
    for school in school_list():
        with tenant_context(school):
            school_year = SchoolYear.objects.filter(year=year).first()
            if school_year is None:
                skipped.append(school.name)
                continue
            try:
                with transaction.atomic():
                    _plan_generate(year=school_year, actor=actor)
                queued += 1
            except ValidationError as error:
                errors.append(f"{school.name}: " + " ".join(error.messages))
    audit_record(action="district_generate_all", actor=_actor_or_none(actor), school=None, year=year,
                 queued=queued)
    return {"queued": queued, "skipped": skipped, "errors": errors}
