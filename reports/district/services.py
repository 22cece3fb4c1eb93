"""State changes of the district office's own features: the "download all as ZIP" bundles.

Runs in the public schema; the build job visits each school's schema in turn.
"""

import csv
import hashlib
import io
import logging
import time
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from reports.district.models import DistrictBundle
from reports.district.tasks import district_bundle_build_task  # noqa: F401 (sent by name: DistrictBundle.JOB_TASK)
from reports.services import plan_pdf_state
from schools.spreadsheets import cell_neutralise
from tenants import jobs, policy
from tenants.context import tenant_context
from tenants.selectors import school_list
from tenants.audit import audit_record

log = logging.getLogger(__name__)


@transaction.atomic
def district_bundle_queue(*, year: int, actor=None) -> DistrictBundle:
    """A pending ZIP of every school's adopted-plan PDF for the year, built by a Celery job."""
    policy.require_work("manage_district", actor)
    if connection.schema_name != get_public_schema_name():
        raise RuntimeError("District bundles are made from the district office's site.")
    live = DistrictBundle.objects.filter(year=year, status=DistrictBundle.Status.PENDING).first()
    if live is not None:
        return live  # one live build per year: a repeated request joins it
    bundle = DistrictBundle.objects.create(
        year=year, created_by_id=actor.pk if actor is not None else None, schools_total=school_list().count()
    )
    jobs.job_send_on_commit(bundle)
    audit_record(action="district_bundle_queue", actor=actor, school=None, year=year, bundle=bundle.pk)
    return bundle


def district_bundle_build(*, bundle_id: int) -> DistrictBundle:
    """Build and store the ZIP: one PDF per school with an adopted plan, and an index.csv.

    Never renders: it queues the missing PDFs on the reports queue and waits for them (polling
    every BUNDLE_POLL_S). A school whose PDF failed is named in index.csv. When no PDF finishes
    for BUNDLE_STALL_S the bundle is failed with a message saying so (the page stops refreshing).
    """
    bundle = jobs.job_claim(DistrictBundle, bundle_id)
    if bundle is None:
        return DistrictBundle.objects.get(pk=bundle_id)
    with jobs.job_heartbeat(bundle):
        try:
            return _bundle_build(bundle)
        except Exception as exc:
            log.exception("District bundle %s failed", bundle_id)
            connection.set_schema_to_public()
            _bundle_fail(bundle_id, f"The ZIP could not be made: {type(exc).__name__}: {exc}"[:2000])
            return DistrictBundle.objects.get(pk=bundle_id)


def _bundle_fail(bundle_id: int, reason: str) -> None:
    with transaction.atomic():
        bundle = DistrictBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.status == DistrictBundle.Status.PENDING:
            bundle.job_failed(reason)
            bundle.save()


def _bundle_build(bundle: DistrictBundle) -> DistrictBundle:
    schools = list(school_list())
    states: dict[str, tuple] = {}
    last_progress = time.monotonic()
    poll = float(getattr(settings, "BUNDLE_POLL_S", 2))
    while True:
        for school in schools:
            if school.code in states and states[school.code][0] != "waiting":
                continue
            with tenant_context(school):
                state = plan_pdf_state(school=school, year=bundle.year)
            if state[0] != "waiting":
                last_progress = time.monotonic()
            states[school.code] = state
        done = sum(1 for state in states.values() if state[0] != "waiting")
        DistrictBundle.objects.filter(pk=bundle.pk).update(schools_total=len(schools), schools_done=done)
        if done == len(schools):
            break
        if time.monotonic() - last_progress > settings.BUNDLE_STALL_S:
            waiting = [s.name for s in schools if states[s.code][0] == "waiting"]
            _bundle_fail(bundle.pk, (
                f"The ZIP could not be finished: the PDFs of {len(waiting)} school(s) ({', '.join(waiting[:5])}"
                f"{', …' if len(waiting) > 5 else ''}) were not made within {settings.BUNDLE_STALL_S // 60} minutes "
                "(the report workers may be stopped). Try again later."))
            return DistrictBundle.objects.get(pk=bundle.pk)
        time.sleep(poll)
    buffer, contents = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for school in schools:
            state, data, note = states[school.code]
            name = f"{school.code}-{bundle.year}-classes.pdf"
            if data is not None:
                archive.writestr(name, data)
            contents.append({"code": school.code, "name": school.name,
                             "file": name if data is not None else "", "note": note})
        index = io.StringIO()
        writer = csv.writer(index, lineterminator="\r\n")
        writer.writerow(["school", "code", "file", "note"])
        for row in contents:
            writer.writerow([cell_neutralise(c) for c in (row["name"], row["code"], row["file"], row["note"])])
        archive.writestr("index.csv", index.getvalue())
    content = buffer.getvalue()
    bundle.refresh_from_db()
    bundle.contents = contents
    bundle.sha256 = hashlib.sha256(content).hexdigest()
    bundle.size = len(content)
    bundle.file.save(f"schools-{bundle.year}.zip", ContentFile(content), save=False)
    bundle.status = DistrictBundle.Status.READY
    bundle.finished = timezone.now()
    bundle.save()
    return bundle
