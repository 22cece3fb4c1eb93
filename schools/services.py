"""State changes to a school's planning data (in the current school's schema)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from schools import imports
from schools.models import CompositeRule, Enrolment, EnrolmentImport, SchoolYear
from schools.tasks import enrolment_import_check_task, enrolment_import_write_task
from tenants import policy
from tenants.audit import Action, audit_record, row_values
from tenants.context import current_school, tenant_context
from tenants.selectors import school_list


def _save(obj, actor):
    """Save, recording `actor` in the history (outside a request the middleware cannot)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor
    obj.save()
    return obj


@transaction.atomic
def year_copy_forward(
    *, source: SchoolYear, year: int, roll_up: bool, actor=None, first_grade_students: int | None = None
) -> SchoolYear:
    """Create `year` from `source`: teachers, rules, class-size limits, composites, enrolments.

    With roll_up, students move up one grade (in grade order, among the grades taught in
    `source`): this year's K becomes next year's 1, the last grade's students leave. The first
    grade cannot be known yet; it gets `first_grade_students`, or when that is not given the
    same number as the source year's first grade (a fair first guess the secretary corrects).
    Refuses to touch an existing year, so running it twice never overwrites anything.
    """
    policy.require_actor("edit_school", actor, current_school())
    if SchoolYear.objects.filter(year=year).exists():
        raise ValidationError({"year": f"The year {year} already exists; it was not changed."})
    if first_grade_students is not None and first_grade_students < 0:
        raise ValidationError({"first_grade_students": "Students cannot be negative."})
    target = SchoolYear(
        year=year,
        teachers=source.teachers,
        composite_min_per_grade=source.composite_min_per_grade,
        status=SchoolYear.Status.DRAFT,
        notes=f"Copied from {source.year}" + (", students moved up one grade." if roll_up else "."),
    )
    target.full_clean()
    _save(target, actor)

    enrolments = list(Enrolment.objects.filter(year=source).select_related("grade").order_by("grade__order"))
    counts = [e.students for e in enrolments]
    if roll_up and enrolments:
        first = counts[0] if first_grade_students is None else first_grade_students
        counts = [first] + counts[:-1]
    for enrolment, students in zip(enrolments, counts):
        _save(Enrolment(year=target, grade=enrolment.grade, students=students,
                        min_class_size=enrolment.min_class_size, max_class_size=enrolment.max_class_size), actor)
    for rule in CompositeRule.objects.filter(year=source).prefetch_related("grades").order_by("id"):
        copy = _save(CompositeRule(year=target, min_class_size=rule.min_class_size,
                                   max_class_size=rule.max_class_size, min_per_grade=rule.min_per_grade), actor)
        copy.grades.set(rule.grades.all())
    audit_record(
        action=Action.YEAR_COPY_FORWARD, actor=actor, school=current_school(), target=target,
        new=row_values(target), source=source.year, year=year, roll_up=roll_up,
    )
    return target


# --- enrolment spreadsheets (schools/imports.py is the engine) ----------------------------------

def enrolment_import_check(data: dict, *, progress=None) -> imports.CheckResult:
    """Check a file's rows against the current school (nothing is written). A row of another
    school (a district file with a school column, uploaded here) is refused."""
    school = current_school()
    lines = list(imports.data_lines(data))
    book = imports.SchoolBook.load_for(
        lines, school_name=school.name if school else "This school",
        school_keys=[imports.text_key(school.code), imports.text_key(school.name)] if school else (),
    )
    return book.check(lines)


@transaction.atomic
def enrolments_import(*, data: dict, actor=None, file_name: str = "", progress=None) -> imports.CheckResult:
    """Write a school's enrolment file, all rows or none, with one audit event and its counts.

    The rows are checked again against the school as it is now: ValidationError (nothing
    written) when any row no longer passes.
    """
    policy.require_actor("edit_school", actor, current_school())
    result = enrolment_import_check(data)
    if not result.ok:
        raise ValidationError(_not_imported(result))
    imports.book_write(result, actor=actor)
    audit_record(action=Action.ENROLMENT_IMPORT, actor=actor, school=current_school(), target_label=file_name,
                 rows=len(result.outcomes), counts=result.counts, file_name=file_name)
    return result


def _not_imported(result: imports.CheckResult) -> str:
    first = [f"Row {p['row']}: {p['text']}" if p["row"] else p["text"] for p in result.all_problems[:3]]
    return ("Nothing was imported: since the file was checked, the school's data changed and "
            f"{len(result.all_problems)} row problem(s) appeared: " + " ".join(first)
            + " Upload the file again to see them all.")


def _job_write(data, *, job, progress=None):
    return enrolments_import(data=data, actor=job.confirmed_by, file_name=job.file_name, progress=progress)


enrolment_import_jobs = imports.ImportJobRunner(
    EnrolmentImport, check=enrolment_import_check, write=_job_write,
    check_task=enrolment_import_check_task, write_task=enrolment_import_write_task,
)


def enrolment_import_request(*, file_name: str, content: bytes, actor) -> EnrolmentImport:
    """Keep an uploaded file and queue its check (the preview); staff and district staff only."""
    policy.require_actor("edit_school", actor, current_school())
    return enrolment_import_jobs.request(file_name=file_name, content=content, actor=actor)


def enrolment_import_confirm(*, job_id: int, actor) -> EnrolmentImport:
    """Confirm a checked preview once and queue the write; ValidationError saying why not otherwise."""
    policy.require_actor("edit_school", actor, current_school())
    return enrolment_import_jobs.confirm(job_id=job_id, actor=actor)


def enrolment_import_check_run(*, job_id: int) -> EnrolmentImport | None:
    return enrolment_import_jobs.run_check(job_id=job_id)


def enrolment_import_write_run(*, job_id: int) -> EnrolmentImport | None:
    return enrolment_import_jobs.run_write(job_id=job_id)


def enrolment_imports_clean() -> int:
    """In every school: expire old previews, fail jobs whose worker is gone, delete old jobs."""
    cleaned = 0
    for school in school_list():
        with tenant_context(school):
            cleaned += enrolment_import_jobs.clean()
    return cleaned
