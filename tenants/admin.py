"""The district admin: schools, their addresses, people and roles, and the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_tenants.utils import get_public_schema_name

from tenants import services
from tenants.models import AuditEvent, Domain, Membership, School, User
from tenants.selectors import school_url
from tenants.views import switch_url
from tenants.sites import PolicyAdminMixin, district_admin_site


class MembershipInline(PolicyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["school"]
    fk_name = "user"


@admin.register(User, site=district_admin_site)
class PersonAdmin(PolicyAdminMixin, UserAdmin):
    list_display = ["username", "get_full_name", "email", "is_district_staff", "is_active", "schools"]
    list_filter = ["is_district_staff", "is_active", "memberships__school"]
    fieldsets = UserAdmin.fieldsets[:2] + (
        ("Access", {"fields": ["is_active", "is_district_staff", "is_superuser"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    )
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__school")

    @admin.display(description="Schools")
    def schools(self, user):
        return ", ".join(f"{m.school.code} ({m.get_role_display()})" for m in user.memberships.all())

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their history stays attributable


class DomainInline(PolicyAdminMixin, admin.TabularInline):
    model = Domain
    extra = 0


class SchoolCreateForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "code"]


@admin.register(School, site=district_admin_site)
class SchoolAdmin(PolicyAdminMixin, admin.ModelAdmin):
    search_fields = ["name", "code"]
    readonly_fields = ["schema_name", "created"]
    inlines = [DomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name=get_public_schema_name())

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SchoolCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "code"] if obj is None else ["name", "code", "schema_name", "created"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["code", "schema_name", "created"]

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_list_display(self, request):
        @admin.display(description="Site")
        def site_link(school):
            """Through the hand-off (no second login), showing the address with this site's port."""
            url = school_url(school=school, request=request)
            return format_html('<a href="{}">{}</a>', switch_url(school), url) if url else "–"

        return ["name", "code", site_link, "created"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        school = services.school_create(name=obj.name, code=obj.code, actor=request.user)
        obj.pk, obj.schema_name = school.pk, school.schema_name

    # Deleting a school drops its schema and every record in it: a separate, confirmed page.
    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/delete-with-data/",
                self.admin_site.admin_view(self.delete_with_data_view),
                name="tenants_school_delete_with_data",
            )
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "delete_with_data_url": reverse(
                "district_admin:tenants_school_delete_with_data", args=[object_id]
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_with_data_view(self, request, pk):
        school = get_object_or_404(self.get_queryset(request), pk=pk)
        error = None
        if request.method == "POST":
            try:
                services.school_delete(
                    school=school, confirm_code=request.POST.get("confirm_code", ""), actor=request.user
                )
            except ValidationError as e:
                error = " ".join(e.messages)
            else:
                self.message_user(request, f"{school.name} and all its data were deleted.", messages.SUCCESS)
                return redirect("district_admin:tenants_school_changelist")
        context = {
            **self.admin_site.each_context(request),
            "school": school,
            "error": error,
            "opts": self.opts,
            "title": f"Delete {school.name} and all its data",
        }
        return TemplateResponse(request, "admin/tenants/school/delete_with_data.html", context)


@admin.register(Domain, site=district_admin_site)
class DomainAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]


@admin.register(Membership, site=district_admin_site)
class MembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "school", "role", "created"]
    list_filter = ["role", "school"]
    search_fields = ["user__username", "school__name"]
    autocomplete_fields = ["user", "school"]


@admin.register(AuditEvent, site=district_admin_site)
class AuditEventAdmin(PolicyAdminMixin, admin.ModelAdmin):
    list_display = ["created", "action", "actor", "school_code", "details"]
    list_filter = ["action", "school_code"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
