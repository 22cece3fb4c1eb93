"""Report files (PDF/CSV) of a school's plans and years, one table per school schema."""

from django.db import connection, models
from django.db.models import Q
from django_tenants.utils import get_public_schema_name

from django.utils import timezone

from reports.storage import reports_storage
from schools.models import SchoolYear
from schools.plans.models import AllocationPlan
from tenants.jobs import JobRecord
from tenants.models import person_reference


def report_key(instance: "Report", filename: str) -> str:
    """`<schema>/reports/<year>/<kind>-<plan id>-<sha8>.<ext>`: the school is in every key."""
    schema = connection.schema_name
    if not schema or schema == get_public_schema_name():
        raise RuntimeError("A school's report can only be stored from inside that school's schema.")
    ext = filename.rsplit(".", 1)[-1]
    year = instance.year.year if instance.year_id else "all-years"
    subject = instance.plan_id if instance.plan_id else "school"
    return f"{schema}/reports/{year}/{instance.kind}-{subject}-{instance.sha256[:8]}.{ext}"


class RenderStatus(models.TextChoices):
    """Where a file made by a job stands (reports and district ZIP bundles)."""

    PENDING = "pending", "Preparing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class RenderedFile(JobRecord):
    """A file made by a job and kept in the reports storage (a school's report, a district ZIP).

    Rows are created pending; the job stores the file with its size and SHA-256 and marks it
    ready (a ready row always has both: the database checks it), or failed with the reason.
    A job row (tenants/jobs.py): sent again when its message is lost, run again or failed when
    its worker dies.
    """

    Status = RenderStatus
    JOB_LIVE = (RenderStatus.PENDING,)
    JOB_WAITING = RenderStatus.PENDING

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    def job_failed(self, reason: str) -> None:
        self.status, self.error, self.finished = self.Status.FAILED, reason, timezone.now()

    class Meta:
        abstract = True
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="%(app_label)s_%(class)s_ready_has_file",
            ),
        ]

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class Report(RenderedFile):
    """One rendered report file of a school (its plan's PDF or CSV, or its year comparison)."""

    class Kind(models.TextChoices):
        PLAN_PDF = "plan_pdf", "Plan (PDF)"
        PLAN_CSV = "plan_csv", "Plan (CSV)"
        COMPARISON_PDF = "comparison_pdf", "Year comparison (PDF)"

    PLAN_KINDS = (Kind.PLAN_PDF, Kind.PLAN_CSV)
    JOB_TASK = "reports.tasks.report_render_task"
    EXTENSIONS = {Kind.PLAN_PDF: "pdf", Kind.PLAN_CSV: "csv", Kind.COMPARISON_PDF: "pdf"}

    plan = models.ForeignKey(
        AllocationPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    year = models.ForeignKey(
        SchoolYear, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=report_key, storage=reports_storage, max_length=255, blank=True)
    created_by = person_reference()
    kept_as = models.CharField(
        max_length=120, blank=True,
        help_text="A plan's report kept after its year was deleted: what it was, e.g. '2027 adopted plan'.",
    )

    class Meta(RenderedFile.Meta):
        constraints = [
            *RenderedFile.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(kind__in=["plan_pdf", "plan_csv"]) & (Q(plan__isnull=False) | ~Q(kept_as="")))
                | (Q(kind="comparison_pdf") & Q(plan__isnull=True)),
                name="report_plan_matches_kind",
            ),
            # one live render per report: a second request joins the pending one
            models.UniqueConstraint(
                fields=["kind", "plan"], condition=Q(status="pending"), nulls_distinct=False,
                name="report_one_live_render",
            ),
        ]
        indexes = [models.Index(fields=["plan", "kind", "-created"], name="report_plan_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.kind]
