"""The plans admin: "Plans for <year>" pages (generate, live status, ranked plans, adopt, what-if),
plan pages (table, chart, alternatives, hand edit), the job list, and the district comparison.

Views stay thin: reads come from selectors, changes from services.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from schools.plans import charts, selectors, services
from schools.selectors import year_totals
from schools.plans.forms import DistrictYearForm, PlanEditForm
from schools.plans.models import AllocationPlan, DistrictPlans, PlanJob, PlanningYear
from tenants import policy
from tenants.sites import PolicyAdminMixin, district_admin_site, school_admin_site
from tenants.views import switch_url


def can_edit(request) -> bool:
    return policy.can_edit_school(request.user, request.tenant)


def can_start_work(request) -> bool:
    return policy.can_start_work(request.user, request.tenant)


def year_plans_url(year_id) -> str:
    """The "Plans for <year>" page (on the school's site, whichever site asks)."""
    return reverse("admin:plans_planningyear_change", args=[year_id], urlconf="config.urls")


def plan_card(plan: AllocationPlan) -> dict:
    table = selectors.plan_table(plan, classes=plan.planned_classes.all())
    return {"plan": plan, "table": table, "chart": charts.class_size_chart(table)}


def year_panel_context(request, year) -> dict:
    """Everything the year's plans panel shows (rendered on the page and after polling)."""
    job = selectors.job_latest(year)
    plans = list(selectors.plans_of_year(year))
    result = (job.result or {}) if job else {}
    return {
        "year": year,
        "job": job,
        "job_live": job is not None and job.status in PlanJob.LIVE,
        "diagnosis": result.get("diagnosis") if job and job.status == PlanJob.Status.INFEASIBLE else None,
        "min_teachers": result.get("min_teachers"),
        "cards": [plan_card(p) for p in plans],
        "can_edit": can_edit(request),
        "can_start_work": can_start_work(request),
        "status_url": reverse("admin:plans_planningyear_status", args=[year.pk]),
        "generate_url": reverse("admin:plans_planningyear_generate", args=[year.pk]),
        "whatif_url": reverse("admin:plans_planningyear_whatif", args=[year.pk]),
    }


def job_json(job: PlanJob | None) -> dict:
    if job is None:
        return {"job": None, "live": False}
    return {
        "job": job.pk, "status": job.status, "status_display": job.get_status_display(),
        "live": job.status in PlanJob.LIVE, "progress": [p["message"] for p in job.progress],
        "error": job.error, "attempts": job.attempts,
        "created": job.created.isoformat(), "finished": job.finished.isoformat() if job.finished else None,
    }


@admin.register(PlanningYear, site=school_admin_site)
class PlanningYearAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Each year's plans. The change page is the "Plans for <year>" page."""

    list_display = ["year", "teachers", "status", "plans_link"]
    list_display_links = None

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Plans")
    def plans_link(self, year):
        return format_html('<a href="{}">Plans for {}</a>', year_plans_url(year.pk), year.year)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/generate/", view(self.generate_view), name="plans_planningyear_generate"),
            path("<int:pk>/status/", view(self.status_view), name="plans_planningyear_status"),
            path("<int:pk>/what-if/", view(self.whatif_view), name="plans_planningyear_whatif"),
        ] + super().get_urls()

    def _year(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(PlanningYear, pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        year = self._year(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            **year_panel_context(request, year),
            "opts": self.model._meta,
            "title": f"Plans for {year.year}",
            "totals": year_totals(year),
            "superseded": AllocationPlan.objects.filter(year=year, superseded=True, adopted=False).count(),
        }
        return TemplateResponse(request, "admin/plans/year_plans.html", context)

    def generate_view(self, request, pk):
        year = self._year(request, pk)
        if request.method != "POST" or not can_start_work(request):
            raise PermissionDenied
        try:
            job = services.plan_generate(year=year, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Plans cannot be generated for {year.year}: {message}")
            return redirect(year_plans_url(year.pk))
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(job_json(job))
        messages.info(request, f"Solving {year.year}: job {job.pk} is {job.get_status_display().lower()}.")
        return redirect(year_plans_url(year.pk))

    def status_view(self, request, pk):
        """Polled by the page: the latest job's status, and the refreshed panel once it is done."""
        year = self._year(request, pk)
        job = selectors.job_latest(year)
        data = job_json(job)
        if not data["live"] and request.GET.get("panel"):
            data["html"] = render_to_string(
                "admin/plans/year_plans_panel.html", year_panel_context(request, year), request=request
            )
        return JsonResponse(data)

    def whatif_view(self, request, pk):
        """GET shows the sweep (never starts one); POST, by staff, asks for it."""
        year = self._year(request, pk)
        job = selectors.job_finished_latest(year)
        if request.method == "POST":
            if job is None or not can_start_work(request):
                raise PermissionDenied
            services.plan_sweep_request(job=job, actor=request.user)
            return redirect(reverse("admin:plans_planningyear_whatif", args=[year.pk]))
        sweep = (job.sweep or {}) if job else {}
        rows = sweep.get("rows", [])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"What if: teachers for {year.year}",
            "year": year,
            "job": job,
            "sweep": sweep,
            "rows": rows,
            "chart": charts.what_if_chart(rows, current=job.problem["teachers"]) if rows else "",
            "plans_url": year_plans_url(year.pk),
            "can_start_work": can_start_work(request),
        }
        return TemplateResponse(request, "admin/plans/what_if.html", context)


@admin.register(AllocationPlan, site=school_admin_site)
class AllocationPlanAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "year", "rank", "classes", "composites", "spread", "adopted", "edited",
                    "superseded", "created"]
    list_filter = ["year", "adopted", "superseded"]
    list_select_related = ["year"]

    def has_add_permission(self, request, *args):
        return False  # plans come from the solver or from a hand edit of the adopted plan

    def has_delete_permission(self, request, obj=None):
        return False  # saved plans are kept: they are what a year was planned with

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/adopt/", view(self.adopt_view), name="plans_allocationplan_adopt"),
            path("<int:pk>/edit/", view(self.edit_view), name="plans_allocationplan_edit"),
        ] + super().get_urls()

    def _plan(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(AllocationPlan.objects.select_related("year", "job", "derived_from"), pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self._plan(request, object_id)
        card = plan_card(plan)
        siblings = []
        if plan.job_id:
            siblings = [
                plan_card(p)
                for p in AllocationPlan.objects.filter(job_id=plan.job_id, edited=False)
                .exclude(pk=plan.pk).select_related("job", "year").prefetch_related("planned_classes")
                .order_by("rank")
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{plan.year.year} plan #{plan.rank}" + (" (edited by hand)" if plan.edited else ""),
            "plan": plan,
            "card": card,
            "siblings": siblings,
            "can_edit": can_edit(request),
            "plans_url": year_plans_url(plan.year_id),
        }
        return TemplateResponse(request, "admin/plans/plan.html", context)

    def adopt_view(self, request, pk):
        plan = self._plan(request, pk)
        if request.method != "POST" or not can_edit(request):
            raise PermissionDenied
        plan = services.plan_adopt(plan=plan, actor=request.user)
        messages.success(request, f"Plan #{plan.rank} is now the adopted plan for {plan.year.year}.")
        return redirect(reverse("admin:plans_allocationplan_change", args=[plan.pk]))

    def edit_view(self, request, pk):
        plan = self._plan(request, pk)
        if not can_edit(request):
            raise PermissionDenied
        table = selectors.plan_table(plan)
        if not plan.adopted:
            messages.error(request, "Only the adopted plan can be edited. Adopt this plan first.")
            return redirect(reverse("admin:plans_allocationplan_change", args=[plan.pk]))
        form = PlanEditForm(request.POST or None, table=table)
        if request.method == "POST" and form.is_valid():
            try:
                revision = services.plan_edit(plan=plan, classes=form.classes(), actor=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "The plan was saved as a new revision and adopted.")
                return redirect(reverse("admin:plans_allocationplan_change", args=[revision.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Edit the adopted plan for {plan.year.year}",
            "plan": plan,
            "table": table,
            "form": form,
        }
        return TemplateResponse(request, "admin/plans/plan_edit.html", context)


@admin.register(PlanJob, site=school_admin_site)
class PlanJobAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "year", "status", "requested_by", "attempts", "created", "finished", "plans_link"]
    list_filter = ["status", "year"]
    list_select_related = ["year", "requested_by"]
    readonly_fields = ["year", "status", "requested_by", "attempts", "created", "started", "finished",
                       "error", "progress", "task_id", "problem", "result", "sweep"]
    exclude = []

    # Solver runs are Classplan's own records: district staff see them, without raw data (JSON)
    # unless a superuser; school staff and principals see plans, not runs.
    def has_module_permission(self, request):
        return policy.can_manage_district(request.user)

    def has_view_permission(self, request, obj=None):
        return policy.can_manage_district(request.user)

    def get_fields(self, request, obj=None):
        raw = ("progress", "task_id", "problem", "result", "sweep")
        return [f for f in self.readonly_fields if request.user.is_superuser or f not in raw]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # jobs are records; they change only through the worker

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Plans")
    def plans_link(self, job):
        return format_html('<a href="{}">Plans for {}</a>', year_plans_url(job.year_id), job.year)


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
            row["url"] = switch_url(row["school"], year_plans_url(row["year_id"]) if row["year_id"] else "/admin/")
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
