"""Reads about plans: a plan's class table, comparisons across years and across schools.

Everything here reads the *current* schema (one school), except `district_year_rows`,
which visits every school's schema in turn with a fixed number of queries per school.
"""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from optimization import DEFAULT_RANKING, ProblemError, parse_problem, plan_checks
from schools.models import Enrolment, Grade, SchoolYear, grade_label
from schools.plans.explain import tradeoff
from schools.plans.models import AllocationPlan, PlanJob, PlannedClass
from schools.selectors import (PRIORITIES, year_composites, year_enrolments, year_locked_classes, year_problem,
                               year_rule_pack, year_warnings)
from tenants.context import tenant_context
from tenants.selectors import district_settings, school_list


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
            "id": getattr(cls, "pk", None), "locked": bool(getattr(cls, "locked", False)),
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


# --- the planning pages --------------------------------------------------------------------


def priorities_words(ranking) -> list[dict]:
    """The four priorities in the year's order: counted ones first, then those not counted."""
    counted = [c for c in ranking if c in PRIORITIES]
    rest = [c for c in PRIORITIES if c not in counted]
    return ([{"key": c, "words": PRIORITIES[c], "counted": True, "position": i, "last": i == len(counted)}
             for i, c in enumerate(counted, 1)]
            + [{"key": c, "words": PRIORITIES[c], "counted": False, "position": None} for c in rest])


def year_overview(year: SchoolYear) -> dict:
    """The year at a glance: students per grade, teachers, composites, the rule pack and every
    rule in force with its source, the locked classes, the priorities, and the checks before
    solving (a grade no class can take, too few teachers, locks that no longer fit)."""
    settings_row = district_settings()
    pack, whose = year_rule_pack(year, settings_row=settings_row)
    enrolments, composites, locks = year_enrolments(year), year_composites(year), year_locked_classes(year)
    problem, rules = year_problem(year, with_sources=True, enrolments=enrolments, composites=composites,
                                  settings_row=settings_row, locks=locks)
    enrolled = {g["code"]: g["students"] for g in problem["grades"]}
    checks = year_warnings(year, enrolments=enrolments, composites=composites)
    held: dict[str, int] = {}
    for lock in locks:
        for code, n in lock.counts.items():
            held[code] = held.get(code, 0) + n
    for code, n in held.items():
        if n > enrolled.get(code, 0):
            checks.append(f"The locked classes hold {n} grade {code} students but {year.year} has "
                          f"{enrolled.get(code, 0)} now. Remove a lock before generating.")
    if len(locks) > year.teachers:
        checks.append(f"{len(locks)} classes are locked but {year.year} has {year.teachers} teachers. "
                      "Remove a lock before generating.")
    described = pack.describe_rules()
    ranking = problem["ranking"]
    return {
        "problem": problem,
        "grades": [{**g, "label": grade_label(g["code"], g.get("name", ""))} for g in problem["grades"]],
        "students": sum(enrolled.values()),
        "composites": ["/".join(c["grades"]) for c in problem["composites"]],
        "pack": pack,
        "pack_whose": whose,
        "district_pack": settings_row.rule_pack,
        "rules": rules,
        "composite_cap": next((r for r in described["rules"] if pack.composite_max_class_size is not None
                               and r["label"] == pack.composite_label), None),
        "not_checked": described["not_checked"],
        "locks": locks,
        "ranking": ranking,
        "ranking_whose": "year" if year.ranking else "district",
        "priorities": priorities_words(ranking),
        "checks": checks,
    }


def _percent(value) -> str:
    return f"{value * 100:.0f}%" if value * 100 == int(value * 100) else f"{value * 100:.1f}%"


def rule_figure(rule: dict, check: dict) -> str:
    """A rule's figure in a plan, in words: "largest 23 (at most 23)"."""
    value = check.get("value", 0)
    if rule.get("kind") == "cap":
        return f"largest class {value:g} (at most {rule['size']})"
    if rule.get("kind") == "share":
        return f"{_percent(value)} at {rule['size']} or fewer (at least {_percent(rule['share'])})"
    return f"average {value:.1f} (at most {rule['average']:g})"


