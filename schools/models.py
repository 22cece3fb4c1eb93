"""A school's planning data, one schema per school: grades, years, enrolments and class rules.

These map one-to-one onto the optimizer's problem (see `schools.selectors.year_problem`).
"""

import decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Deferrable, F, Q
from simple_history.models import HistoricalRecords

from tenants.models import person_reference

# People live in the public schema: a school's history keeps the person's id, not a foreign
# key, so nothing in a school's schema depends on (or cascades from) the public user table.
def _history(**kwargs):
    return HistoricalRecords(
        history_user_id_field=models.BigIntegerField(null=True, blank=True, db_index=False), **kwargs
    )


# The optimizer contract's limits (../shared/contract, "Limits"): beyond them a problem is invalid.
MAX_STUDENTS = 10_000  # per grade
MAX_TEACHERS = 5_000
MAX_CLASS_SIZE = 1_000  # class sizes and min per grade


def at_most(limit: int, what: str) -> MaxValueValidator:
    return MaxValueValidator(limit, f"{what} can be at most {limit:,}.")


def grade_label(code: str, name: str = "") -> str:
    """How a grade is named in sentences, tables and charts: 'Kindergarten', 'Grade 3'."""
    return name or f"Grade {code}"


def size_range_error(low, high, *, template: str = "The smallest {what} ({low}) is larger than the largest ({high}).",
                     what: str = "class") -> str | None:
    """The one min <= max check: the message when `low` is above `high` (None when fine or unknown)."""
    if low is not None and high is not None and low > high:
        return template.format(what=what, low=low, high=high)
    return None


def final_year_refuse(year_id) -> None:
    """ValidationError when the stored year is final: its data is locked until it is reopened."""
    if year_id is None:
        return
    stored = SchoolYear.objects.filter(pk=year_id).values_list("year", "status").first()
    if stored and stored[1] == SchoolYear.Status.FINAL:
        raise ValidationError(
            f"{stored[0]} is final, so its data cannot change. Reopen it on its planning page first."
        )


def _check_sizes(obj, what: str):
    """min_class_size <= max_class_size, with a message naming the field."""
    error = size_range_error(obj.min_class_size, obj.max_class_size, what=what)
    if error:
        raise ValidationError({"min_class_size": error})


class Grade(models.Model):
    """A grade the school teaches, set once: `K`, `1` … `12`, or local names like `Prep`."""

    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. K, 1, Prep.")
    name = models.CharField(max_length=40, blank=True, help_text="Display name, e.g. Kindergarten.")
    order = models.PositiveSmallIntegerField(unique=True, help_text="Position from youngest to oldest.")
    min_class_size = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The min class size")],
        help_text="Default smallest class."
    )
    max_class_size = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The max class size")],
        help_text="Default largest class."
    )
    history = _history()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_class_size__gte=1), name="grade_min_class_size_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(min_class_size__lte=F("max_class_size")), name="grade_min_not_above_max"
            ),
        ]

    def __str__(self):
        return self.name or self.code

    def clean(self):
        _check_sizes(self, "class")

    @property
    def label(self) -> str:
        """For sentences: 'Kindergarten', 'Grade 3' (a bare number reads badly)."""
        return grade_label(self.code, self.name)


