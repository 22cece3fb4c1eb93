"""Enrolment spreadsheets in: reading a file, checking each row against a school, writing in bulk,
and the import job's life (upload, check, preview, confirm once, write, clean up).

One engine serves the school's import (`schools.services.enrolment_import_*`, the school admin)
and the district's (`reports.district.imports`, one file for every school).

- Reading: `import_file_read` (the safe reader of `schools.spreadsheets`, with its size, row and
  column limits), headers in the users' words ("Grade code", "Min class size", ...).
- Checking: `SchoolBook` holds what one school's rows are checked against (its grades, years
  and enrolments, read in three queries) and answers, per row, new / changed / unchanged /
  refused with sentences in plain words ("'Grade 8' is not a grade of Hillview; its grades are
  K, 1-6"). A grade is found by its code or its name ("1", "Grade 1", "Kindergarten").
  Decimals, numbers beyond the contract's limits, and one grade twice with different numbers
  are refused with the row named.
- Writing: `book_write` writes a checked school in two statements (bulk insert, bulk update),
  with their history rows; the services wrap it in one transaction with one audit event.
- Jobs (`ImportJobRunner`): the upload is kept in the job's row (never in a temporary
  folder), read and checked by a Celery job with progress; the preview is confirmed once (a
  conditional update: a second or replayed confirm finds it no longer "checked"); the write
  runs in a second job; finished, refused and abandoned jobs drop their file and rows
  (`jobs_clean`, a periodic task).
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from schools.models import Enrolment, Grade, SchoolYear, size_range_error
from schools.spreadsheets import SpreadsheetTooLarge, spreadsheet_read

logger = logging.getLogger(__name__)

# The contract's limits (../shared/contract/README.md, "Limits"): the admin forms say the same.
MAX_STUDENTS = 10_000
MAX_CLASS_SIZE = 1_000

COLUMNS = ["year", "grade", "students", "min", "max"]
HEADER_ALIASES = {
    "school year": "year",
    "grade code": "grade", "grade_code": "grade",
    "grade name": "grade name", "grade_name": "grade name", "name": "grade name",
    "enrolment": "students", "enrollment": "students", "enrolments": "students", "enrollments": "students",
    "number of students": "students", "student count": "students",
    "min class size": "min", "min_class_size": "min", "smallest class": "min", "minimum": "min",
    "max class size": "max", "max_class_size": "max", "largest class": "max", "maximum": "max",
    "school code": "school", "school_code": "school",
}
EXTENSIONS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ImportRefused(ValueError):
    """The whole file is refused (unreadable, too large, missing columns): the message says why."""


# --- reading -------------------------------------------------------------------------------------

def header_key(value) -> str:
    key = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    return HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.replace(" ", "_"), key))


def _plain(value):
    """A cell as JSON can hold it: text, whole or decimal number, or None."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def import_file_read(*, name: str, content: bytes, required=("year", "grade", "students")) -> dict:
    """The file's first sheet as {"headers": [...], "rows": [[...], ...]} (headers in Classplan's
    words, blank rows dropped); ImportRefused with a sentence for the person uploading."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ImportRefused("Upload a .csv or .xlsx file (a spreadsheet saved as CSV or Excel).")
    try:
        dataset = spreadsheet_read(content, extension=extension)
    except SpreadsheetTooLarge as error:
        raise ImportRefused(str(error)) from None
    except UnicodeDecodeError:
        raise ImportRefused("The CSV file is not UTF-8 text: in your spreadsheet program save it as "
                            "\"CSV UTF-8\" and upload it again.") from None
    except Exception:
        raise ImportRefused(f"This is not a readable .{extension} file: open it in your spreadsheet "
                            "program, save it again as .xlsx or CSV, and upload that.") from None
    headers = [header_key(h) for h in (dataset.headers or [])]
    if "grade" not in headers and "grade name" in headers:
        headers[headers.index("grade name")] = "grade"  # a file that names its grades only
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportRefused(
            f"The file has no {' or '.join(repr(c) for c in missing)} column. The first row must name "
            f"the columns: {', '.join(required)}, and optionally min and max. Download the template "
            "to start from the right columns."
        )
    rows = [[_plain(v) for v in row] for row in dataset if any(v not in (None, "") for v in row)]
    if not rows:
        raise ImportRefused("The file has no rows under its column names.")
    return {"headers": headers, "rows": rows}


def row_cells(values: dict) -> list:
    """A row as a person reads it: [[column, value], ...], blank cells left out."""
    return [[column, _shown(value)] for column, value in values.items() if not blank(value)]


def data_lines(data: dict):
    """(row number in the spreadsheet, {column: cell}) for every row; the header is row 1."""
    headers = data["headers"]
    for number, row in enumerate(data["rows"], start=2):
        yield number, dict(zip(headers, row))


# --- cells -----------------------------------------------------------------------------------------

class RowProblem(ValueError):
    """One thing wrong with a row, in a sentence."""


WHOLE = re.compile(r"[+-]?\d+(\.0*)?")
DECIMAL = re.compile(r"[+-]?\d*[.,]\d+")


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def whole_number(value, *, what: str, low: int, high: int, required: bool, empty: str = ""):
    """The cell as a whole number within [low, high]; RowProblem naming `what` otherwise."""
    if blank(value):
        if required:
            raise RowProblem(empty or f"The {what} is empty.")
        return None
    if isinstance(value, bool):
        raise RowProblem(f"The {what}, {_shown(value)!r}, is not a number.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise RowProblem(f"The {what}, {_shown(value)}, is not a whole number: write it without decimals.")
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):  # 1,200
            text = text.replace(",", "")
        if WHOLE.fullmatch(text):
            number = int(text.split(".")[0])
        elif DECIMAL.fullmatch(text):
            raise RowProblem(f"The {what}, {_shown(value)}, is not a whole number: write it without decimals.")
        else:
            raise RowProblem(f"The {what}, {_shown(value)!r}, is not a number.")
    if number < low:
        if low == 0:
            raise RowProblem(f"The {what}, {number:,}, cannot be negative.")
        raise RowProblem(f"The {what}, {number:,}, must be at least {low:,}.")
    if number > high:
        raise RowProblem(f"The {what}, {number:,}, is more than {high:,}, the most Classplan accepts.")
    return number


def text_key(value) -> str:
    """A name or code as compared: case and spacing ignored, 2027.0 read as 2027."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value if value is not None else "").strip().lower().split())


