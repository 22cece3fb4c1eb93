"""Reads for reports and the portal, in the current school's schema unless said otherwise."""

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from optimization import ProblemError, parse_problem
from reports.models import Report
from schools.plans import charts
from schools.plans import selectors as plans_selectors
from schools.plans.models import AllocationPlan
from schools import selectors as school_selectors
from tenants.context import current_school, tenant_context
from tenants.models import Invitation, Membership
from tenants.selectors import school_list

# Pending for longer than this means the job was lost (e.g. no worker): offer to try again.
STUCK_AFTER_S = 10 * 60


def plan_status_label(plan) -> str:
    if plan.adopted:
        return "Adopted"
    if plan.superseded:
        return "Superseded"
    return "Generated, not adopted"


def plan_rules(plan) -> dict:
    """The rules the plan was made under (its job's exact problem, else the year's data today)."""
    data = plans_selectors.plan_problem(plan)
    try:
        problem = parse_problem(data)
    except ProblemError:
        problem = None
    grades = [
        {"code": g["code"], "name": g.get("name") or g["code"], "students": g["students"],
         "min": g["min_class_size"], "max": g["max_class_size"]}
        for g in data.get("grades", [])
    ]
    composites = []
    if problem is not None:
        composites = [
            {"label": c.label, "min": c.min_class_size, "max": c.max_class_size, "min_per_grade": c.min_per_grade}
            for c in problem.composites
        ]
    return {
        "teachers": data.get("teachers"),
        "composite_min_per_grade": data.get("composite_min_per_grade", 1),
        "grades": grades,
        "composites": composites,
    }


def plan_table(plan) -> dict:
    """The plans app's plan_table, plus per class `mix`: "9 Grade 1 + 15 Grade 2"."""
    table = plans_selectors.plan_table(plan)
    labels = [g["label"] for g in table["grades"]]
    for row in table["rows"]:
        row["mix"] = " + ".join(f"{n} {label}" for n, label in zip(row["counts"], labels) if n)
    return table


def plan_report_context(plan, *, school_name: str, report: Report | None = None) -> dict:
    """Everything the plan PDF shows."""
    table = plan_table(plan)
    for row in table["rows"]:
        row["composite"] = "/" in row["grades"]
    table["grade_totals"] = [
        {**grade, "placed": placed} for grade, placed in zip(table["grades"], table["totals"])
    ]
    return {
        "school_name": school_name,
        "plan": plan,
        "year": plan.year,
        "status": plan_status_label(plan),
        "adopted_at": getattr(plan, "adopted_at", None),
        "table": table,
        "rules": plan_rules(plan),
        "spread": plan.spread,
        "generated_by": _person(report.created_by if report is not None else None),
        "generated_at": timezone.localtime(),
    }


def _person(user) -> str:
    if user is None:
        return "Classplan (automatic)"
    return user.get_full_name() or user.username


def year_comparison_rows() -> list[dict]:
    """Per year, oldest first: enrolment and the ADOPTED plan's figures (none when not adopted)."""
    rows = plans_selectors.year_comparison_rows()
    for row in rows:
        if row["plan_kind"] != "adopted":
            row.update(plan=None, plan_id=None, classes=None, composites=None, average_size=None,
                       largest_size=None)
        row["spread"] = row["plan"].spread if row["plan"] is not None else None
    return rows


def grade_codes() -> list[str]:
    return plans_selectors.grade_codes()


def comparison_context(*, school_name: str, report: Report | None = None) -> dict:
    rows = year_comparison_rows()
    codes = [c for c in grade_codes() if any(row["enrolment"].get(c) for row in rows)]
    for row in rows:
        row["grade_students"] = [row["enrolment"].get(code) for code in codes]
    return {
        "school_name": school_name,
        "rows": rows,
        "grade_codes": codes,
        "charts": charts.comparison_charts(rows, codes) if rows else [],
        "generated_by": _person(report.created_by if report is not None else None),
        "generated_at": timezone.localtime(),
    }


# --- report rows ---------------------------------------------------------------------------


def report_state(reports: list[Report]) -> dict:
    """What a download button shows for one kind: the newest ready file, and whether a newer one is coming.

    `reports`: that kind's reports, newest first.
    """
    ready = next((r for r in reports if r.status == Report.Status.READY), None)
    newest = reports[0] if reports else None
    pending = newest is not None and newest.status == Report.Status.PENDING
    stuck = pending and (timezone.now() - newest.created).total_seconds() > STUCK_AFTER_S
    failed = newest is not None and newest.status == Report.Status.FAILED
    return {"ready": ready, "newest": newest, "pending": pending, "stuck": stuck, "failed": failed}


def plan_report_states(plan_ids) -> dict[int, dict]:
    """Per plan id, in one query: {"pdf": state, "csv": state, "pending": bool, "needs_prepare": bool}.

    `needs_prepare`: a file is missing and no job is making it (never made, failed, or lost).
    """
    by_plan: dict[int, dict[str, list]] = {pid: {k: [] for k in Report.PLAN_KINDS} for pid in plan_ids}
    for report in Report.objects.filter(plan_id__in=list(by_plan)).order_by("-created", "-id"):
        by_plan[report.plan_id][report.kind].append(report)
    states = {}
    for pid, kinds in by_plan.items():
        pdf, csv = report_state(kinds[Report.Kind.PLAN_PDF]), report_state(kinds[Report.Kind.PLAN_CSV])
        states[pid] = {
            "pdf": pdf,
            "csv": csv,
            "pending": any(s["pending"] and not s["stuck"] for s in (pdf, csv)),
            "needs_prepare": any(
                s["ready"] is None and not (s["pending"] and not s["stuck"]) for s in (pdf, csv)
            ),
            "failed": any(s["failed"] for s in (pdf, csv)),
        }
    return states


