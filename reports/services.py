"""State changes of a school's reports: queue a render (joining a live one), render and store.

Every queueing service checks the policy (`tenants.policy`) and the per-person rate limit,
records one audit event, and sends the render task after commit. One report file is made by
at most one live job: while a report of the same kind and subject is pending, a new request
joins it (the database enforces it: `report_one_live_render`).
"""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reports import rendering
from reports.models import Report
from reports.tasks import report_render_task  # noqa: F401 (services -> tasks; sent by name: Report.JOB_TASK)
from schools.plans.models import AllocationPlan
from tenants import jobs, policy
from tenants.context import current_school
from tenants.audit import audit_record

log = logging.getLogger(__name__)


def year_adopted_reports_keep(*, year) -> int:
    """Detach the year's adopted plan's ready reports before the year is deleted, so that they
    (and their files) stay, listed as kept reports. Part of `schools.services.year_delete`,
    whose one audit event says so. Returns how many were kept."""
    return Report.objects.filter(plan__year=year, plan__adopted=True, status=Report.Status.READY).update(
        plan=None, year=None, kept_as=f"{year.year} adopted plan")


def _actor_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _report_live_or_create(*, kind: str, plan=None, year_id=None, actor=None) -> tuple[Report, bool]:
    """(report, created): the live render of this report, or a new pending one (queue it after commit).

    A pending report whose job is not alive (its message or worker was lost) is sent again, or
    failed when it has used its attempts, and then a new one is made (tenants/jobs.py).
    """
    live = Report.objects.filter(kind=kind, plan=plan, status=Report.Status.PENDING).first()
    if live is not None and not jobs.job_alive(live) and (live.dispatched or live.started):
        live = jobs.job_revive(live)
    if live is not None:
        return live, False
    try:
        with transaction.atomic():
            report = Report.objects.create(
                plan=plan, year_id=year_id if plan is None else plan.year_id, kind=kind,
                created_by_id=_actor_id(actor),
            )
    except IntegrityError:  # another request created it a moment ago: join that one
        return Report.objects.get(kind=kind, plan=plan, status=Report.Status.PENDING), False
    return report, True


def _reports_make(*, kinds, plan=None, year_id=None, actor=None) -> list[Report]:
    """The live or new reports of these kinds; the new ones' render jobs are sent after commit."""
    made = [_report_live_or_create(kind=kind, plan=plan, year_id=year_id, actor=actor) for kind in kinds]
    jobs.job_send_on_commit(*[report for report, created in made if created])
    return [report for report, _ in made]


def _plan_reports_make(*, plan, actor) -> list[Report]:
    return _reports_make(kinds=Report.PLAN_KINDS, plan=plan, actor=actor)


@transaction.atomic
def plan_reports_queue(*, plan, actor=None) -> list[Report]:
    """The plan's PDF and CSV, pending and rendered by a Celery job after commit (or the live ones).

    Editors may ask for any plan's files; principals only for the adopted plan's.
    """
    policy.require_work("queue_report", actor, plan)
    reports = _plan_reports_make(plan=plan, actor=actor)
    audit_record(action="plan_reports_queue", actor=actor, school=current_school(),
                 plan=plan.pk, reports=[r.pk for r in reports])
    return reports


def adopted_plan_reports_make(*, plan, actor=None) -> list[Report]:
    """An adopted plan's PDF and CSV (called on `plan_adopted`: the adoption was allowed and audited)."""
    return _plan_reports_make(plan=plan, actor=actor)


@transaction.atomic
def comparison_report_queue(*, actor=None) -> Report:
    """The current school's year-comparison PDF, pending (or the live one), rendered by a job."""
    policy.require_work("queue_school_report", actor, current_school())
    (report,) = _reports_make(kinds=[Report.Kind.COMPARISON_PDF], actor=actor)
    audit_record(action="comparison_report_queue", actor=actor, school=current_school(), report=report.pk)
    return report


