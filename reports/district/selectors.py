"""Reads for the district's report pages (from the public schema, visiting each school's)."""

from reports.district.models import DistrictBundle, DistrictImport
from reports.models import Report
from reports.selectors import report_state
from schools.imports import GradeDirectory
from schools.models import SchoolYear
from schools.plans.selectors import district_year_rows
from schools.selectors import grade_list
from tenants.context import tenant_context
from tenants.selectors import school_list

BUNDLE_PREFIX = "public/district/"


def district_years() -> list[int]:
    """Every year any school has, newest first (one query per school)."""
    years: set[int] = set()
    for school in school_list():
        with tenant_context(school):
            years.update(SchoolYear.objects.values_list("year", flat=True))
    return sorted(years, reverse=True)


def district_report_rows(*, year: int) -> list[dict]:
    """Per school: its plan figures for the year (issue 5's district_year_rows) and its adopted-plan PDF."""
    rows = district_year_rows(year=year)
    for row in rows:
        if row["plan_kind"] != "adopted":
            row["plan_id"] = None
        row["pdf"] = None
        if row["plan_id"]:
            with tenant_context(row["school"]):
                row["pdf"] = report_state(list(
                    Report.objects.filter(plan_id=row["plan_id"], kind=Report.Kind.PLAN_PDF)
                    .order_by("-created", "-id")[:5]
                ))
    return rows


def bundle_latest(*, year: int) -> DistrictBundle | None:
    return DistrictBundle.objects.filter(year=year).order_by("-created", "-id").first()


def bundle_get(*, pk: int) -> DistrictBundle | None:
    return DistrictBundle.objects.filter(pk=pk).first()


def bundle_ready_get(*, pk: int) -> DistrictBundle | None:
    bundle = DistrictBundle.objects.filter(pk=pk, status=DistrictBundle.Status.READY).first()
    if bundle is None or not bundle.file.name.startswith(BUNDLE_PREFIX):
        return None
    return bundle


# --- enrolment imports -------------------------------------------------------------------------

def district_grades_and_years() -> tuple[list[dict], list[int]]:
    """For the import page, in one visit of each school: per school its code, name and grades in
    words ("K, 1-6"); and every year any school has, newest first."""
    rows, years = [], set()
    for school in school_list():
        with tenant_context(school):
            rows.append({"code": school.code, "name": school.name, "grades": GradeDirectory(grade_list()).described})
            years.update(SchoolYear.objects.values_list("year", flat=True))
    return rows, sorted(years, reverse=True)


def district_imports_recent(limit: int = 10) -> list[DistrictImport]:
    return list(DistrictImport.objects.defer("upload", "data", "changes", "problems")[:limit])


def district_import_get(*, pk: int) -> DistrictImport | None:
    return DistrictImport.objects.defer("upload", "data").filter(pk=pk).first()
