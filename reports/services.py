"""State changes of reports: queue a render, render and store, and the district's ZIP bundles."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from reports.models import Report
from tenants.models import School
from tenants.services import audit_record

log = logging.getLogger(__name__)


def current_school() -> School | None:
    """The School whose schema is active (None in the public schema)."""
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return None
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, School):
        return tenant
    with schema_context(get_public_schema_name()):
        school = School.objects.filter(schema_name=schema).first()
    connection.set_schema(schema)
    return school


def _actor_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _send_on_commit(report_ids: list[int]) -> None:
    """Queue the render jobs once the rows are committed, in this school's schema."""
    schema = connection.schema_name

    def send():
        from reports.tasks import report_render

        for report_id in report_ids:
            try:
                report_render.apply_async(args=[report_id], headers={"_schema_name": schema})
            except Exception:  # a broker outage must not undo the adoption that asked for it
                log.exception("Could not queue report %s in %s; it stays pending", report_id, schema)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def plan_reports_queue(*, plan, actor=None) -> None:
    """Pending PDF and CSV reports for a saved plan, rendered by a Celery job after commit."""
    reports = [
        Report.objects.create(plan=plan, year_id=plan.year_id, kind=kind, created_by_id=_actor_id(actor))
        for kind in Report.PLAN_KINDS
    ]
    _send_on_commit([r.pk for r in reports])
    audit_record(
        action="plan_reports_queue", actor=actor, school=current_school(),
        plan=plan.pk, reports=[r.pk for r in reports],
    )


@transaction.atomic
def comparison_report_queue(*, actor=None) -> Report:
    """A pending year-comparison PDF of the current school, rendered by a Celery job."""
    report = Report.objects.create(kind=Report.Kind.COMPARISON_PDF, created_by_id=_actor_id(actor))
    _send_on_commit([report.pk])
    audit_record(action="comparison_report_queue", actor=actor, school=current_school(), report=report.pk)
    return report


@transaction.atomic
def report_retry(*, report: Report, actor=None) -> Report:
    """A fresh pending copy of a failed or stuck report, queued again."""
    again = Report.objects.create(
        plan=report.plan, year=report.year, kind=report.kind, created_by_id=_actor_id(actor)
    )
    _send_on_commit([again.pk])
    audit_record(action="report_retry", actor=actor, school=current_school(), report=again.pk, was=report.pk)
    return again


def render_content(report: Report) -> bytes:
    from reports import rendering

    if report.kind == Report.Kind.PLAN_PDF:
        return rendering.plan_pdf(report.plan)
    if report.kind == Report.Kind.PLAN_CSV:
        return rendering.plan_csv(report.plan)
    return rendering.comparison_pdf()


def report_render(*, report_id: int) -> Report:
    """Render one pending report, store its file and mark it ready (or failed, with the reason)."""
    report = Report.objects.select_related("plan", "year").get(pk=report_id)
    if report.status == Report.Status.READY:
        return report  # a redelivered job: nothing to do
    try:
        content = render_content(report)
        report.sha256 = hashlib.sha256(content).hexdigest()
        report.size = len(content)
        report.file.save(f"report.{report.extension}", ContentFile(content), save=False)
    except Exception as exc:
        log.exception("Report %s failed in %s", report_id, connection.schema_name)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished=timezone.now()
        )
        report.refresh_from_db()
        return report
    report.status = Report.Status.READY
    report.error = ""
    report.finished = timezone.now()
    report.save(update_fields=["sha256", "size", "file", "status", "error", "finished"])
    return report
