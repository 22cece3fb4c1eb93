"""Solve jobs and the allocation plans they produce, per school schema."""

from django.db import models
from django.db.models import Q

from django.utils import timezone

from schools.models import SchoolYear
from tenants.jobs import JobRecord
from tenants.models import School, person_reference


class PlanJob(JobRecord):
    """One request to solve a year's problem, run by a Celery worker (a job row: tenants/jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        INFEASIBLE = "infeasible", "Infeasible"
        FAILED = "failed", "Failed"

    LIVE = (Status.QUEUED, Status.RUNNING)

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="jobs")
    requested_by = person_reference()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.JSONField(default=list, blank=True, help_text="Progress messages, oldest first.")
    problem = models.JSONField(help_text="The exact problem JSON that was solved.")
    result = models.JSONField(null=True, blank=True, help_text="The optimizer's result JSON.")
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    sweep = models.JSONField(
        null=True, blank=True,
        help_text="What-if sweep over teacher counts: {status, rows: [{teachers, status, classes, composites, average}]}.",
    )
    rules = models.JSONField(
        default=list, blank=True,
        help_text="Where each of the problem's rules comes from, in its order: [{label, origin, source, url}].",
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=["queued", "running"]),
                name="one_live_job_per_year",
            ),
        ]

    JOB_TASK = "schools.plans.tasks.plan_job_task"
    JOB_LIVE = LIVE
    JOB_WAITING = Status.QUEUED

    def __str__(self):
        return f"Job {self.pk} for {self.year} ({self.get_status_display()})"

    def job_note(self, message: str) -> None:
        self.progress = [*self.progress, {"at": timezone.now().isoformat(timespec="seconds"), "message": message}]

    def job_started(self) -> None:
        self.status = self.Status.RUNNING
        self.job_note(f"Solving: finding the best plans with up to {self.problem.get('teachers')} classes "
                      f"(time limit {self.problem.get('time_limit_s')} s).")

    def job_failed(self, reason: str) -> None:
        self.status, self.error, self.finished = self.Status.FAILED, reason, timezone.now()
        self.job_note(reason)


class AllocationPlan(models.Model):
    """One ranked plan: how many classes, and how many students of each grade in each."""

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="plans")
    job = models.ForeignKey(PlanJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")
    rank = models.PositiveSmallIntegerField()
    composites = models.PositiveSmallIntegerField()
    classes = models.PositiveSmallIntegerField()
    spread = models.PositiveIntegerField()
    largest = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Its largest class.")
    checks = models.JSONField(
        default=list, blank=True, help_text="Each rule of its problem: {holds, value}, in the problem's order.",
    )
    ranking = models.JSONField(default=list, blank=True, help_text="The priorities it was ranked by.")
    chart = models.TextField(blank=True, help_text="Its class-size chart (SVG), drawn once: plans never change.")
    edit_reason = models.TextField(blank=True, help_text="Why a hand edit that breaks a rule was kept.")
    broken_rules = models.JSONField(
        default=list, blank=True, help_text="What a hand edit breaks, in sentences (kept with its reason).",
    )
    adopted = models.BooleanField(default=False)
    superseded = models.BooleanField(default=False)
    edited = models.BooleanField(default=False, help_text="Edited by hand from another plan.")
    derived_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions",
        help_text="The plan this hand-edited revision came from.",
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "-created", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(adopted=True), name="one_adopted_plan_per_year"
            ),
        ]

    def __str__(self):
        return f"{self.year} plan #{self.rank} ({self.classes} classes, {self.composites} composite)"


class PlannedClass(models.Model):
    """A class of a plan: its name, teacher and students per grade code."""

    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="planned_classes")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)
    teacher_name = models.CharField(max_length=80, blank=True)
    counts = models.JSONField(help_text="Students per grade code, e.g. {\"K\": 12, \"1\": 8}.")
    size = models.PositiveSmallIntegerField()
    locked = models.BooleanField(default=False, help_text="A class the school locked before generating.")

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="one_class_per_position"),
        ]

    def __str__(self):
        return self.name


class DistrictPlans(School):
    """The district admin's view of every school's plan for a year (no data of its own)."""

    class Meta:
        proxy = True
        verbose_name = "district plans"
        verbose_name_plural = "district plans"
