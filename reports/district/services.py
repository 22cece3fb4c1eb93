"""State changes of the district office's own features: the "download all as ZIP" bundles.

Runs in the public schema; the build job visits each school's schema in turn.
"""

import csv
import hashlib
import io
import logging
import zipfile

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from reports.district.models import DistrictBundle
from reports.district.tasks import district_bundle_build_task
from reports.services import school_plan_pdf
from schools.spreadsheets import cell_neutralise
from tenants import policy
from tenants.context import enqueue_on_commit, tenant_context
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
    enqueue_on_commit(district_bundle_build_task, bundle.pk)
    audit_record(action="district_bundle_queue", actor=actor, school=None, year=year, bundle=bundle.pk)
    return bundle


def district_bundle_build(*, bundle_id: int) -> DistrictBundle:
    """Build and store the ZIP: one PDF per school with an adopted plan, and an index.csv."""
    bundle = DistrictBundle.objects.get(pk=bundle_id)
    if bundle.status == DistrictBundle.Status.READY:
        return bundle
    try:
        schools = list(school_list())
        DistrictBundle.objects.filter(pk=bundle.pk).update(schools_total=len(schools), schools_done=0)
        buffer, contents = io.BytesIO(), []
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, school in enumerate(schools, start=1):
                with tenant_context(school):
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
                writer.writerow([cell_neutralise(c) for c in (row["name"], row["code"], row["file"], row["note"])])
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