@transaction.atomic
def report_retry(*, report: Report, actor=None) -> Report:
    """A fresh pending copy of a failed or stuck report, queued again (or the live one)."""
    if report.plan_id is not None:
        policy.require_work("queue_report", actor, report.plan)
    else:
        policy.require_work("queue_school_report", actor, current_school())
    (again,) = _reports_make(kinds=[report.kind], plan=report.plan, year_id=report.year_id, actor=actor)
    audit_record(action="report_retry", actor=actor, school=current_school(), report=again.pk, was=report.pk)
    return again


def render_content(report: Report) -> bytes:
    if report.kind == Report.Kind.PLAN_PDF:
        return rendering.plan_pdf(report)
    if report.kind == Report.Kind.PLAN_CSV:
        return rendering.plan_csv(report)
    return rendering.comparison_pdf(report)


def report_render(*, report_id: int) -> Report:
    """Render one pending report, store its file and mark it ready (or failed, with the reason).

    A render that did not complete (an exception, Celery's soft time limit, or a part WeasyPrint
    could not draw) is failed, never ready. Claimed as a job: a duplicate delivery does nothing.
    """
    if not Report.objects.filter(pk=report_id).exists():  # its plan or year was deleted before the job ran
        raise Report.DoesNotExist(f"Report {report_id} no longer exists in {connection.schema_name}.")
    claimed = jobs.job_claim(Report, report_id)
    if claimed is None:
        return Report.objects.get(pk=report_id)  # ready, failed, or being rendered elsewhere
    report = Report.objects.select_related("plan", "year").get(pk=report_id)
    with jobs.job_heartbeat(report):
        try:
            content = render_content(report)
            report.sha256 = hashlib.sha256(content).hexdigest()
            report.size = len(content)
            report.file.save(f"report.{report.extension}", ContentFile(content), save=False)
        except BaseException as exc:  # includes SoftTimeLimitExceeded
            log.exception("Report %s failed in %s", report_id, connection.schema_name)
            reason = (f"The file could not be made completely ({exc})" if isinstance(exc, rendering.RenderIncomplete)
                      else f"{type(exc).__name__}: {exc}")
            jobs.with_db_retry(lambda: _report_fail(report_id, reason[:2000]))
            if not isinstance(exc, Exception):
                raise
            return Report.objects.get(pk=report_id)
        report.status = Report.Status.READY
        report.error = ""
        report.finished = timezone.now()
        jobs.with_db_retry(lambda: report.save(update_fields=["sha256", "size", "file", "status", "error",
                                                                "finished"]))
    return report


def _report_fail(report_id: int, reason: str) -> None:
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.PENDING:
            report.job_failed(reason)
            report.save()


def plan_pdf_state(*, school, year: int) -> tuple[str, bytes | None, str]:
    """Where the school's adopted-plan PDF for the year stands, for the district ZIP: never renders.

    (state, bytes, note): "ready" with the PDF; "waiting" while a render job makes it (one is
    queued when none is live); "failed" or "none" with the reason. Runs in the school's schema.
    """
    assert connection.schema_name == school.schema_name
    plan = AllocationPlan.objects.filter(adopted=True, year__year=year).first()
    if plan is None:
        return "none", None, "no adopted plan"
    reports = list(Report.objects.filter(plan=plan, kind=Report.Kind.PLAN_PDF).order_by("-created", "-id")[:5])
    ready = next((r for r in reports if r.status == Report.Status.READY), None)
    if ready is not None:
        if not ready.file.name.startswith(f"{school.schema_name}/reports/"):
            return "failed", None, "the PDF is not stored under the school's own key"
        with ready.file.open("rb") as fh:
            return "ready", fh.read(), f"plan #{plan.pk}"
    newest = reports[0] if reports else None
    if newest is not None and newest.status == Report.Status.FAILED:
        return "failed", None, f"the PDF could not be made: {newest.error[:200]}"
    with transaction.atomic():
        pending, _ = _report_live_or_create(kind=Report.Kind.PLAN_PDF, plan=plan)
        if pending.dispatched is None and pending.started is None:
            jobs.job_send_on_commit(pending)
    return "waiting", None, "the PDF is being made"
