"""Reads about a school's planning data (in the current school's schema)."""

from math import ceil

from django.conf import settings

from optimization import DEFAULT_RANKING
from schools import rulepacks
from schools.models import CompositeRule, Enrolment, EnrolmentImport, Grade, LocalRule, LockedClass, SchoolYear
from schools.rulepacks import RulePack
from tenants.context import current_school
from tenants.models import User
from tenants.selectors import district_settings

ALTERNATIVES = 3


def year_enrolments(year: SchoolYear) -> list[Enrolment]:
    return list(Enrolment.objects.filter(year=year).select_related("grade").order_by("grade__order"))


def year_composites(year: SchoolYear) -> list[CompositeRule]:
    return list(CompositeRule.objects.filter(year=year).prefetch_related("grades").order_by("id"))


# The ranking criteria in the words of the planning pages (the contract's names as keys).
PRIORITIES = {
    "composites": "Avoid composite classes",
    "classes": "Use every teacher (smaller classes)",
    "largest": "Keep the largest class small",
    "spread": "Even class sizes",
}


def year_ranking(year: SchoolYear, *, settings_row=None) -> list[str]:
    """The year's priorities, most important first: its own, else the district's, else the default."""
    if year.ranking:
        return list(year.ranking)
    settings_row = settings_row or district_settings()
    district = [c for c in (settings_row.ranking or []) if c in PRIORITIES]
    return district or list(DEFAULT_RANKING)


def year_rule_pack(year: SchoolYear, *, settings_row=None) -> tuple[RulePack, str]:
    """(the rule pack in force for the year, "year" or "district": whose choice it is).

    A pack id that is no longer shipped falls back to "none" rather than failing a page.
    """
    chosen, whose = year.rule_pack, "year"
    if not chosen:
        chosen, whose = (settings_row or district_settings()).rule_pack, "district"
    try:
        return rulepacks.pack_get(chosen or rulepacks.DEFAULT_PACK_ID), whose
    except rulepacks.UnknownPack:
        return rulepacks.pack_get(rulepacks.DEFAULT_PACK_ID), whose


def local_rules() -> list[LocalRule]:
    return list(LocalRule.objects.filter(active=True).prefetch_related("grades").order_by("id"))


def year_rules(year: SchoolYear, grades: list[dict], *, pack: RulePack | None = None,
               local: list[LocalRule] | None = None) -> list[dict]:
    """Every rule that applies to the year, in the problem's order, with where it comes from.

    [{"rule": the contract's rule dict, "label", "origin": "pack" | "local", "source", "url"}].
    `grades`: the problem's grade dicts. A local rule whose grades are not taught is left out.
    """
    pack = pack or year_rule_pack(year)[0]
    sources = {r.label: r.source for r in pack.rules}
    rules = []
    for rule in pack.problem_rules(grades):
        source = sources.get(rule["label"])
        rules.append({"rule": rule, "label": rule["label"], "origin": "pack",
                      "source": source.title if source else pack.name, "url": source.url if source else ""})
    taught = [g["code"] for g in grades]
    for local_rule in local_rules() if local is None else local:
        codes = [code for code in taught if code in {g.code for g in local_rule.grades.all()}]
        if codes:
            rules.append({"rule": local_rule.problem_rule(codes), "label": local_rule.label, "origin": "local",
                          "source": local_rule.source or "The school's own rule", "url": ""})
    return rules


def year_locked_classes(year: SchoolYear) -> list[LockedClass]:
    return list(LockedClass.objects.filter(year=year).order_by("id"))


