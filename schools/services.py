"""State changes to a school's planning data (in the current school's schema)."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max

from schools import imports, rulepacks
from schools.models import MAX_STUDENTS, CompositeRule, Enrolment, EnrolmentImport, Grade, SchoolYear
from schools.selectors import year_delete_summary
from schools.signals import year_deleting
from schools.tasks import enrolment_import_check_task, enrolment_import_write_task
from tenants import policy
from tenants.audit import Action, audit_record, row_values
from tenants.context import current_school, tenant_context
from tenants.selectors import district_settings, school_list


def _save(obj, actor):
    """Save, recording `actor` in the history (outside a request the middleware cannot)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor
    obj.save()
    return obj


@transaction.atomic
def grades_from_template(*, grades: list[tuple[str, str]], actor=None) -> list[Grade]:
    """Make the current school's grades from a template's (code, name) pairs, youngest first,
    with the class sizes of the district's rule pack (the model's defaults for a grade the
    pack does not know). Grades the school has already are left alone.

    Part of creating a school (`tenants.services.school_create` sends `school_created`; its one
    audit event lists the grades).
    """
    try:
        pack = rulepacks.pack_get(district_settings().rule_pack)
    except rulepacks.UnknownPack:
        pack = rulepacks.pack_get(rulepacks.DEFAULT_PACK_ID)
    fallback = (Grade._meta.get_field("min_class_size").default, Grade._meta.get_field("max_class_size").default)
    order = (Grade.objects.aggregate(last=Max("order"))["last"] or 0) + 1 if Grade.objects.exists() else 0
    taken = set(Grade.objects.values_list("code", flat=True))
    made = []
    for code, name in grades:
        if code in taken:
            continue
        low, high = pack.grade_limits(code) or (name and pack.grade_limits(name)) or fallback
        grade = Grade(code=code, name=name, order=order, min_class_size=low, max_class_size=high)
        grade.full_clean()
        made.append(_save(grade, actor))
        order += 1
    return made


@transaction.atomic
def year_delete(*, year: SchoolYear, actor=None, delete_adopted_reports: bool = False) -> dict:
    """Delete a year with everything that belongs to it (its enrolments, composite rules, plans,
    solver runs and report files), recording one event with what went.

    The adopted plan's report files are kept (listed under "kept reports" on the school's
    plans and reports page) unless `delete_adopted_reports`: the reports app detaches them
    when it hears `year_deleting`.
    """
    policy.require_actor("edit_school", actor, current_school())
    summary = year_delete_summary(year)
    year_deleting.send(sender=SchoolYear, year=year, keep_adopted_reports=not delete_adopted_reports)
    old = row_values(year)
    if actor is not None and getattr(actor, "is_authenticated", False):
        year._history_user = actor
    label, pk = str(year), year.pk
    year.delete()
    year.pk = pk
    audit_record(action=Action.YEAR_DELETE, actor=actor, school=current_school(), target=year, target_label=label,
                 old=old, deleted={row["label"]: row["count"] for row in summary["rows"]},
                 adopted_reports_kept=not delete_adopted_reports and summary["adopted_reports"] > 0)
    return summary


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
    exists = ValidationError({"year": f"The year {year} already exists; it was not changed."})
    if SchoolYear.objects.filter(year=year).exists():
        raise exists
    if first_grade_students is not None and first_grade_students < 0:
        raise ValidationError({"first_grade_students": "Students cannot be negative."})
    if first_grade_students is not None and first_grade_students > MAX_STUDENTS:
        raise ValidationError({"first_grade_students": f"Students in one grade can be at most {MAX_STUDENTS:,}."})
    target = SchoolYear(
        year=year,
        teachers=source.teachers,
        composite_min_per_grade=source.composite_min_per_grade,
        status=SchoolYear.Status.DRAFT,
        notes=f"Copied from {source.year}" + (", students moved up one grade." if roll_up else "."),
    )
    target.full_clean()
    try:
        with transaction.atomic():  # another copy to the same year may commit first: then this one waits, fails
            _save(target, actor)
    except IntegrityError:
        raise exists from None

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


# --- the year's page: a page opened before another save is refused ----------------------------

_SNAPSHOT_SALT = "schools.year-page"


def _year_values(year: SchoolYear) -> dict:
    values = {"Teachers": year.teachers, "Default min per grade in a composite": year.composite_min_per_grade,
              "Status": year.get_status_display(), "Notes": year.notes}
    for e in Enrolment.objects.filter(year=year).select_related("grade").order_by("grade__order"):
        label = e.grade.label
        values[f"{label} students"] = e.students
        values[f"{label} min class size"] = e.min_class_size
        values[f"{label} max class size"] = e.max_class_size
    values["Composite classes"] = ", ".join(sorted(
        "/".join(g.code for g in rule.grades.all()) for rule in year.composites.prefetch_related("grades")))
    return values


def year_snapshot_sign(year: SchoolYear) -> str:
    """The version and values of the year as a page shows them now (signed, for a hidden field)."""
    return signing.dumps({"version": year.version, "values": _year_values(year)}, salt=_SNAPSHOT_SALT)


def year_version_check(*, year: SchoolYear, opened: str) -> None:
    """Lock the year and refuse a save from a page opened at an older version, saying what changed
    since (ValidationError). The lock holds until the save's transaction ends."""
    current = SchoolYear.objects.select_for_update().get(pk=year.pk)
    try:
        snapshot = signing.loads(opened, salt=_SNAPSHOT_SALT)
    except signing.BadSignature:
        raise ValidationError("This page is out of date. Reload it and enter your changes again.") from None
    if snapshot["version"] == current.version:
        return
    now = _year_values(current)
    before = snapshot["values"]
    changed = [f"{name}: {before.get(name, '—')} → {now.get(name, '—')}"
               for name in dict.fromkeys([*before, *now]) if before.get(name) != now.get(name)]
    raise ValidationError(
        "Someone else saved this year after you opened this page, so your changes were not saved. "
        "What they changed: " + ("; ".join(changed) or "nothing you can see here") + ". "
        "Reload the page to see their changes, then make yours again.")


def year_version_bump(*, year: SchoolYear) -> None:
    """A save of the year's page: pages opened before it are now out of date."""
    SchoolYear.objects.filter(pk=year.pk).update(version=F("version") + 1)
    year.refresh_from_db(fields=["version"])


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