def comparison_report_state() -> dict:
    return report_state(list(Report.objects.filter(kind=Report.Kind.COMPARISON_PDF).order_by("-created", "-id")[:5]))


def _key_prefix() -> str:
    return f"{connection.schema_name}/reports/"


def report_get(*, pk: int) -> Report | None:
    """A report of the current school (None when another school's id or no such report)."""
    return Report.objects.select_related("plan", "year").filter(pk=pk).first()


def report_ready_get(*, pk: int) -> Report | None:
    """A ready report of the current school whose file key is under the school's own prefix."""
    report = Report.objects.filter(pk=pk, status=Report.Status.READY).select_related("year").first()
    if report is None or not report.file.name.startswith(_key_prefix()):
        return None
    return report


def report_ready_by_key(*, key: str) -> Report | None:
    """The ready report stored under this key, only when the key is the current school's own."""
    if not key.startswith(_key_prefix()) or ".." in key:
        return None
    return Report.objects.filter(file=key, status=Report.Status.READY).select_related("year").first()


def adopted_plans() -> QuerySet:
    return AllocationPlan.objects.filter(adopted=True).select_related("year")


def kept_reports() -> QuerySet[Report]:
    """Reports kept after their year was deleted (`year_adopted_reports_keep`), newest first."""
    return Report.objects.exclude(kept_as="").filter(status=Report.Status.READY).order_by("-created", "-id")


def download_filename(report: Report, school_code: str) -> str:
    if report.kind == Report.Kind.COMPARISON_PDF:
        return f"{school_code}-year-comparison.pdf"
    year = report.year.year if report.year_id else (report.kept_as.split()[0] if report.kept_as else "plan")
    return f"{school_code}-{year}-classes.{report.extension}"


# --- a school's first steps (its front page; the district's table of every school) ------------


def _step(key: str, title: str, done: bool, detail: str, url: str, *, district: bool = False) -> dict:
    return {"key": key, "title": title, "done": done, "detail": detail, "url": url, "district": district}


def school_setup_steps() -> list[dict]:
    """The current school's first steps, in order, each {key, title, done, detail, url, district,
    next}: grades set, people invited, next year's enrolments entered, plans generated, a plan
    adopted, its report shared. `url` is a path on the school's site (on the district's site
    when `district`: only district staff invite people); `next` marks the first step not done.

    Runs in the school's schema (its front page, or `tenant_context` for each school).
    """
    school = current_school()
    urls = "config.urls"
    grades = [g.code for g in school_selectors.grade_list()]
    year = school_selectors.year_latest()
    people = Membership.objects.filter(school=school).count()
    invited = Invitation.objects.filter(school=school, accepted__isnull=True, revoked__isnull=True).count()
    enrolled = year is not None and year.enrolments.filter(students__gt=0).exists()
    plans = AllocationPlan.objects.filter(year=year) if year is not None else AllocationPlan.objects.none()
    adopted = plans.filter(adopted=True).first()
    shared = adopted is not None and Report.objects.filter(
        plan=adopted, kind=Report.Kind.PLAN_PDF, status=Report.Status.READY).exists()
    year_label = str(year.year) if year is not None else "next year"
    year_url = (reverse("admin:schools_schoolyear_change", args=[year.pk], urlconf=urls) if year is not None
                else reverse("admin:schools_schoolyear_add", urlconf=urls))
    plans_url = (reverse("plans:year", args=[year.year], urlconf=urls) if year is not None
                 else year_url)
    steps = [
        _step("grades", "Set the school's grades", bool(grades),
              f"Grades {', '.join(grades)}." if grades else "No grades yet: add the grades the school teaches.",
              reverse("admin:schools_grade_changelist", urlconf=urls)),
        _step("people", "Invite the school's staff and principal", people + invited > 0,
              f"{people} {'person has' if people == 1 else 'people have'} access"
              + (f"; {invited} invitation{'s' if invited != 1 else ''} waiting." if invited else "."),
              reverse("district_admin:tenants_invitation_add", urlconf="config.urls_public")
              + (f"?school={school.pk}" if school is not None else ""), district=True),
        _step("enrolments", f"Enter the enrolments for {year_label}", enrolled,
              f"Students per grade for {year_label} are entered." if enrolled
              else f"Enter how many students each grade will have in {year_label}.", year_url),
        _step("plans", f"Generate plans for {year_label}", plans.exists(),
              "Plans are ready to compare." if plans.exists() else "Classplan proposes the best ways to form classes.",
              plans_url),
        _step("adopted", "Adopt a plan", adopted is not None,
              f"Plan #{adopted.rank} is adopted." if adopted else "Choose the plan the school will follow.",
              plans_url),
        _step("shared", "Share the plan's report", shared,
              "The principal can download the PDF and CSV." if shared
              else "The adopted plan's PDF and CSV appear in the school's plans and reports.",
              reverse("portal:year", args=[year.year], urlconf=urls) if year is not None
              else reverse("portal:home", urlconf=urls)),
    ]
    first_open = next((s for s in steps if not s["done"]), None)
    for step in steps:
        step["next"] = step is first_open
    return steps


def district_setup_rows() -> list[dict]:
    """Every school with its first steps (`school_setup_steps`, run in each school's schema)."""
    rows = []
    for school in school_list():
        with tenant_context(school):
            steps = school_setup_steps()
        done = sum(s["done"] for s in steps)
        rows.append({"school": school, "steps": steps, "done": done,
                     "next": next((s for s in steps if s["next"]), None)})
    return rows
