"""Reads about plans: a plan's class table, comparisons across years and across schools.

Everything here reads the *current* schema (one school), except `district_year_rows`,
which visits every school's schema in turn with a fixed number of queries per school.
"""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from optimization import ProblemError, parse_problem
from schools.models import Enrolment, Grade, SchoolYear, grade_label
from schools.plans.models import AllocationPlan, PlanJob, PlannedClass
from schools.selectors import year_problem
from tenants.context import tenant_context
from tenants.selectors import school_list


# --- one plan ------------------------------------------------------------------------------


def plan_problem(plan: AllocationPlan) -> dict:
    """The problem the plan answers: its job's exact problem, or the year's data today."""
    if plan.job_id is not None and plan.job.problem:
        return plan.job.problem
    return year_problem(plan.year)


def class_limits(problem, codes: tuple[str, ...]) -> tuple[int | None, int | None]:
    """(fewest, most) students allowed in a class holding these grade codes."""
    if len(codes) == 1:
        grade = problem.grade_by_code.get(codes[0])
        return (grade.min_class_size, grade.max_class_size) if grade else (None, None)
    composite = problem.composite_by_grades.get(tuple(sorted(codes)))
    return (composite.min_class_size, composite.max_class_size) if composite else (None, None)


def plan_table(plan: AllocationPlan, *, classes=None, problem: dict | None = None) -> dict:
    """The plan as a classes x grades table with totals and each class's size against its limits.

    {"grades": [{"code", "name", "students"}], "rows": [{"name", "teacher_name", "counts": [n|None per
    grade], "grades": "K/1", "size", "min", "max", "fits": "ok"|"small"|"large"|"not allowed"}],
    "totals": [placed per grade], "total": all placed, "classes": n, "composites": n,
    "average_size": float, "largest_size": n, "smallest_size": n}
    `classes` (PlannedClass rows) may be passed when already prefetched.
    """
    problem_data = problem or plan_problem(plan)
    try:
        parsed = parse_problem(problem_data)
    except ProblemError:
        parsed = None
    grades = [
        {"code": g["code"], "name": g.get("name") or g["code"], "label": grade_label(g["code"], g.get("name", "")),
         "students": g["students"]}
        for g in problem_data.get("grades", [])
    ]
    codes = [g["code"] for g in grades]
    order = {code: i for i, code in enumerate(codes)}
    rows = []
    classes = list(plan.planned_classes.all()) if classes is None else list(classes)
    for cls in classes:
        held = tuple(sorted((c for c, n in cls.counts.items() if n), key=lambda c: order.get(c, 99)))
        low, high = class_limits(parsed, held) if parsed and held else (None, None)
        size = sum(cls.counts.values())
        if low is None:
            fits = "not allowed" if held else "empty"
        elif size > high:
            fits = "large"
        elif size < low:
            fits = "small"
        else:
            fits = "ok"
        rows.append({
            "name": cls.name, "teacher_name": cls.teacher_name, "grades": "/".join(held),
            "counts": [cls.counts.get(code) or None for code in codes],
            "size": size, "min": low, "max": high, "fits": fits,
        })
    totals = [sum(row["counts"][i] or 0 for row in rows) for i in range(len(codes))]
    sizes = [row["size"] for row in rows]
    return {
        "grades": grades,
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "classes": len(rows),
        "composites": sum(1 for row in rows if "/" in row["grades"]),
        "average_size": round(sum(sizes) / len(sizes), 1) if sizes else None,
        "largest_size": max(sizes, default=None),
        "smallest_size": min(sizes, default=None),
    }


def plans_of_year(year: SchoolYear) -> QuerySet[AllocationPlan]:
    """The year's current (not superseded) plans, best first, with their classes."""
    return (
        AllocationPlan.objects.filter(year=year)
        .filter(Q(superseded=False) | Q(adopted=True))
        .select_related("job", "year")
        .prefetch_related("planned_classes")
        .order_by("-adopted", "rank", "-created")
    )


def job_latest(year: SchoolYear) -> PlanJob | None:
    return PlanJob.objects.filter(year=year).order_by("-created").first()


def job_finished_latest(year: SchoolYear) -> PlanJob | None:
    """The newest job that solved (or proved infeasible): what the what-if sweep starts from."""
    return (
        PlanJob.objects.filter(year=year, status__in=[PlanJob.Status.SUCCEEDED, PlanJob.Status.INFEASIBLE])
        .order_by("-created").first()
    )


def job_live(year: SchoolYear) -> PlanJob | None:
    return PlanJob.objects.filter(year=year, status__in=PlanJob.LIVE).first()


# --- across years (one school) -------------------------------------------------------------


def _summary_plans() -> Prefetch:
    """Adopted plans and current generated ones, with their classes (2 queries in all)."""
    return Prefetch(
        "plans",
        queryset=AllocationPlan.objects.filter(Q(adopted=True) | Q(superseded=False))
        .order_by("-adopted", "rank", "-created")
        .prefetch_related(Prefetch("planned_classes", queryset=PlannedClass.objects.order_by("position"))),
        to_attr="summary_plans",
    )


def _latest_job_status():
    return Subquery(PlanJob.objects.filter(year=OuterRef("pk")).order_by("-created").values("status")[:1])


def _plan_figures(plan: AllocationPlan | None) -> dict:
    if plan is None:
        return {"classes": None, "composites": None, "average_size": None, "largest_size": None}
    sizes = [c.size for c in plan.planned_classes.all()]
    return {
        "classes": len(sizes),
        "composites": plan.composites,
        "average_size": round(sum(sizes) / len(sizes), 1) if sizes else None,
        "largest_size": max(sizes, default=None),
    }


