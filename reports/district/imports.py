"""The district's enrolment spreadsheet: one file for every school (school, year, grade, students,
min, max), checked and written by jobs; its export and its template.

Each row is checked in its school's schema by the same engine as a school's own import
(`schools.imports.SchoolBook`: three reads per school, whatever the number of rows). Only a file
without a single problem is written: school by school, two bulk statements each, inside ONE
transaction (all schemas live in one database, so it is all or nothing), with one audit event
and the counts per school.
"""

from __future__ import annotations

from collections import defaultdict

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from reports.district.models import DistrictImport
from reports.district.tasks import district_import_check_task, district_import_write_task
from schools import imports
from schools.models import Enrolment
from schools.resources import dataset_file, school_template_rows
from tenants import policy
from tenants.audit import Action, audit_record
from tenants.selectors import school_list

COLUMNS = ["school", "year", "grade", "students", "min", "max"]
TEMPLATE_COLUMNS = ["school", "school name", "year", "grade", "grade name", "students", "min", "max"]
REQUIRED = ("school", "year", "grade", "students")
MANY = 12  # school codes listed in a message before "and N more"


def _schools_by_key() -> tuple[dict, list]:
    schools = list(school_list())
    by_key = {}
    for school in schools:  # names first: a code wins any clash
        by_key.setdefault(imports.text_key(school.name), school)
    for school in schools:
        by_key[imports.text_key(school.code)] = school
    return by_key, schools


def _codes(schools) -> str:
    codes = [s.code for s in schools]
    shown = ", ".join(codes[:MANY])
    return shown + (f" and {len(codes) - MANY} more (the template lists them all)" if len(codes) > MANY else "")


def _checked_by_school(data: dict, *, progress=None) -> tuple[imports.CheckResult, dict]:
    """Every row checked in its school: (the whole file's result, {school: its result})."""
    by_key, schools = _schools_by_key()
    total = imports.CheckResult()
    groups = defaultdict(list)
    for number, values in imports.data_lines(data):
        value = values.get("school")
        school = by_key.get(imports.text_key(value))
        if school is not None:
            groups[school].append((number, values))
            continue
        outcome = imports.RowOutcome(number=number, cells=imports.row_cells(values))
        total.outcomes.append(outcome)
        if imports.blank(value):
            total.refuse(outcome, f"The school is empty: write the school's code ({_codes(schools)}).")
        else:
            total.refuse(outcome, f"'{value}' is not a school of the district; its schools are {_codes(schools)}.")
    per_school = {}
    done = 0
    for i, (school, lines) in enumerate(sorted(groups.items(), key=lambda item: item[0].name), start=1):
        with schema_context(school.schema_name):
            result = imports.SchoolBook.load_for(lines, school_name=school.name).check(lines, school=school.code)
        per_school[school] = result
        total.add(result)
        done += len(lines)
        if progress is not None:
            progress(done, f"Checked {i} of {len(groups)} schools ({done:,} rows).")
    return total, per_school


def district_import_check(data: dict, *, progress=None) -> imports.CheckResult:
    """Check every row in its school (nothing is written)."""
    return _checked_by_school(data, progress=progress)[0]


@transaction.atomic
def district_import(*, data: dict, actor=None, file_name: str = "", progress=None) -> imports.CheckResult:
    """Write the whole file, or nothing: ValidationError when any row does not pass (now)."""
    policy.require_actor("manage_district", actor)
    result, per_school = _checked_by_school(data)
    if not result.ok:
        first = [f"Row {p['row']}: {p['text']}" if p["row"] else p["text"] for p in result.all_problems[:3]]
        raise ValidationError(f"Nothing was imported: the file has {len(result.all_problems)} problem(s) to "
                              "correct. " + " ".join(first))
    counts = {}
    for i, (school, school_result) in enumerate(per_school.items(), start=1):
        with schema_context(school.schema_name):
            imports.book_write(school_result, actor=actor)
        counts[school.code] = {k: v for k, v in school_result.counts.items() if k != imports.REFUSED}
        if progress is not None:
            progress(i, f"Written {i} of {len(per_school)} schools.")
    audit_record(action=Action.DISTRICT_ENROLMENT_IMPORT, actor=actor, school=None, target_label=file_name,
                 rows=len(result.outcomes), counts=result.counts, schools=counts, file_name=file_name)
    return result


def _job_write(data, *, job, progress=None):
    return district_import(data=data, actor=job.confirmed_by, file_name=job.file_name, progress=progress)


district_import_jobs = imports.ImportJobRunner(
    DistrictImport, check=district_import_check, write=_job_write, required=REQUIRED,
    check_task=district_import_check_task, write_task=district_import_write_task,
)


def district_import_request(*, file_name: str, content: bytes, actor) -> DistrictImport:
    """Keep an uploaded district file and queue its check; district staff only."""
    policy.require_actor("manage_district", actor)
    return district_import_jobs.request(file_name=file_name, content=content, actor=actor)


def district_import_confirm(*, job_id: int, actor) -> DistrictImport:
    """Confirm a checked preview once and queue the write; ValidationError saying why not otherwise."""
    policy.require_actor("manage_district", actor)
    return district_import_jobs.confirm(job_id=job_id, actor=actor)


def district_import_check_run(*, job_id: int) -> DistrictImport | None:
    return district_import_jobs.run_check(job_id=job_id)


def district_import_write_run(*, job_id: int) -> DistrictImport | None:
    return district_import_jobs.run_write(job_id=job_id)


def district_imports_clean() -> int:
    return district_import_jobs.clean()


# --- files out: the export and the template ----------------------------------------------------

def district_export(*, year: int | None = None, schools=None) -> tablib.Dataset:
    """Every school's enrolments (optionally one year) as one sheet, schools by name."""
    dataset = tablib.Dataset(headers=COLUMNS, title="Enrolments")
    for school in schools if schools is not None else school_list():
        with schema_context(school.schema_name):
            enrolments = Enrolment.objects.select_related("year", "grade").order_by("-year__year", "grade__order")
            if year is not None:
                enrolments = enrolments.filter(year__year=year)
            for e in enrolments:
                dataset.append([school.code, e.year.year, e.grade.code, e.students, e.min_class_size,
                                e.max_class_size])
    return dataset


def district_template(*, year: int) -> tablib.Dataset:
    """Every school's grades for `year`, codes and names filled, with the numbers entered so far."""
    dataset = tablib.Dataset(headers=TEMPLATE_COLUMNS, title=f"Enrolments {year}")
    for school in school_list():
        with schema_context(school.schema_name):
            for row in school_template_rows(year=year):
                dataset.append([school.code, school.name, *row])
    return dataset


def district_export_file(*, dataset: tablib.Dataset, extension: str) -> bytes:
    return dataset_file(dataset, extension=extension)