def year_problem(year: SchoolYear, *, school_name: str | None = None, with_sources: bool = False,
                 enrolments=None, composites=None, settings_row=None, locks=None):
    """The optimizer's problem for this year, JSON-ready (see shared/contract/README.md),
    version 2: the school's priorities as `ranking`, the rule pack's rules and the school's
    local rules as `rules`, the pack's composite cap applied to every composite, and the
    year's locked classes as `fixed`.

    Grades without an enrolment row that year are not taught that year and are left out.
    With `with_sources`, returns (problem, rules with their sources: see `year_rules`).
    `enrolments`, `composites`, `settings_row` and `locks` may be passed when already read.
    """
    settings_row = settings_row or district_settings()
    pack, _ = year_rule_pack(year, settings_row=settings_row)
    enrolments = year_enrolments(year) if enrolments is None else enrolments
    taught = {e.grade_id for e in enrolments}
    grades = []
    for e in enrolments:
        grade = {"code": e.grade.code}
        if e.grade.name:
            grade["name"] = e.grade.name
        grade.update(students=e.students, min_class_size=e.min_class_size, max_class_size=e.max_class_size)
        grades.append(grade)
    limits = {e.grade.code: (e.min_class_size, e.max_class_size) for e in enrolments}
    cap = pack.composite_max_class_size
    allowed = year_composites(year) if composites is None else composites
    composites = []
    for rule in allowed:
        members = sorted(rule.grades.all(), key=lambda g: g.order)
        if len(members) < 2 or any(g.pk not in taught for g in members):
            continue  # the admin refuses these; never hand the optimizer a rule it would reject
        composite = {"grades": [g.code for g in members]}
        for field in ("min_class_size", "max_class_size", "min_per_grade"):
            value = getattr(rule, field)
            if value is not None:
                composite[field] = value
        if cap is not None:  # the pack's cap on composite classes, never above the school's own
            largest = composite.get("max_class_size") or min(limits[g.code][1] for g in members)
            composite["max_class_size"] = min(largest, cap)
            smallest = composite.get("min_class_size") or max(limits[g.code][0] for g in members)
            if smallest > composite["max_class_size"]:
                composite["min_class_size"] = composite["max_class_size"]
        composites.append(composite)
    if school_name is None:
        school = current_school()
        school_name = school.name if school is not None else ""
    rules = year_rules(year, grades, pack=pack)
    problem = {
        "name": f"{school_name} {year.year}".strip(),
        "teachers": year.teachers,
        "composite_min_per_grade": year.composite_min_per_grade,
        "grades": grades,
        "composites": composites,
        "alternatives": ALTERNATIVES,
        "time_limit_s": settings.SOLVER_TIME_LIMIT_S,
        "ranking": year_ranking(year, settings_row=settings_row),
        "rules": [r["rule"] for r in rules],
        "fixed": [{"grades": dict(lock.counts), "label": lock.label}
                  for lock in (year_locked_classes(year) if locks is None else locks)],
    }
    return (problem, rules) if with_sources else problem


def min_straight_classes(rows) -> int:
    """Fewest straight classes: per grade with students, ceil(students / max class size).

    rows: (students, max_class_size) pairs.
    """
    return sum(ceil(students / size) for students, size in rows if students > 0 and size and size > 0)


def year_totals(year: SchoolYear) -> dict:
    """Cheap figures for the admin: students, straight-class minimum, teachers and spare."""
    rows = list(Enrolment.objects.filter(year=year).values_list("students", "max_class_size"))
    students = sum(s for s, _ in rows)
    minimum = min_straight_classes(rows)
    return {
        "students": students,
        "grades": len(rows),
        "min_straight_classes": minimum,
        "teachers": year.teachers,
        "spare_teachers": year.teachers - minimum,
    }


def grade_list():
    return Grade.objects.order_by("order")


def year_latest() -> SchoolYear | None:
    return SchoolYear.objects.order_by("-year").first()


def year_warnings(year: SchoolYear, *, enrolments=None, composites=None) -> list[str]:
    """Things that are allowed but probably wrong, in sentences a secretary can act on.

    `enrolments` and `composites` (year_enrolments, year_composites) when already read."""
    enrolments = year_enrolments(year) if enrolments is None else enrolments
    if composites is None:
        in_composite = set(
            CompositeRule.grades.through.objects.filter(compositerule__year=year).values_list("grade_id", flat=True)
        )
    else:
        in_composite = {g.pk for rule in composites for g in rule.grades.all()}
    warnings = []
    for e in enrolments:
        if 0 < e.students < e.min_class_size and e.grade_id not in in_composite:
            warnings.append(
                f"{e.grade.label}: {e.students} students is fewer than the smallest class "
                f"({e.min_class_size}) and no composite class includes this grade, so no plan can "
                f"place them. Lower the min class size or allow a composite with this grade."
            )
    if enrolments and year.teachers < min_straight_classes((e.students, e.max_class_size) for e in enrolments):
        if not (year_composites(year) if composites is None else composites):
            warnings.append(
                f"Teachers: {year.teachers} is fewer than the "
                f"{min_straight_classes((e.students, e.max_class_size) for e in enrolments)} straight "
                f"classes these students need, and no composite classes are allowed."
            )
    return warnings


