"""District-wide enrolment files: one sheet with school, year, grade, students, min, max.

Every row is checked in its school's schema first (the same rules as a school's own import,
see schools.resources); only a file without a single error is written, school by school,
inside one transaction: all the schemas live in one database, so it is all or nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from schools.models import Enrolment
from schools.resources import EnrolmentResource
from schools.spreadsheets import SafeCSV, SafeXLSX, SpreadsheetTooLarge
from tenants.selectors import school_list
from tenants.audit import audit_record

COLUMNS = ["school", "year", "grade", "students", "min", "max"]
HEADER_ALIASES = {"school code": "school", "school_code": "school", "code": "school",
                  "min class size": "min", "min_class_size": "min", "max class size": "max",
                  "max_class_size": "max"}
FIELD_COLUMNS = {"min_class_size": "min", "max_class_size": "max", "__all__": "row"}
FORMATS = {"csv": SafeCSV, "xlsx": SafeXLSX}  # limits on reading, formulas neutralised on writing


@dataclass
class DistrictRow:
    number: int  # line in the file (the header is line 1)
    values: dict
    status: str = ""  # new, update, unchanged, error
    errors: list = field(default_factory=list)

    @property
    def cells(self) -> list:
        return [self.values.get(c) for c in COLUMNS]


@dataclass
class DistrictPreview:
    rows: list
    errors: list = field(default_factory=list)  # file-level problems

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def count(self, status) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _cell(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def district_file_read(*, name: str, content: bytes) -> tablib.Dataset:
    """The file as a dataset with normalised headers; ValidationError naming the file field."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise ValidationError({"import_file": "Upload a .csv or .xlsx file."})
    file_format = FORMATS[extension]()
    try:
        data = content if file_format.is_binary() else content.decode("utf-8-sig")
        dataset = file_format.create_dataset(data)
    except SpreadsheetTooLarge as error:
        raise ValidationError({"import_file": str(error)}) from None
    except UnicodeDecodeError:
        raise ValidationError({"import_file": "The CSV file is not UTF-8 text: save it as CSV UTF-8."}) from None
    except Exception:
        raise ValidationError({"import_file": f"This is not a readable .{extension} file."}) from None
    return dataset_normalise(dataset)


def dataset_normalise(dataset: tablib.Dataset) -> tablib.Dataset:
    headers = []
    for header in dataset.headers or []:
        key = " ".join(str(header or "").strip().lower().split())
        headers.append(HEADER_ALIASES.get(key, key))
    missing = [c for c in COLUMNS[:4] if c not in headers]
    if missing:
        raise ValidationError({"import_file": (
            f"The file has no {', '.join(missing)} column. The first row must name the columns: "
            f"{', '.join(COLUMNS)} (min and max may be left blank)."
        )})
    rows = [[_cell(v) for v in row] for row in dataset if any(v not in (None, "") for v in row)]
    if not rows:
        raise ValidationError({"import_file": "The file has no rows under its column names."})
    return tablib.Dataset(*rows, headers=headers)


def _school_key(value) -> str:
    return str(value or "").strip().lower()


def _row_errors(row_result) -> list[str]:
    errors = [str(e.error) for e in row_result.errors]
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                column = FIELD_COLUMNS.get(name, name)
                errors += [f"{column}: {m}" for m in messages]
        else:
            errors += list(error.messages)
    return errors


def _status(row_result) -> str:
    if row_result.errors or row_result.validation_error is not None:
        return "error"
    return {"new": "new", "update": "update", "skip": "unchanged"}.get(row_result.import_type, row_result.import_type)


def _school_datasets(dataset, rows):
    """Group the rows by school: {School: (sub-dataset, [DistrictRow])}; unknown schools flagged."""
    schools = {s.code.lower(): s for s in school_list()}
    groups = defaultdict(list)
    seen = {}
    for row in rows:
        code = _school_key(row.values.get("school"))
        school = schools.get(code)
        if not code:
            row.errors.append("school: This column is empty.")
        elif school is None:
            row.errors.append(f"school: There is no school with code {code!r}.")
        key = (code, str(row.values.get("year")).strip(), str(row.values.get("grade")).strip().lower())
        if key in seen:
            row.errors.append(f"This school, year and grade are already on line {seen[key]}.")
        else:
            seen[key] = row.number
        if school is not None:
            groups[school].append(row)
    columns = [c for c in COLUMNS[1:] if c in dataset.headers]
    return {
        school: (tablib.Dataset(*[[r.values.get(c) for c in columns] for r in members], headers=columns), members)
        for school, members in groups.items()
    }


def district_import_preview(dataset: tablib.Dataset) -> DistrictPreview:
    """Check every row in its school (nothing is written); statuses and errors per row."""
    rows = [DistrictRow(number=i, values=dict(zip(dataset.headers, values)))
            for i, values in enumerate(dataset, start=2)]
    preview = DistrictPreview(rows=rows)
    for school, (sub, members) in _school_datasets(dataset, rows).items():
        with schema_context(school.schema_name):
            result = EnrolmentResource().import_data(sub, dry_run=True, raise_errors=False)
        preview.errors += [f"{school.code}: {e.error}" for e in result.base_errors]
        for row, row_result in zip(members, result.rows):
            row.errors += _row_errors(row_result)
            row.status = _status(row_result)
    for row in rows:
        if row.errors:
            row.status = "error"
    return preview


@transaction.atomic
def district_import(*, dataset: tablib.Dataset, actor=None) -> DistrictPreview:
    """Import the whole file, or nothing: raises ValidationError when any row is wrong."""
    preview = district_import_preview(dataset)
    if not preview.ok:
        raise ValidationError(
            f"Nothing was imported: the file has {preview.error_count} error(s). Correct them and try again."
        )
    counts = {}
    for school, (sub, _members) in _school_datasets(dataset, preview.rows).items():
        with schema_context(school.schema_name):
            result = EnrolmentResource().import_data(sub, dry_run=False, raise_errors=False, use_transactions=True)
        if result.has_errors() or result.has_validation_errors():
            raise ValidationError(f"Nothing was imported: {school.name} refused rows on a second check.")
        counts[school.code] = {k: result.totals[k] for k in ("new", "update", "skip")}
    audit_record(action="district_enrolment_import", actor=actor, school=None, rows=len(preview.rows),
                 schools=counts)
    return preview


def district_export(*, year: int | None = None, schools=None) -> tablib.Dataset:
    """Every school's enrolments (optionally one year) as one sheet, schools by name."""
    dataset = tablib.Dataset(headers=COLUMNS)
    for school in schools if schools is not None else school_list():
        with schema_context(school.schema_name):
            enrolments = Enrolment.objects.select_related("year", "grade").order_by("-year__year", "grade__order")
            if year is not None:
                enrolments = enrolments.filter(year__year=year)
            for e in enrolments:
                dataset.append([school.code, e.year.year, e.grade.code, e.students, e.min_class_size,
                                e.max_class_size])
    return dataset


def district_export_file(*, dataset: tablib.Dataset, extension: str) -> bytes:
    content = FORMATS[extension]().export_data(dataset)
    return content.encode("utf-8") if isinstance(content, str) else content
