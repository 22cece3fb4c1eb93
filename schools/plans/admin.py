"""The planning side of the admin: the school's local class-size rules (data entry), and the
district's table of every school's plan for a year.

Planning itself (generating, comparing, locking, adopting, editing, what-if) lives on the
school's own pages (schools.plans.views), not in the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from schools.admin import PlainChoicesInline, SchoolHistoryAdmin
from schools.models import LocalRule
from schools.plans import selectors, services
from schools.plans.forms import DistrictYearForm
from schools.plans.models import DistrictPlans
from tenants.sites import PolicyAdminMixin, district_admin_site, school_admin_site
from tenants.views import switch_url


def year_plans_url(year: int) -> str:
    """The year's planning page (on the school's site, whichever site asks)."""
    return reverse("plans:year", args=[year], urlconf="config.urls")


class LocalRuleForm(forms.ModelForm):
    class Meta:
        model = LocalRule
        fields = ["label", "kind", "grades", "size", "share", "average", "source", "active"]
        widgets = {"grades": forms.CheckboxSelectMultiple}


@admin.register(LocalRule, site=school_admin_site)
class LocalRuleAdmin(PlainChoicesInline, SchoolHistoryAdmin):
    """Rules of the school's own (e.g. a collective agreement's), on top of the rule pack."""

    form = LocalRuleForm
    list_display = ["label", "kind", "size", "share", "average", "source", "active"]
    list_filter = ["kind", "active"]
    fieldsets = [
        (None, {"fields": ["label", "kind", "grades"],
                "description": "The rule applies to every year's plans, with the district's rule pack. "
                               "Fill in the figures its kind needs: a cap needs a size; a share needs a "
                               "size and a share (0.9 for 90%); an average needs an average."}),
        ("Figures", {"fields": ["size", "share", "average"]}),
        (None, {"fields": ["source", "active"]}),
    ]


@admin.register(DistrictPlans, site=district_admin_site)
class DistrictPlansAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Every school's plan for a year, a district total, and "generate for all schools"."""

    SORTABLE = ["school_name", "students", "teachers", "classes", "composites", "average_size", "status"]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("generate/", view(self.generate_view), name="plans_districtplans_generate"),
            path("progress/", view(self.progress_view), name="plans_districtplans_progress"),
        ] + super().get_urls()

    def _year(self, request) -> int:
        form = DistrictYearForm(request.GET or request.POST or None)
        if form.is_bound and form.is_valid():
            return form.cleaned_data["year"]
        return timezone.now().year + 1

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = self._year(request)
        rows = selectors.district_year_rows(year=year)
        sort = request.GET.get("sort", "school_name")
        key = sort.lstrip("-")
        if key in self.SORTABLE:
            present = [r for r in rows if r[key] is not None]
            missing = [r for r in rows if r[key] is None]
            rows = sorted(present, key=lambda r: r[key], reverse=sort.startswith("-")) + missing
        for row in rows:  # into the school's site through the hand-off (no second login)
            row["url"] = switch_url(row["school"], year_plans_url(year) if row["year_id"] else "/admin/")
        progress = selectors.district_job_progress(year=year, schools=[r["school"] for r in rows])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"District plans for {year}",
            "year": year,
            "rows": rows,
            "totals": selectors.district_totals(rows),
            "sort": sort,
            "columns": [("school_name", "School"), ("students", "Students"), ("teachers", "Teachers"),
                        ("classes", "Classes"), ("composites", "Composites"),
                        ("average_size", "Average size"), ("status", "Status")],
            "progress": progress,
            "generate_url": reverse("district_admin:plans_districtplans_generate"),
            "progress_url": reverse("district_admin:plans_districtplans_progress") + f"?year={year}",
            "years": list(range(year - 3, year + 2)),
        }
        return TemplateResponse(request, "admin/plans/district_plans.html", context)

    def generate_view(self, request):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        year = self._year(request)
        outcome = services.district_generate_all(year=year, actor=request.user)
        messages.info(request, f"Queued plans for {outcome['queued']} school(s) for {year}.")
        if outcome["skipped"]:
            messages.warning(request, f"No {year} data (skipped): " + ", ".join(outcome["skipped"]))
        for error in outcome["errors"]:
            messages.error(request, error)
        return redirect(reverse("district_admin:plans_districtplans_changelist") + f"?year={year}")

    def progress_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return JsonResponse(selectors.district_job_progress(year=self._year(request)))
