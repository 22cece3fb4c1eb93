"""The district office's report pages (public site, /district/): every school's adopted plan, ZIP."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports import selectors
from reports.district import selectors as district_selectors
from reports.district import services
from reports.views import serve_report_file
from tenants.decorators import too_many_requests
from tenants import policy
from tenants.context import tenant_context
from tenants.selectors import school_by_code


def district_view(view):
    """The district site, for district staff (the policy's manage_district)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.tenant.is_district:
            raise Http404
        if not policy.can_manage_district(request.user):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except policy.TooManyRequests as error:
            return too_many_requests(request, error)

    return wrapper


def _year_param(request, years: list[int]) -> int | None:
    value = request.GET.get("year") or request.POST.get("year") or ""
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return years[0] if years else None


@district_view
def reports_page(request):
    years = district_selectors.district_years()
    year = _year_param(request, years)
    rows = district_selectors.district_report_rows(year=year) if year else []
    bundle = district_selectors.bundle_latest(year=year) if year else None
    refresh = bundle is not None and bundle.status == bundle.Status.PENDING
    return render(request, "reports/district_reports.html", {
        "years": years, "year": year, "rows": rows, "bundle": bundle, "refresh": refresh,
        "adopted": sum(1 for r in rows if r["plan_id"]),
    })


@district_view
@require_POST
def bundle_create(request):
    year = _year_param(request, [])
    if year is None:
        raise Http404
    bundle = services.district_bundle_queue(year=year, actor=request.user)
    return redirect(reverse("district:bundle", kwargs={"pk": bundle.pk}) + "?auto=1")


@district_view
def bundle_detail(request, pk: int):
    bundle = district_selectors.bundle_get(pk=pk)
    if bundle is None:
        raise Http404
    return render(request, "reports/district_bundle.html", {
        "bundle": bundle, "refresh": bundle.status == bundle.Status.PENDING,
    })


@district_view
def bundle_download(request, pk: int):
    bundle = district_selectors.bundle_ready_get(pk=pk)
    if bundle is None:
        raise Http404
    return serve_report_file(bundle.file.name, filename=f"classplan-schools-{bundle.year}.zip")


@district_view
def school_report_download(request, code: str, pk: int):
    """A school's report, for district staff on the district site (looked up in that school's schema)."""
    school = school_by_code(code=code)
    if school is None:
        raise Http404
    with tenant_context(school):
        report = selectors.report_ready_get(pk=pk)
        if report is None:
            raise Http404
        filename = selectors.download_filename(report, school.code)
        return serve_report_file(report.file.name, filename=filename)