def _plan_state(plan: AllocationPlan | None, job_status: str | None) -> str:
    if job_status in PlanJob.LIVE:
        return "solving"
    if plan is not None:
        return "adopted" if plan.adopted else "generated"
    if job_status == PlanJob.Status.INFEASIBLE:
        return "infeasible"
    if job_status == PlanJob.Status.FAILED:
        return "failed"
    return "no plan"


def year_comparison_rows() -> list[dict]:
    """Per year of the current school, oldest first, the adopted plan (or else the best generated one).

    Each row: year, year_id, year_status, enrolment {grade code: students}, students, teachers,
    classes, composites, average_size, largest_size, plan (AllocationPlan or None), plan_id,
    plan_kind ("adopted" | "best generated" | None), status ("adopted", "generated", "solving",
    "infeasible", "failed", "no plan"). At most five queries whatever the number of years and classes
    (django-tenants adds a "SET search_path" before each).
    """
    years = (
        SchoolYear.objects.order_by("year")
        .annotate(latest_job_status=_latest_job_status())
        .prefetch_related(
            Prefetch("enrolments", queryset=Enrolment.objects.select_related("grade").order_by("grade__order")),
            _summary_plans(),
        )
    )
    rows = []
    for year in years:
        plan = year.summary_plans[0] if year.summary_plans else None
        enrolment = {e.grade.code: e.students for e in year.enrolments.all()}
        rows.append({
            "year": year.year,
            "year_id": year.pk,
            "year_status": year.status,
            "enrolment": enrolment,
            "students": sum(enrolment.values()),
            "teachers": year.teachers,
            **_plan_figures(plan),
            "plan": plan,
            "plan_id": plan.pk if plan else None,
            "plan_kind": None if plan is None else ("adopted" if plan.adopted else "best generated"),
            "status": _plan_state(plan, year.latest_job_status),
        })
    return rows


def grade_codes() -> list[str]:
    return list(Grade.objects.order_by("order").values_list("code", flat=True))


# --- across schools (district) -------------------------------------------------------------


def _school_year_row(school, year: int) -> dict:
    """One school's figures for a year; 3 queries (year + job status, plans, classes)."""
    school_year = (
        SchoolYear.objects.filter(year=year)
        .annotate(
            latest_job_status=_latest_job_status(),
            enrolled=Subquery(
                Enrolment.objects.filter(year=OuterRef("pk")).values("year")
                .annotate(total=Sum("students")).values("total")[:1]
            ),
        )
        .prefetch_related(_summary_plans())
        .first()
    )
    row = {"school": school, "school_name": school.name, "school_code": school.code,
           "year": year, "year_id": None, "students": None, "teachers": None,
           "classes": None, "composites": None, "average_size": None, "largest_size": None,
           "plan_id": None, "plan_kind": None, "job_status": None, "status": "no data"}
    if school_year is None:
        return row
    plan = school_year.summary_plans[0] if school_year.summary_plans else None
    row.update(
        year_id=school_year.pk,
        students=school_year.enrolled or 0,
        teachers=school_year.teachers,
        **_plan_figures(plan),
        plan_id=plan.pk if plan else None,
        plan_kind=None if plan is None else ("adopted" if plan.adopted else "best generated"),
        job_status=school_year.latest_job_status,
        status=_plan_state(plan, school_year.latest_job_status),
    )
    return row


def district_year_rows(*, year: int, schools=None) -> list[dict]:
    """Every school's plan for a year, by school name: one row per school (see `_school_year_row`).

    Row keys: school, school_name, school_code, year, year_id, students, teachers, classes,
    composites, average_size, largest_size, plan_id, plan_kind, job_status, status
    ("adopted", "generated", "solving", "infeasible", "failed", "no plan", "no data").
    Queries: 1 for the schools + 3 per school (each school is its own schema, so a per-school
    constant is the floor without hand-written cross-schema SQL). `district_totals(rows)` sums them.
    """
    schools = list(school_list()) if schools is None else schools
    rows = []
    for school in schools:
        with tenant_context(school):
            rows.append(_school_year_row(school, year))
    return rows


def district_totals(rows: list[dict]) -> dict:
    """The district total row: sums, and the average class size over every class."""
    def total(key):
        return sum(row[key] or 0 for row in rows)

    classes = total("classes")
    planned_students = sum(row["students"] or 0 for row in rows if row["classes"])
    return {
        "schools": len(rows),
        "students": total("students"),
        "teachers": total("teachers"),
        "classes": classes,
        "composites": total("composites"),
        "average_size": round(planned_students / classes, 1) if classes else None,
        "largest_size": max((row["largest_size"] for row in rows if row["largest_size"]), default=None),
        "adopted": sum(1 for row in rows if row["status"] == "adopted"),
    }


def district_job_progress(*, year: int, schools=None) -> dict:
    """Counts of each school's latest job for the year by status (for "generate for all")."""
    schools = list(school_list()) if schools is None else schools
    counts = {status: 0 for status in PlanJob.Status.values}
    counts["none"] = 0
    for school in schools:
        with tenant_context(school):
            status = (
                PlanJob.objects.filter(year__year=year).order_by("-created").values_list("status", flat=True).first()
            )
        counts[status or "none"] += 1
    done = counts["succeeded"] + counts["infeasible"] + counts["failed"]
    return {"counts": counts, "schools": len(schools), "done": done,
            "live": counts["queued"] + counts["running"]}