def plan_compliance(plan: AllocationPlan, *, problem: dict | None = None, sources: list | None = None,
                    classes=None) -> list[dict]:
    """Each rule the plan was made under, with where it comes from, its figure in this plan
    and whether it holds: [{"label", "origin", "source", "url", "figure", "holds"}]."""
    problem = problem if problem is not None else plan_problem(plan)
    if sources is None:
        sources = plan.job.rules if plan.job_id and plan.job else []
    rules = problem.get("rules") or []
    checks = plan.checks if len(plan.checks or []) == len(rules) else None
    if checks is None and rules:
        classes = list(plan.planned_classes.all()) if classes is None else classes
        checks = plan_checks(problem, {"classes": [{"grades": c.counts} for c in classes]})
    rows = []
    for i, rule in enumerate(rules):
        source = sources[i] if i < len(sources) else {}
        rows.append({"label": rule.get("label") or source.get("label", ""), "origin": source.get("origin", ""),
                     "source": source.get("source", ""), "url": source.get("url", ""),
                     "figure": rule_figure(rule, checks[i]), "holds": checks[i]["holds"]})
    for extra in sources[len(rules):]:
        if extra.get("composite_cap"):
            classes = list(plan.planned_classes.all()) if classes is None else classes
            sizes = [c.size for c in classes if len([n for n in c.counts.values() if n]) > 1]
            largest = max(sizes, default=0)
            rows.append({**{k: extra.get(k, "") for k in ("label", "origin", "source", "url")},
                         "figure": f"largest composite {largest} (at most {extra['composite_cap']})",
                         "holds": largest <= extra["composite_cap"]})
    return rows


def plan_chart_svg(plan: AllocationPlan, table: dict) -> str:
    """The plan's chart: the one stored with it. A plan saved before charts were stored has
    its chart drawn once and kept in the cache (plans never change)."""
    if plan.chart:
        return plan.chart
    from django.core.cache import cache

    from schools.plans import charts

    key = f"plans:chart:{plan.pk}:{plan.created.timestamp():.6f}"  # cache keys are prefixed by school
    svg = cache.get(key)
    if svg is None:
        svg = charts.class_size_chart(table) if table["rows"] else ""
        cache.set(key, svg, 7 * 24 * 3600)
    return svg


def plan_card(plan: AllocationPlan, *, teachers: int, best: AllocationPlan | None = None,
              problem: dict | None = None, grade_names: dict | None = None) -> dict:
    """Everything a plan's card shows: figures, class table, chart, compliance, and what it
    trades against `best` (plan 1 of the same run)."""
    classes = list(plan.planned_classes.all())
    problem = problem if problem is not None else plan_problem(plan)
    table = plan_table(plan, classes=classes, problem=problem)
    codes = [g["code"] for g in problem.get("grades", [])]
    card = {
        "plan": plan,
        "table": table,
        "classes": classes,
        "idle": max(0, teachers - table["classes"]),
        "teachers": teachers,
        "spread": plan.spread,
        "largest": plan.largest if plan.largest is not None else table["largest_size"],
        "chart": plan_chart_svg(plan, table),
        "compliance": plan_compliance(plan, problem=problem, classes=classes),
        "locked": [c for c in classes if c.locked],
        "tradeoff": "",
    }
    card["holds_all"] = all(r["holds"] for r in card["compliance"])
    if best is not None and best.pk != plan.pk:
        def as_plan(p, rows):
            return {"rank": p.rank, "classes": [{"grades": c.counts} for c in rows]}

        card["tradeoff"] = tradeoff(
            as_plan(plan, classes), as_plan(best, list(best.planned_classes.all())), teachers=teachers,
            ranking=plan.ranking or problem.get("ranking") or DEFAULT_RANKING,
            grade_names=grade_names or {g["code"]: g.get("name", "") for g in problem.get("grades", [])},
            grade_order=codes)
    return card


