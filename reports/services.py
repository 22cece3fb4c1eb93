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
        return School.objects.filter(schema_name=schema).first()


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
        return rendering.plan_pdf(report)
    if report.kind == Report.Kind.PLAN_CSV:
        return rendering.plan_csv(report)
    return rendering.comparison_pdf(report)


def report_render(*, report_id: int) -> Report:
    """Render one pending report, store its file and mark it ready (or failed, with the reason)."""
    report = Report.objects.select_related("plan", "year").filter(pk=report_id).first()
    if report is None:  # its plan or year was deleted before the job ran
        raise Report.DoesNotExist(f"Report {report_id} no longer exists in {connection.schema_name}.")
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


# --- the district's "download all as ZIP" -------------------------------------------------


@transaction.atomic
def district_bundle_queue(*, year: int, actor=None):
    """A pending ZIP of every school's adopted-plan PDF for the year, built by a Celery job."""
    from reports.district.models import DistrictBundle
    from tenants.selectors import school_list

    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("District bundles are made from the district office's site.")
    bundle = DistrictBundle.objects.create(
        year=year, created_by_id=_actor_id(actor), schools_total=school_list().count()
    )

    def send():
        from reports.tasks import district_bundle_build

        try:
            district_bundle_build.apply_async(args=[bundle.pk], headers={"_schema_name": get_public_schema_name()})
        except Exception:
            log.exception("Could not queue district bundle %s; it stays pending", bundle.pk)

    transaction.on_commit(send, robust=True)
    audit_record(action="district_bundle_queue", actor=actor, school=None, year=year, bundle=bundle.pk)
    return bundle


def school_plan_pdf(*, school, year: int) -> tuple[bytes | None, str]:
    """(PDF bytes, note) of the school's adopted plan for the year; renders it if there is no file yet.

    Must run inside the school's schema (a job, never a request).
    """
    from schools.plans.models import AllocationPlan

    assert connection.schema_name == school.schema_name
    plan = AllocationPlan.objects.filter(adopted=True, year__year=year).first()
    if plan is None:
        return None, "no adopted plan"
    report = (
        Report.objects.filter(plan=plan, kind=Report.Kind.PLAN_PDF, status=Report.Status.READY)
        .order_by("-created", "-id").first()
    )
    if report is None:
        report = report_render(report_id=Report.objects.create(
            plan=plan, year_id=plan.year_id, kind=Report.Kind.PLAN_PDF).pk)
        if report.status != Report.Status.READY:
            return None, "the PDF could not be made"
    if not report.file.name.startswith(f"{school.schema_name}/reports/"):
        return None, "the PDF is not stored under the school's own key"
    with report.file.open("rb") as fh:
        return fh.read(), f"plan #{plan.pk}"


def district_bundle_build(*, bundle_id: int):
    """Build and store the ZIP: one PDF per school with an adopted plan, and an index.csv."""
    import csv
    import io
    import zipfile

    from reports.district.models import DistrictBundle
    from tenants.selectors import school_list

    bundle = DistrictBundle.objects.get(pk=bundle_id)
    if bundle.status == DistrictBundle.Status.READY:
        return bundle
    try:
        schools = list(school_list())
        DistrictBundle.objects.filter(pk=bundle.pk).update(schools_total=len(schools), schools_done=0)
        buffer, contents = io.BytesIO(), []
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, school in enumerate(schools, start=1):
                with schema_context(school.schema_name):
                    data, note = school_plan_pdf(school=school, year=bundle.year)
                name = f"{school.code}-{bundle.year}-classes.pdf"
                if data is not None:
                    archive.writestr(name, data)
                contents.append({"code": school.code, "name": school.name,
                                 "file": name if data is not None else "", "note": note})
                DistrictBundle.objects.filter(pk=bundle.pk).update(schools_done=done)
            index = io.StringIO()
            writer = csv.writer(index, lineterminator="\r\n")
            writer.writerow(["school", "code", "file", "note"])
            for row in contents:
                writer.writerow([row["name"], row["code"], row["file"], row["note"]])
            archive.writestr("index.csv", index.getvalue())
        content = buffer.getvalue()
        bundle.refresh_from_db()
        bundle.contents = contents
        bundle.sha256 = hashlib.sha256(content).hexdigest()
        bundle.size = len(content)
        bundle.file.save(f"schools-{bundle.year}.zip", ContentFile(content), save=False)
    except Exception as exc:
        log.exception("District bundle %s failed", bundle_id)
        connection.set_schema_to_public()
        DistrictBundle.objects.filter(pk=bundle_id).update(
            status=DistrictBundle.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished=timezone.now()
        )
        return DistrictBundle.objects.get(pk=bundle_id)
    bundle.status = DistrictBundle.Status.READY
    bundle.finished = timezone.now()
    bundle.save()
    return bundle