class SchoolYear(models.Model):
    """One planning year: how many teachers (classes) there are, and its rules."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    year = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The school year being planned, e.g. 2027.",
    )
    teachers = models.PositiveSmallIntegerField(
        validators=[at_most(MAX_TEACHERS, "Teachers")],
        help_text="Teachers available: the most classes the school can run."
    )
    composite_min_per_grade = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The min per grade in a composite")],
        help_text="Default fewest students of each grade in a composite class.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT,
        help_text="A final year is locked: its data and plans cannot change until it is reopened "
                  "on its planning page.",
    )
    ranking = models.JSONField(
        default=list, blank=True,
        help_text="The school's priorities for this year, most important first (blank: the district's).",
    )
    rule_pack = models.CharField(
        max_length=60, blank=True,
        help_text="The class-size rule pack for this year (blank: the district's).",
    )
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(
        default=1, editable=False,
        help_text="Raised at every save of the year's page: a page opened before another save is refused.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = _history(excluded_fields=["created", "updated", "version"])

    class Meta:
        verbose_name = "school year"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(composite_min_per_grade__gte=1), name="year_composite_min_at_least_1"
            ),
            models.CheckConstraint(condition=Q(teachers__lte=MAX_TEACHERS), name="year_teachers_within_limit"),
        ]

    def __str__(self):
        return str(self.year)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    def clean(self):
        final_year_refuse(self.pk)

    def validate_unique(self, exclude=None):
        if (exclude is None or "year" not in exclude) and self.year is not None:
            if SchoolYear.objects.filter(year=self.year).exclude(pk=self.pk).exists():
                raise ValidationError({"year": f"The year {self.year} already exists at this school."})
        super().validate_unique(exclude)


class Enrolment(models.Model):
    """Students in one grade in one year, with that year's class-size limits for the grade."""

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="enrolments")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="enrolments")
    students = models.PositiveIntegerField(
        validators=[at_most(MAX_STUDENTS, "Students in one grade")],
        help_text="Students expected in this grade this year.")
    min_class_size = models.PositiveSmallIntegerField(
        "min class size", validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The min class size")],
        help_text="Smallest class for this grade this year (blank: the grade's default).",
    )
    max_class_size = models.PositiveSmallIntegerField(
        "max class size", validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The max class size")],
        help_text="Largest class for this grade this year (blank: the grade's default).",
    )
    history = _history()

    class Meta:
        ordering = ["year", "grade__order"]
        constraints = [
            # checked at commit: two rows may swap their grades in one save
            models.UniqueConstraint(fields=["year", "grade"], name="one_enrolment_per_grade_per_year",
                                    deferrable=Deferrable.DEFERRED),
            models.CheckConstraint(condition=Q(students__lte=MAX_STUDENTS), name="enrolment_students_within_limit"),
            models.CheckConstraint(
                condition=Q(min_class_size__gte=1), name="enrolment_min_class_size_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(min_class_size__lte=F("max_class_size")),
                name="enrolment_min_not_above_max",
            ),
        ]

    def __str__(self):
        return f"{self.grade} {self.year}: {self.students}"

    def clean(self):
        final_year_refuse(self.year_id)
        _check_sizes(self, "class")


class CompositeRule(models.Model):
    """An allowed composite (multi-grade) class in a year: a set of 2 or more grades."""

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="composites")
    grades = models.ManyToManyField(Grade, related_name="composite_rules")
    min_class_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The min class size")],
        help_text="Blank: the largest minimum of its grades.",
    )
    max_class_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The max class size")],
        help_text="Blank: the smallest maximum of its grades.",
    )
    min_per_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), at_most(MAX_CLASS_SIZE, "The min per grade")],
        help_text="Blank: the year's default minimum per grade.",
    )
    history = _history(m2m_fields=[grades])

    class Meta:
        verbose_name = "composite class rule"
        ordering = ["year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_class_size__isnull=True)
                | Q(max_class_size__isnull=True)
                | Q(min_class_size__lte=F("max_class_size")),
                name="composite_min_not_above_max",
            ),
        ]

    def __str__(self):
        if self.pk is None:
            return "new composite"
        return "/".join(g.code for g in self.grades.all()) or "composite"

    def clean(self):
        final_year_refuse(self.year_id)
        _check_sizes(self, "composite class")