# --- a school's grades --------------------------------------------------------------------------

def grades_described(codes: list[str]) -> str:
    """Grade codes in order, runs of numbers shortened: ['K', '1', ..., '6'] -> 'K, 1-6'."""
    parts, run = [], []

    def close():
        if run:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" if len(run) > 2 else f"{run[0]}, {run[1]}")
            run.clear()

    for code in codes:
        if code.isdigit() and run and int(code) == int(run[-1]) + 1:
            run.append(code)
        elif code.isdigit():
            close()
            run.append(code)
        else:
            close()
            parts.append(code)
    close()
    return ", ".join(parts) if parts else "none yet"


class GradeDirectory:
    """A school's grades found by code, name or label ('1', 'Grade 1', 'Kindergarten', 'k')."""

    def __init__(self, grades: list[Grade]):
        self.grades = sorted(grades, key=lambda g: g.order)
        self._by_key: dict[str, Grade] = {}
        for g in self.grades:  # names and labels first: a code wins any clash
            for key in (g.name, g.label, f"grade {g.code}"):
                if key:
                    self._by_key.setdefault(text_key(key), g)
        for g in self.grades:
            self._by_key[text_key(g.code)] = g

    def find(self, value) -> Grade | None:
        return self._by_key.get(text_key(value))

    @property
    def described(self) -> str:
        return grades_described([g.code for g in self.grades])


# --- checking one school's rows ---------------------------------------------------------------

NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"
STATUSES = (NEW, CHANGED, UNCHANGED, REFUSED)


