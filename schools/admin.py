"""The school admin: grades, years with their enrolments and composite rules, history, files."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from schools import selectors, services
from schools.forms import (
    CompositeRuleInlineForm,
    CompositeRuleInlineFormSet,
    CopyForwardForm,
    EnrolmentForm,
    EnrolmentInlineForm,
    EnrolmentInlineFormSet,
    SchoolYearForm,
)
from schools.models import CompositeRule, Enrolment, Grade, SchoolYear
from schools.import_pages import EnrolmentImportAdminMixin
from schools.resources import FORMATS, EnrolmentResource
from tenants.sites import PolicyAdminMixin, school_admin_site


class SchoolHistoryAdmin(PolicyAdminMixin, SimpleHistoryAdmin):
    """Role permissions, and a History page showing who changed what and when."""

    history_list_display = []


@admin.register(Grade, site=school_admin_site)
class GradeAdmin(SchoolHistoryAdmin):
    list_display = ["code", "name", "order", "min_class_size", "max_class_size"]
    list_display_links = ["code", "name"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name", "order"]}),
        ("Default class sizes (new years start from these)", {"fields": ["min_class_size", "max_class_size"]}),
    ]


class FinalYearReadOnly:
    """A final year, its enrolments and composites are read-only until it is reopened on its
    planning page (the models refuse the change too: `schools.models.final_year_refuse`)."""

    @staticmethod
    def _final(obj) -> bool:
        year = obj if isinstance(obj, SchoolYear) else getattr(obj, "year", None)
        return bool(year is not None and year.pk and year.is_final)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and not (args and self._final(args[0]))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._final(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._final(obj)


class PlainChoicesInline:
    """No edit/add/delete/view icons beside the grade choices: grades are set up once, elsewhere."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("grade", "grades") and hasattr(formfield.widget, "widget"):
            formfield.widget = formfield.widget.widget
        return formfield