class LocalRule(models.Model):
    """A class-size rule of the school's own (a collective agreement's split-class cap, say),
    applied to every year on top of the rule pack, in the contract's version-2 form."""

    class Kind(models.TextChoices):
        CAP = "cap", "No class above a size"
        SHARE = "share", "A share of classes at or below a size"
        AVERAGE = "average", "An average size not exceeded"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CAP)
    grades = models.ManyToManyField(
        Grade, related_name="local_rules",
        help_text="The rule concerns every class holding a student of any of these grades.",
    )
    size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Cap: the most students such a class may have. Share: the size a class must not exceed.",
    )
    share = models.DecimalField(
        max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(decimal.Decimal("0.001")), MaxValueValidator(1)],
        help_text="Share: the least fraction of those classes at or below the size, e.g. 0.9 for 90%.",
    )
    average = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(decimal.Decimal("0.01")), MaxValueValidator(1000)],
        help_text="Average: the most the mean size of those classes may be, e.g. 24.5.",
    )
    label = models.CharField(
        max_length=200, help_text="How the rule is named on pages and PDFs, e.g. \"Split classes at most 22\".",
    )
    source = models.CharField(
        max_length=200, blank=True,
        help_text="Where the rule comes from, e.g. \"Collective agreement 2025-2028, art. 12.3\".",
    )
    active = models.BooleanField(default=True, help_text="Untick to stop applying the rule without deleting it.")
    history = _history(m2m_fields=[grades])

    FIELDS = {"cap": ("size",), "share": ("size", "share"), "average": ("average",)}

    class Meta:
        verbose_name = "local class-size rule"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cap", size__isnull=False, share__isnull=True, average__isnull=True)
                           | Q(kind="share", size__isnull=False, share__isnull=False, average__isnull=True)
                           | Q(kind="average", size__isnull=True, share__isnull=True, average__isnull=False)),
                name="local_rule_fields_of_its_kind",
            ),
            models.CheckConstraint(condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=1)),
                                   name="local_rule_share_in_range"),
            models.CheckConstraint(condition=Q(average__isnull=True) | Q(average__gt=0),
                                   name="local_rule_average_positive"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        needed = self.FIELDS.get(self.kind, ())
        errors = {}
        for name in ("size", "share", "average"):
            value = getattr(self, name)
            if name in needed and value is None:
                errors[name] = f"This kind of rule needs a {name}."
            elif name not in needed and value is not None:
                setattr(self, name, None)  # a figure of another kind: not part of this rule
        if errors:
            raise ValidationError(errors)

    def problem_rule(self, codes: list[str]) -> dict:
        """The rule in the contract's form, over the given grade codes."""
        rule = {"kind": self.kind, "grades": codes, "label": self.label}
        if self.kind in ("cap", "share"):
            rule["size"] = self.size
        if self.kind == "share":
            rule["share"] = float(self.share)
        if self.kind == "average":
            rule["average"] = float(self.average)
        return rule


class LockedClass(models.Model):
    """A class the school locked for a year: every plan generated afterwards contains it
    exactly (the problem's `fixed`). Made from a class of any plan; removable."""

    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="locked_classes")
    counts = models.JSONField(help_text="Students per grade code, e.g. {\"5\": 12, \"6\": 14}.")
    label = models.CharField(max_length=80, blank=True, help_text="The class's name when it was locked.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "id"]

    def __str__(self):
        return self.label or "locked class"

    @property
    def size(self) -> int:
        return sum(self.counts.values())


class ImportJob(models.Model):
    """One uploaded enrolment spreadsheet: checked by a job (the preview), confirmed once, written by
    a job (`schools.imports.ImportJobRunner`). The upload and its rows live here, never in a
    temporary folder, and are dropped once the job no longer needs them."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking the file"
        CHECKED = "checked", "Ready to import"
        REFUSED = "refused", "Rows to correct"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (never confirmed)"

    LIVE = (Status.CHECKING, Status.IMPORTING)

    file_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0, help_text="The upload's size in bytes.")
    upload = models.BinaryField(null=True, blank=True, editable=False,
                                help_text="The uploaded file, until the check has read it.")
    data = models.JSONField(null=True, blank=True, editable=False,
                            help_text="The file's rows as read, kept from the check until the import or expiry.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CHECKING)
    phase = models.CharField(max_length=200, blank=True, help_text="What the job is doing now, in words.")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows new, changed, unchanged, refused.")
    problems = models.JSONField(default=list, blank=True, help_text="What to correct: [{row, text, cells}].")
    changes = models.JSONField(default=list, blank=True, help_text="The rows new or changed (preview or written).")
    error = models.TextField(blank=True)
    requested_by = person_reference()
    confirmed_by = person_reference()
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    confirmed = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def live(self) -> bool:
        return self.status in self.LIVE

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def confirm_refusal(self) -> str:
        """Why this import cannot be confirmed (now), in words."""
        who = f" by {self.confirmed_by.get_full_name() or self.confirmed_by.username}" if self.confirmed_by else ""
        when = f" at {self.confirmed:%H:%M on %d %b %Y}" if self.confirmed else ""
        return {
            self.Status.CHECKING: "The file is still being checked: wait for the preview, then confirm.",
            self.Status.IMPORTING: f"This import was already confirmed{who}{when} and is being written now: "
                                   "it is done once, never twice.",
            self.Status.IMPORTED: f"This file was already imported (confirmed{who}{when}): nothing was imported "
                                  "a second time.",
            self.Status.REFUSED: "This file has rows to correct, so it cannot be imported: correct them and "
                                 "upload it again.",
            self.Status.FAILED: "This import did not finish, and nothing of it was saved: upload the file again.",
        }.get(self.status, "This preview is more than a day old and has expired: upload the file again.")


class EnrolmentImport(ImportJob):
    """A school's enrolment spreadsheet import (in the school's schema)."""

    class Meta(ImportJob.Meta):
        verbose_name = "enrolment import"
