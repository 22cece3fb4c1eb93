"""District-wide ZIP bundles of every school's adopted-plan PDF (public schema)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reports.models import RenderStatus
from reports.storage import reports_storage


def bundle_key(instance: "DistrictBundle", filename: str) -> str:
    """`public/district/<year>/...`: never under any school's prefix."""
    return f"public/district/{instance.year}/schools-{instance.year}-{instance.pk}-{instance.sha256[:8]}.zip"


class DistrictBundle(models.Model):
    """One "download all as ZIP" request: built by a Celery job, then downloaded by district staff."""

    Status = RenderStatus

    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=bundle_key, storage=reports_storage, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    schools_total = models.PositiveIntegerField(default=0)
    schools_done = models.PositiveIntegerField(default=0)
    contents = models.JSONField(default=list, blank=True, help_text="Per school: code, name, included, note.")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="bundle_ready_has_file",
            ),
        ]

    def __str__(self):
        return f"Schools {self.year} ZIP #{self.pk} ({self.get_status_display()})"
