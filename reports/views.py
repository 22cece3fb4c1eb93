"""The principal's portal on a school's site: years, adopted plans, downloads, year comparison.

Views only read, queue jobs and serve stored files; nothing is rendered in a request.
"""

import hashlib
import json

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports import selectors, services
from reports.models import Report
from reports.storage import download_url, is_s3, reports_backend
from schools.models import SchoolYear
from schools.plans import charts
from schools.plans.models import AllocationPlan
from tenants import policy
from tenants.decorators import school_page

CHART_CACHE_S = 24 * 3600
WEB_CHART_WIDTH = 4.8  # inches: legible when scaled to a phone's width


# The portal's pages: people who may read this school (tenants/decorators.py).
portal_view = school_page


def serve_report_file(name: str, *, filename: str):
    """S3: redirect to a presigned URL (<= 5 minutes). Local folder: stream the file."""
    if is_s3():
        response = HttpResponseRedirect(download_url(name, filename=filename))
    else:
        response = FileResponse(reports_backend().open(name, "rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _plan_chart(plan, table) -> str:
    if plan.chart:  # drawn once when the plan was saved (plans never change)
        return plan.chart
    key = f"portal:plan-chart:{plan.pk}:{WEB_CHART_WIDTH}"  # plans never change; cache keys are school-prefixed
    svg = cache.get(key)
    if svg is None:
        svg = charts.class_size_chart(table, width=WEB_CHART_WIDTH) if table["rows"] else ""
        cache.set(key, svg, CHART_CACHE_S)
    return svg


def _comparison_charts(rows, codes) -> list[str]:
    figures = [[r["year"], r["enrolment"], r["teachers"], r["classes"], r["composites"], r["average_size"],
                r["largest_size"]] for r in rows]
    digest = hashlib.sha1(json.dumps([figures, codes], sort_keys=True).encode()).hexdigest()
    key = f"portal:comparison-charts:{digest}"
    svgs = cache.get(key)
    if svgs is None:
        svgs = charts.comparison_charts(rows, codes) if rows else []
        cache.set(key, svgs, CHART_CACHE_S)
    return svgs


@portal_view
def home(request):
    rows = list(reversed(selectors.year_comparison_rows()))
    states = selectors.plan_report_states([r["plan_id"] for r in rows if r["plan_id"]])
    for row in rows:
        row["reports"] = states.get(row["plan_id"])
    pending = any(r["reports"]["pending"] for r in rows if r["reports"])
    return render(request, "reports/portal_home.html",
                  {"rows": rows, "refresh": pending, "kept": list(selectors.kept_reports())})


@portal_view
def year_detail(request, year: int):
    school_year = SchoolYear.objects.filter(year=year).first()
    if school_year is None:
        raise Http404
    plan = selectors.adopted_plans().filter(year=school_year).first()
    context = {"school_year": school_year, "plan": plan, "refresh": False}
    if plan is not None:
        table = selectors.plan_table(plan)
        states = selectors.plan_report_states([plan.pk])[plan.pk]
        context.update(table=table, reports=states, chart=_plan_chart(plan, table),
                       refresh=states["pending"])
    return render(request, "reports/portal_year.html", context)


@portal_view
@require_POST
def plan_reports(request, plan_id: int):
    """Prepare (again) the PDF and CSV of a plan of this school (principals: the adopted plan only)."""
    plan = AllocationPlan.objects.filter(pk=plan_id).select_related("year").first()
    if plan is None:
        raise Http404
    if not policy.can_queue_report(request.user, plan):
        raise PermissionDenied
    services.plan_reports_queue(plan=plan, actor=request.user)
    messages.success(request, f"Preparing the PDF and CSV of the {plan.year.year} plan. This takes a few seconds.")
    return redirect("portal:year", year=plan.year.year)


@portal_view
def comparison(request):
    rows = selectors.year_comparison_rows()
    codes = [c for c in selectors.grade_codes() if any(r["enrolment"].get(c) for r in rows)]
    for row in rows:
        row["grade_students"] = [row["enrolment"].get(code) for code in codes]
    return render(request, "reports/portal_comparison.html", {
        "rows": rows, "grade_codes": codes, "charts": _comparison_charts(rows, codes),
        "report": selectors.comparison_report_state(),
    })


@portal_view
@require_POST
def comparison_pdf(request):
    report = services.comparison_report_queue(actor=request.user)
    return redirect(reverse("portal:report", kwargs={"pk": report.pk}) + "?auto=1")


@portal_view
def report_detail(request, pk: int):
    """A report's state: preparing (the page refreshes itself), ready (download) or failed."""
    report = selectors.report_get(pk=pk)
    if report is None:
        raise Http404
    state = selectors.report_state([report])
    return render(request, "reports/portal_report.html", {
        "report": report, "state": state, "refresh": state["pending"] and not state["stuck"],
    })


@portal_view
@require_POST
def report_retry(request, pk: int):
    report = selectors.report_get(pk=pk)
    if report is None:
        raise Http404
    if report.status == Report.Status.READY:
        return redirect("portal:report", pk=report.pk)
    again = services.report_retry(report=report, actor=request.user)
    return redirect("portal:report", pk=again.pk)


def _download(request, report: Report | None):
    if report is None or not policy.can_download_report(request.user, report):
        raise Http404
    return serve_report_file(report.file.name, filename=selectors.download_filename(report, request.tenant.code))


@portal_view
def report_download(request, pk: int):
    return _download(request, selectors.report_ready_get(pk=pk))


@portal_view
def file_download(request, key: str):
    """The same download, addressed by storage key: only this school's own keys resolve."""
    return _download(request, selectors.report_ready_by_key(key=key))