@dataclass
class RowOutcome:
    number: int
    status: str = ""
    school: str = ""  # the school's code (district files)
    year: int | None = None
    grade: Grade | None = None
    students: int | None = None
    min_size: int | None = None
    max_size: int | None = None
    old: tuple | None = None  # (students, min, max) before
    problems: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # [[column, value], ...] of the row's non-blank cells
    enrolment: Enrolment | None = None  # the row to write (new or changed)

    def change(self) -> dict:
        """The row as a preview or result lists it (JSON)."""
        item = {"row": self.number, "status": self.status, "year": self.year,
                "grade": self.grade.code if self.grade else "", "grade_label": self.grade.label if self.grade else "",
                "students": self.students, "min": self.min_size, "max": self.max_size,
                "old": list(self.old) if self.old else None}
        if self.school:
            item["school"] = self.school
        return item


@dataclass
class CheckResult:
    outcomes: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # [{"row": n | None, "text": ..., "cells": [...]}]

    def add(self, other: CheckResult) -> None:
        self.outcomes += other.outcomes
        self.problems += other.problems

    def refuse(self, outcome: RowOutcome, text: str) -> None:
        outcome.status = REFUSED
        outcome.problems.append(text)

    @property
    def counts(self) -> dict:
        counts = dict.fromkeys(STATUSES, 0)
        for o in self.outcomes:
            counts[o.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and not self.all_problems

    @property
    def all_problems(self) -> list[dict]:
        """File problems, then every refused row's sentences in row order."""
        rows = [{"row": o.number, "text": text, "cells": o.cells}
                for o in sorted(self.outcomes, key=lambda o: o.number) for text in o.problems]
        return self.problems + rows

    @property
    def changes(self) -> list[dict]:
        return [o.change() for o in sorted(self.outcomes, key=lambda o: o.number) if o.status in (NEW, CHANGED)]


class SchoolBook:
    """What one school's rows are checked against: its grades, years and enrolments (current schema)."""

    def __init__(self, *, school_name: str, grades: list[Grade], years: list[SchoolYear], enrolments: list[Enrolment],
                 school_keys=()):
        self.school_name = school_name
        self.school_keys = set(school_keys)  # a "school" column's values that mean this school
        self.directory = GradeDirectory(grades)
        self.years = {y.year: y for y in years}
        self.enrolments = {(e.year_id, e.grade_id): e for e in enrolments}

    @classmethod
    def load(cls, *, school_name: str, years: set[int] | None = None, school_keys=()) -> SchoolBook:
        """Three queries in the current schema (only the years the file names, when given)."""
        year_rows = SchoolYear.objects.all()
        if years is not None:
            year_rows = year_rows.filter(year__in=years)
        year_rows = list(year_rows)
        return cls(
            school_name=school_name,
            grades=list(Grade.objects.all()),
            years=year_rows,
            enrolments=list(Enrolment.objects.filter(year__in=[y.pk for y in year_rows])),
            school_keys=school_keys,
        )

    @classmethod
    def load_for(cls, lines: list[tuple[int, dict]], *, school_name: str, school_keys=()) -> SchoolBook:
        """`load` for the years these rows name."""
        years = set()
        for _, values in lines:
            try:
                years.add(whole_number(values.get("year"), what="year", low=2000, high=2100, required=True))
            except RowProblem:
                pass
        return cls.load(school_name=school_name, years=years, school_keys=school_keys)

    def check(self, lines: list[tuple[int, dict]], *, school: str = "") -> CheckResult:
        """Every row's outcome; a row with any problem is refused (and so is the file)."""
        result = CheckResult()
        seen: dict[tuple, RowOutcome] = {}
        for number, values in lines:
            outcome = RowOutcome(number=number, school=school, cells=row_cells(values))
            result.outcomes.append(outcome)
            self._check_row(outcome, values, result)
            if outcome.status == REFUSED:
                continue
            key = (outcome.year, outcome.grade.pk)
            first = seen.get(key)
            if first is None:
                seen[key] = outcome
            elif (first.students, first.min_size, first.max_size) != (outcome.students, outcome.min_size, outcome.max_size):
                result.refuse(outcome, f"{outcome.grade.label} of {outcome.year} is also on row {first.number} "
                                       "with different numbers: keep only one of the two rows.")
            else:
                outcome.status, outcome.enrolment = UNCHANGED, None  # the same row twice: written once
        return result

    def _check_row(self, outcome: RowOutcome, values: dict, result: CheckResult) -> None:
        problems = []
        school_value = values.get("school")
        if self.school_keys and not blank(school_value) and text_key(school_value) not in self.school_keys:
            problems.append(f"This row is for the school '{_shown(school_value)}', not {self.school_name}: "
                            "import it at that school, or every school's rows in the district's import.")
        try:
            outcome.year = whole_number(values.get("year"), what="year", low=2000, high=2100, required=True)
        except RowProblem as error:
            problems.append(str(error))
        year = self.years.get(outcome.year) if outcome.year is not None else None
        if outcome.year is not None and year is None:
            problems.append(f"{self.school_name} has no school year {outcome.year}: add the year "
                            "(School years) first, then import again.")
        elif year is not None and year.is_final:
            problems.append(f"{outcome.year} is final, so its enrolments cannot change: reopen it on its "
                            "planning page first, then import again.")
        grade_value = values.get("grade")
        if blank(grade_value):
            problems.append(f"The grade is empty: write a grade's code or name ({self.directory.described}).")
        else:
            outcome.grade = self.directory.find(grade_value)
            if outcome.grade is None:
                problems.append(f"'{_shown(grade_value)}' is not a grade of {self.school_name}; "
                                f"its grades are {self.directory.described}.")
        numbers = {}
        for column, what, low, high, required in (
            ("students", "number of students", 0, MAX_STUDENTS, True),
            ("min", "smallest class size (min)", 1, MAX_CLASS_SIZE, False),
            ("max", "largest class size (max)", 1, MAX_CLASS_SIZE, False),
        ):
            try:
                numbers[column] = whole_number(values.get(column), what=what, low=low, high=high, required=required,
                                               empty="The number of students is empty: write 0 if the grade has none.")
            except RowProblem as error:
                problems.append(str(error))
                numbers[column] = None
        outcome.students = numbers["students"]
        if problems:
            for text in problems:
                result.refuse(outcome, text)
            return
        grade = outcome.grade
        current = self.enrolments.get((year.pk, grade.pk))
        fallback = current if current is not None else grade
        outcome.min_size = numbers["min"] if numbers["min"] is not None else fallback.min_class_size
        outcome.max_size = numbers["max"] if numbers["max"] is not None else fallback.max_class_size
        wrong = size_range_error(outcome.min_size, outcome.max_size,
                                 template="The smallest class size ({low}) is larger than the largest ({high}).")
        if wrong:
            result.refuse(outcome, wrong)
            return
        new = (outcome.students, outcome.min_size, outcome.max_size)
        if current is None:
            outcome.status = NEW
            outcome.enrolment = Enrolment(year=year, grade=grade, students=new[0], min_class_size=new[1],
                                          max_class_size=new[2])
            return
        outcome.old = (current.students, current.min_class_size, current.max_class_size)
        if outcome.old == new:
            outcome.status = UNCHANGED
            return
        outcome.status = CHANGED
        current.students, current.min_class_size, current.max_class_size = new
        outcome.enrolment = current


def book_write(result: CheckResult, *, actor=None) -> None:
    """Write a checked school's new and changed rows (current schema), with their history rows.

    Call inside a transaction, after `result.ok`.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    new = [o.enrolment for o in result.outcomes if o.status == NEW]
    changed = [o.enrolment for o in result.outcomes if o.status == CHANGED]
    if new:
        bulk_create_with_history(new, Enrolment, batch_size=1000, default_user=user,
                                 default_change_reason="Imported from a spreadsheet")
    if changed:
        bulk_update_with_history(changed, Enrolment, ["students", "min_class_size", "max_class_size"],
                                 batch_size=1000, default_user=user,
                                 default_change_reason="Imported from a spreadsheet")


# --- the import job's life -----------------------------------------------------------------------

# A preview is kept this long for its confirm; then it expires and its rows are dropped.
PREVIEW_MAX_AGE = datetime.timedelta(hours=24)
# A job checking or importing this long after it started (or was queued) lost its worker.
STALE_AFTER = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
# Finished jobs (their counts, not their rows) are kept this long, then deleted.
KEEP_FINISHED = datetime.timedelta(days=90)
MAX_ATTEMPTS = 2
PROGRESS_EVERY_S = 0.5


class ImportJobRunner:
    """The life of one kind of import job (a model built on `schools.models.ImportJob`).

    `check(data, progress)` returns a CheckResult (nothing written); `write(data, job)` writes
    the data (atomic, audited; ValidationError when the data no longer passes) and returns
    its CheckResult. `check_task` and `write_task` are the Celery tasks that run `run_check`
    and `run_write`.
    """

    def __init__(self, model, *, check, write, check_task, write_task, required=("year", "grade", "students")):
        self.model, self._check, self._write = model, check, write
        self.check_task, self.write_task, self.required = check_task, write_task, required

    # -- requests (web) --
    def request(self, *, file_name: str, content: bytes, actor) -> object:
        """Keep the upload in a new job row and queue its check (after commit)."""
        job = self.model.objects.create(file_name=file_name[:200], upload=content, size=len(content),
                                        requested_by=_person(actor), phase="Waiting for a worker to read the file.")
        self._queue(job, self.check_task)
        return job

    def confirm(self, *, job_id: int, actor) -> object:
        """Confirm a checked preview, once: a second or replayed confirm is told what happened."""
        now = timezone.now()
        fresh = now - PREVIEW_MAX_AGE
        claimed = self.model.objects.filter(pk=job_id, status=self.model.Status.CHECKED, finished__gte=fresh).update(
            status=self.model.Status.IMPORTING, confirmed_by=_person(actor), confirmed=now, started=None,
            attempts=0, phase="Waiting for a worker to write the rows.",
        )
        job = self.model.objects.filter(pk=job_id).first()
        if job is None:
            raise ValidationError("There is no such import: upload the file again.")
        if not claimed:
            raise ValidationError(job.confirm_refusal)
        self._queue(job, self.write_task)
        return job

    def _queue(self, job, task) -> None:
        from tenants.context import enqueue_on_commit  # tenants is below schools

        job_id, model = job.pk, self.model

        def sent(result):
            model.objects.filter(pk=job_id).update(task_id=result.id or "")

        def unreachable(error):
            _finish(model, job_id, model.Status.FAILED,
                    error="The job could not be started: the job queue is unreachable. Try again in a minute.")

        enqueue_on_commit(task, job_id, on_sent=sent, on_error=unreachable)

    # -- jobs (worker) --
    def _claim(self, job_id: int, status: str):
        """The job, marked started (attempts + 1); None when there is nothing to do."""
        with transaction.atomic():
            job = self.model.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status != status:
                return None
            if job.attempts >= MAX_ATTEMPTS:
                job.status, job.finished = self.model.Status.FAILED, timezone.now()
                job.error = ("The worker stopped twice while working on this file (it was restarted or "
                             "ran out of memory). Nothing was saved. Try again.")
                job.upload, job.data = None, None
                job.save()
                return None
            job.attempts += 1
            job.started = timezone.now()
            job.save(update_fields=["attempts", "started"])
            return job

    def _progress(self, job_id: int):
        last = [0.0]

        def progress(done: int, phase: str, *, force=False):
            now = time.monotonic()
            if force or now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                self.model.objects.filter(pk=job_id).update(rows_done=done, phase=phase[:200])

        return progress

    def run_check(self, *, job_id: int):
        job = self._claim(job_id, self.model.Status.CHECKING)
        if job is None:
            return self.model.objects.filter(pk=job_id).first()
        progress = self._progress(job_id)
        progress(0, "Reading the file.", force=True)
        try:
            data = import_file_read(name=job.file_name, content=bytes(job.upload or b""), required=self.required)
        except ImportRefused as error:
            _finish(self.model, job_id, self.model.Status.REFUSED, problems=[{"row": None, "text": str(error)}],
                    counts=dict.fromkeys(STATUSES, 0))
            return self.model.objects.get(pk=job_id)
        except Exception:
            logger.exception("Import %s: reading failed", job_id)
            _finish(self.model, job_id, self.model.Status.FAILED,
                    error="The file could not be read. Save it again as .xlsx or CSV and upload it.")
            return self.model.objects.get(pk=job_id)
        total = len(data["rows"])
        self.model.objects.filter(pk=job_id).update(rows_total=total, upload=None, phase=f"Checking {total:,} rows.")
        try:
            result = self._check(data, progress=progress)
        except Exception:
            logger.exception("Import %s: checking failed", job_id)
            _finish(self.model, job_id, self.model.Status.FAILED,
                    error="Checking the file stopped on an unexpected error. Nothing was saved. Try again.")
            return self.model.objects.get(pk=job_id)
        status = self.model.Status.CHECKED if result.ok else self.model.Status.REFUSED
        _finish(self.model, job_id, status, counts=result.counts, problems=result.all_problems,
                changes=result.changes, data=data if result.ok else None, rows_done=total)
        return self.model.objects.get(pk=job_id)

    def run_write(self, *, job_id: int):
        job = self._claim(job_id, self.model.Status.IMPORTING)
        if job is None:
            return self.model.objects.filter(pk=job_id).first()
        self.model.objects.filter(pk=job_id).update(
            rows_done=0, phase=f"Writing {job.rows_total:,} rows (all of them or none).")
        try:
            result = self._write(job.data, job=job, progress=self._progress(job_id))
        except ValidationError as error:
            _finish(self.model, job_id, self.model.Status.FAILED, error=" ".join(error.messages))
        except (IntegrityError, DatabaseError):
            logger.exception("Import %s: writing failed", job_id)
            _finish(self.model, job_id, self.model.Status.FAILED,
                    error="Nothing was imported: someone changed the same enrolments while the file was being "
                          "written. Upload the file again to check it against the new numbers.")
        except Exception:
            logger.exception("Import %s: writing failed", job_id)
            _finish(self.model, job_id, self.model.Status.FAILED,
                    error="Writing stopped on an unexpected error. Nothing was imported. Try again.")
        else:
            _finish(self.model, job_id, self.model.Status.IMPORTED, counts=result.counts,
                    changes=result.changes, rows_done=job.rows_total)
        return self.model.objects.get(pk=job_id)

    # -- periodic --
    def clean(self, *, now=None) -> int:
        """Expire old previews, fail jobs whose worker is gone, delete old finished jobs."""
        now = now or timezone.now()
        Status = self.model.Status
        jobs = self.model.objects
        count = jobs.filter(status=Status.CHECKED, finished__lt=now - PREVIEW_MAX_AGE).update(
            status=Status.EXPIRED, data=None, upload=None, phase="")
        stale = (Q(status=Status.CHECKING, created__lt=now - STALE_AFTER)
                 | Q(status=Status.IMPORTING, confirmed__lt=now - STALE_AFTER))
        for job_id in jobs.filter(stale).values_list("pk", flat=True):
            _finish(self.model, job_id, None,
                    error="No worker finished this job in time (the job queue or its worker is down). "
                          "Nothing was saved. Try again in a few minutes.")
            count += 1
        # rows a finished job no longer needs (normally already dropped), then old jobs themselves
        jobs.exclude(status__in=[Status.CHECKING, Status.CHECKED, Status.IMPORTING]).filter(
            data__isnull=False).update(data=None)
        jobs.exclude(status__in=[Status.CHECKING, Status.CHECKED, Status.IMPORTING]).filter(
            upload__isnull=False).update(upload=None)
        deleted, _ = jobs.filter(created__lt=now - KEEP_FINISHED).exclude(
            status__in=[Status.CHECKING, Status.IMPORTING]).delete()
        return count + deleted


def _person(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _finish(model, job_id: int, status, *, error: str = "", **fields) -> None:
    """End a live job (status None: failed), dropping the upload; a finished job is left alone."""
    live = [model.Status.CHECKING, model.Status.IMPORTING]
    values = {"status": status or model.Status.FAILED, "finished": timezone.now(), "phase": "", "upload": None,
              **fields}
    if error:
        values["error"] = error[:2000]
    if values["status"] != model.Status.CHECKED:
        values.setdefault("data", None)
    model.objects.filter(pk=job_id, status__in=live).update(**values)


__all__ = [
    "COLUMNS", "CONTENT_TYPES", "MAX_CLASS_SIZE", "MAX_STUDENTS", "CheckResult", "GradeDirectory",
    "ImportJobRunner", "ImportRefused", "RowOutcome", "SchoolBook", "book_write", "data_lines",
    "grades_described", "header_key", "import_file_read", "text_key", "whole_number",
]