def year_history(year: SchoolYear, limit: int = 200) -> list[dict]:
    """Every recorded change to the year, its enrolments and composites, newest first.

    Each entry: when, user (id), what ("Enrolment Grade 1"), kind (added/changed/deleted) and
    changes: [(field, old, new)].
    """
    kinds = {"+": "added", "~": "changed", "-": "deleted"}
    all_grades = list(Grade.objects.all())
    grade_names = {g.pk: g.label for g in all_grades}
    grade_codes = {g.pk: g.code for g in all_grades}
    grade_order = {g.code: g.order for g in all_grades}
    entries = []

    def collect(records, label):
        records = list(records.order_by("history_date", "history_id"))
        previous = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None:
                delta = record.diff_against(before)
                for change in delta.changes:
                    old, new = change.old, change.new
                    if change.field == "grades":
                        old = ", ".join(grade_names.get(r["grade"], "?") for r in old or [])
                        new = ", ".join(grade_names.get(r["grade"], "?") for r in new or [])
                    elif change.field == "grade":
                        old, new = grade_names.get(old, old), grade_names.get(new, new)
                    field = record.instance_type._meta.get_field(change.field).verbose_name
                    changes.append((field, old, new))
            previous[record.id] = record
            if before is not None and record.history_type == "~" and not changes:
                continue
            entries.append({
                "when": record.history_date, "user_id": record.history_user_id, "what": label(record),
                "kind": kinds.get(record.history_type, record.history_type), "changes": changes,
            })

    collect(SchoolYear.history.filter(id=year.pk), lambda r: f"Year {r.year}")
    collect(Enrolment.history.filter(year_id=year.pk),
            lambda r: f"Enrolment: {grade_names.get(r.grade_id, 'a deleted grade')}")
    composite_codes = {}
    for record in CompositeRule.history.filter(year_id=year.pk).order_by("history_date"):
        codes = [grade_codes.get(g) for g in record.grades.values_list("grade_id", flat=True)]
        if codes:
            composite_codes[record.id] = "/".join(sorted(filter(None, codes), key=grade_order.get))
    collect(CompositeRule.history.filter(year_id=year.pk),
            lambda r: f"Composite class {composite_codes.get(r.id, '')}".strip())
    entries.sort(key=lambda e: e["when"], reverse=True)
    entries = entries[:limit]
    users = {u.pk: u for u in User.objects.filter(pk__in={e["user_id"] for e in entries if e["user_id"]})}
    for entry in entries:
        user = users.get(entry["user_id"])
        entry["who"] = (user.get_full_name() or user.username) if user else "—"
    return entries


# What deleting a year takes with it, in the users' words (models of higher apps by name only).
DELETED_WITH_YEAR = {
    "schools.enrolment": "enrolment rows (students per grade)",
    "schools.compositerule": "composite class rules",
    "plans.planjob": "plan runs",
    "plans.allocationplan": "plans",
    "plans.plannedclass": "classes in those plans",
    "reports.report": "report files (PDF and CSV)",
}


def year_delete_summary(year: SchoolYear) -> dict:
    """What deleting `year` deletes with it: {"rows": [{label, count}], "adopted_plan": the
    adopted plan or None, "adopted_reports": how many of its report files are ready}.

    Django's deletion collector finds every row that goes, whichever app it belongs to.
    """
    from django.contrib.admin.utils import NestedObjects

    collector = NestedObjects(using="default")
    collector.collect([year])
    rows, adopted, adopted_reports = [], None, 0
    for model, objects in collector.model_objs.items():
        if model is SchoolYear or model._meta.auto_created or not objects:
            continue
        label = model._meta.label_lower
        rows.append({"label": DELETED_WITH_YEAR.get(label, str(model._meta.verbose_name_plural)),
                     "count": len(objects), "key": label})
        if label == "plans.allocationplan":
            adopted = next((p for p in objects if p.adopted), None)
    if adopted is not None:
        reports = next((objs for model, objs in collector.model_objs.items()
                        if model._meta.label_lower == "reports.report"), ())
        adopted_reports = sum(1 for r in reports if r.plan_id == adopted.pk and r.status == "ready")
    order = list(DELETED_WITH_YEAR)
    rows.sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    return {"rows": rows, "adopted_plan": adopted, "adopted_reports": adopted_reports}


# --- enrolment imports -------------------------------------------------------------------------

def year_numbers() -> list[int]:
    """The school's years, newest first."""
    return list(SchoolYear.objects.order_by("-year").values_list("year", flat=True))


def enrolment_imports_recent(limit: int = 10):
    return list(EnrolmentImport.objects.defer("upload", "data", "changes", "problems")[:limit])


def enrolment_import_get(*, pk: int) -> EnrolmentImport | None:
    """An import job of the current school, without its file and rows (None: no such import)."""
    return EnrolmentImport.objects.defer("upload", "data").filter(pk=pk).first()
