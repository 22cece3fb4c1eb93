"""District-wide ZIP bundles of every school's adopted-plan PDF, and district enrolment imports
(public schema)."""

from django.conf import settings
from django.db import models

from reports.models import RenderedFile
from reports.storage import reports_storage
from schools.models import ImportJob


def bundle_key(instance: "DistrictBundle", filename: str) -> str:
    """`public/district/<year>/...`: never under any school's prefix."""
    return f"public/district/{instance.year}/schools-{instance.year}-{instance.pk}-{instance.sha256[:8]}.zip"


class DistrictBundle(RenderedFile):
    """One "download all as ZIP" request: built by a Celery job, then downloaded by district staff."""

    JOB_TASK = "reports.tasks.district_bundle_build_task"

    year = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=bundle_key, storage=reports_storage, max_length=255, blank=True)
    schools_total = models.PositiveIntegerField(default=0)
    schools_done = models.PositiveIntegerField(default=0)
    contents = models.JSONField(default=list, blank=True, help_text="Per school: code, name, included, note.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(RenderedFile.Meta):
        pass

    def __str__(self):
        return f"Schools {self.year} ZIP #{self.pk} ({self.get_status_display()})"


class DistrictImport(ImportJob):
    """The district's enrolment spreadsheet (every school in one file): checked, confirmed, written."""

    class Meta(ImportJob.Meta):
        verbose_name = "district enrolment import"