class EnrolmentInline(FinalYearReadOnly, PlainChoicesInline, PolicyAdminMixin, admin.TabularInline):
    model = Enrolment
    form = EnrolmentInlineForm
    formset = EnrolmentInlineFormSet
    verbose_name = "enrolment"
    verbose_name_plural = "Enrolments: students per grade (blank min/max: the grade's defaults)"
    classes = ["enrolments"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("grade").order_by("grade__order")

    def _missing_grades(self, obj):
        saved = obj is not None and obj.pk is not None
        taught = set(obj.enrolments.values_list("grade_id", flat=True)) if saved else set()
        return [g for g in selectors.grade_list() if g.pk not in taught]

    def get_extra(self, request, obj=None, **kwargs):
        # one prefilled row per grade not yet entered: the secretary only types the numbers
        return len(self._missing_grades(obj)) if self.has_add_permission(request, obj) else 0


class CompositeRuleInline(FinalYearReadOnly, PlainChoicesInline, PolicyAdminMixin, admin.TabularInline):
    model = CompositeRule
    form = CompositeRuleInlineForm
    formset = CompositeRuleInlineFormSet
    extra = 1
    verbose_name = "composite class rule"
    verbose_name_plural = "Composite classes allowed (blank sizes: the strictest of its grades)"
    classes = ["composites"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grades")


@admin.register(SchoolYear, site=school_admin_site)
class SchoolYearAdmin(FinalYearReadOnly, SchoolHistoryAdmin):
    form = SchoolYearForm
    inlines = [EnrolmentInline, CompositeRuleInline]
    list_display = ["year", "status", "teachers", "total_students", "grades_taught", "min_classes", "spare"]
    list_filter = ["status"]
    search_fields = ["year", "notes"]
    readonly_fields = ["totals", "status"]  # final and reopened on the year's planning page
    actions = ["copy_forward"]
    change_form_template = "admin/schools/schoolyear/change_form.html"
    object_history_template = "admin/schools/schoolyear/history.html"
    fieldsets = [
        (None, {"fields": ["year", "teachers", "status"]}),
        ("Composite classes", {"fields": ["composite_min_per_grade"]}),
        ("Totals", {"fields": ["totals"]}),
        (None, {"fields": ["notes", "opened"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            _students=Sum("enrolments__students"), _grades=Count("enrolments")
        ).prefetch_related("enrolments")

    @admin.display(description="students", ordering="_students")
    def total_students(self, obj):
        return obj._students or 0

    @admin.display(description="grades", ordering="_grades")
    def grades_taught(self, obj):
        return obj._grades

    @admin.display(description="min classes")
    def min_classes(self, obj):
        return selectors.min_straight_classes((e.students, e.max_class_size) for e in obj.enrolments.all())

    @admin.display(description="teachers to spare")
    def spare(self, obj):
        return obj.teachers - self.min_classes(obj)

    @admin.display(description="Totals")
    def totals(self, obj):
        if obj is None or obj.pk is None:
            return mark_safe('<span class="year-totals">Enter the enrolments below.</span>')
        totals = selectors.year_totals(obj)
        return format_html(
            '<span class="year-totals" data-saved="1">{} students in {} grades; at least {} straight '
            "classes (one per max class size per grade) for {} teachers.</span>",
            totals["students"], totals["grades"], totals["min_straight_classes"], totals["teachers"],
        )

    # Cross-check composites against the enrolment rows of the same submission.
    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        enrolments = next((f for f in formsets if isinstance(f, EnrolmentInlineFormSet)), None)
        for formset in formsets:
            if isinstance(formset, CompositeRuleInlineFormSet):
                formset.enrolment_formset = enrolments
        return formsets, inline_instances

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EnrolmentInline):
            kwargs["initial"] = [
                {"grade": g.pk, "min_class_size": g.min_class_size, "max_class_size": g.max_class_size}
                for g in inline._missing_grades(obj)
            ]
        return kwargs

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        latest = selectors.year_latest()
        if latest is not None:
            initial.setdefault("year", latest.year + 1)
            initial.setdefault("teachers", latest.teachers)
            initial.setdefault("composite_min_per_grade", latest.composite_min_per_grade)
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["grade_defaults"] = {
            str(g.pk): {"code": g.code, "min": g.min_class_size, "max": g.max_class_size}
            for g in selectors.grade_list()
        }
        context["can_copy_forward"] = obj is not None and self.has_add_permission(request)
        if obj is not None:
            context["copy_forward_url"] = reverse("admin:schools_schoolyear_copy_forward", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.year_version_bump(year=form.instance)  # pages opened before this save are refused
        for warning in selectors.year_warnings(form.instance):
            self.message_user(request, warning, messages.WARNING)

    # History: every change to the year, its enrolments and composites, with who and when.
    def history_view(self, request, object_id, extra_context=None):
        year = get_object_or_404(SchoolYear, pk=object_id)
        if not self.has_view_history_permission(request, year):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes to {year.year}",
            "subtitle": None,
            "object": year,
            "opts": self.opts,
            "entries": selectors.year_history(year),
            "app_label": self.opts.app_label,
        }
        return TemplateResponse(request, self.object_history_template, context)

    # Deleting a year: a page that says what goes with it (plans, reports…); the audited service.
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one year at a time, through the page below
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        year = get_object_or_404(SchoolYear, pk=object_id)
        if not self.has_delete_permission(request, year):
            raise PermissionDenied
        if request.method == "POST":
            services.year_delete(year=year, actor=request.user,
                                 delete_adopted_reports=request.POST.get("delete_adopted_reports") == "1")
            self.message_user(request, f"{year.year} was deleted.", messages.SUCCESS)
            return redirect("admin:schools_schoolyear_changelist")
        context = {**self.admin_site.each_context(request), "title": f"Delete {year.year}?", "object": year,
                   "opts": self.opts, "summary": selectors.year_delete_summary(year)}
        return TemplateResponse(request, "admin/schools/schoolyear/delete_confirmation.html", context)

    # Copy forward: an action on the list (one year) and a button on a year's page.
    @admin.action(description="Copy the selected year forward to a new year…", permissions=["add"])
    def copy_forward(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one year to copy forward.", messages.ERROR)
            return None
        return redirect("admin:schools_schoolyear_copy_forward", queryset.get().pk)

    def get_urls(self):
        return [
            path("<int:pk>/copy-forward/", self.admin_site.admin_view(self.copy_forward_view),
                 name="schools_schoolyear_copy_forward"),
        ] + super().get_urls()

    def copy_forward_view(self, request, pk):
        source = get_object_or_404(SchoolYear, pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CopyForwardForm(request.POST or None, initial={"year": source.year + 1, "roll_up": True})
        if request.method == "POST" and form.is_valid():
            try:
                year = services.year_copy_forward(
                    source=source, year=form.cleaned_data["year"], roll_up=form.cleaned_data["roll_up"],
                    first_grade_students=form.cleaned_data["first_grade_students"], actor=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request, f"{year.year} was created from {source.year}. Check the numbers and save.",
                    messages.SUCCESS,
                )
                return redirect("admin:schools_schoolyear_change", year.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Copy {source.year} forward",
            "form": form,
            "source": source,
            "opts": self.opts,
            "enrolments": selectors.year_enrolments(source),
        }
        return TemplateResponse(request, "admin/schools/schoolyear/copy_forward.html", context)


@admin.register(Enrolment, site=school_admin_site)
class EnrolmentAdmin(FinalYearReadOnly, EnrolmentImportAdminMixin, ExportMixin, SchoolHistoryAdmin):
    """Enrolments across years; export them as CSV or Excel files, import them through a checked
    preview (schools/import_pages.py)."""

    resource_classes = [EnrolmentResource]
    form = EnrolmentForm
    list_display = ["year", "grade", "students", "min_class_size", "max_class_size"]
    list_editable = ["students", "min_class_size", "max_class_size"]
    list_filter = ["year", "grade"]
    search_fields = ["grade__code", "grade__name"]
    list_select_related = ["year", "grade"]
    ordering = ["-year__year", "grade__order"]

    @property
    def export_formats(self):
        return FORMATS

    def has_export_permission(self, request):
        return self.has_view_permission(request)