def year_plans(year: SchoolYear) -> dict:
    """The year's plans for the planning page: the adopted one (if any) and the latest run's,
    best first, each with what its card needs (`plan_card(**slot)` makes the card); a constant
    number of queries whatever the number of plans and classes."""
    plans = list(
        AllocationPlan.objects.filter(year=year).filter(Q(superseded=False) | Q(adopted=True))
        .select_related("job", "derived_from").defer("job__result", "job__sweep")
        .prefetch_related(Prefetch("planned_classes", queryset=PlannedClass.objects.order_by("position")))
        .order_by("rank", "-created")
    )
    adopted = next((p for p in plans if p.adopted), None)
    run = [p for p in plans if not p.superseded and not p.edited]
    newest_job = max((p.job_id or 0 for p in run), default=0)
    run = [p for p in run if (p.job_id or 0) == newest_job]
    best = run[0] if run else None
    teachers = (best.job.problem.get("teachers") if best and best.job_id else None) or year.teachers
    cards = [{"plan": p, "teachers": teachers, "best": best} for p in run]
    adopted_card = None
    if adopted is not None and adopted not in run:
        adopted_card = {"plan": adopted, "teachers": plan_problem(adopted).get("teachers") or year.teachers,
                        "best": None}
    first_note = ("First by your priorities; each other plan says below what it gives up against it."
                  if len(cards) > 1 else "")
    return {"cards": cards, "adopted": adopted, "adopted_card": adopted_card, "teachers": teachers,
            "first_note": first_note,
            "ranking": (best.ranking if best else None) or [],
            "priorities": priorities_words((best.ranking if best else None) or DEFAULT_RANKING)}


def job_outcome(job: PlanJob | None) -> dict:
    """What the latest job means for a person, honestly: proven best, best found in the time
    allowed, no plan (proven, with the diagnosis), out of time with nothing found, or failed."""
    if job is None:
        return {"kind": "none"}
    result = job.result or {}
    status = result.get("status")
    if job.status in PlanJob.LIVE:
        return {"kind": "live"}
    if job.status == PlanJob.Status.SUCCEEDED:
        return {"kind": "optimal" if status == "optimal" else "feasible"}
    if job.status == PlanJob.Status.INFEASIBLE:
        return {"kind": "infeasible", "diagnosis": result.get("diagnosis") or [],
                "min_teachers": result.get("min_teachers")}  # None: no proven number, so no advice
    if status == "timeout":
        return {"kind": "timeout"}
    return {"kind": "failed", "error": job.error}


class _SweepClass:
    """A class of a what-if plan, shaped like a PlannedClass for `plan_table`."""

    def __init__(self, cls: dict):
        self.name, self.counts, self.teacher_name, self.locked = cls["name"], cls["grades"], "", cls.get("fixed")
        self.size = sum(cls["grades"].values())


def sweep_cards(job: PlanJob, row: dict) -> list[dict]:
    """The what-if's plans for one number of teachers, as cards (figures, classes, what each
    trades against the first); no chart and no adoption: they answer "what if"."""
    problem = {**job.problem, "teachers": row["teachers"]}
    names = {g["code"]: g.get("name", "") for g in problem.get("grades", [])}
    codes = [g["code"] for g in problem.get("grades", [])]
    cards, first = [], None
    for plan in row.get("plans") or []:
        classes = [_SweepClass(c) for c in plan["classes"]]
        table = plan_table(None, classes=classes, problem=problem)
        as_plan = {"rank": plan["rank"], "classes": [{"grades": c["grades"]} for c in plan["classes"]]}
        first = first or as_plan
        cards.append({
            "rank": plan["rank"], "table": table, "idle": max(0, row["teachers"] - table["classes"]),
            "spread": plan["spread"], "largest": plan.get("largest") or table["largest_size"],
            "tradeoff": "" if as_plan is first else tradeoff(
                as_plan, first, teachers=row["teachers"], ranking=problem.get("ranking") or DEFAULT_RANKING,
                grade_names=names, grade_order=codes),
        })
    return cards
