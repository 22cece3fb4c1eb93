"""Two admin sites: the district's (public schema) and each school's (its own schema).

Who may see and change what is decided by `tenants.policy`; `PolicyAdminMixin` is the one
mixin every ModelAdmin and inline on both sites uses to ask it.
"""

from functools import wraps

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tenants import policy
from tenants.services import row_delete, row_save

# URL arguments that name a row: every model here has an integer primary key.
ID_ARGUMENTS = ("object_id", "pk", "version_id")


class MemberAuthenticationForm(AdminAuthenticationForm):
    """Any active person may log in; the site then decides what they may reach."""

    def confirm_login_allowed(self, user):
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


def numeric_ids_only(view):
    """A non-numeric id in an admin URL is a page that does not exist (404), never a 500."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # named ids (Django's URLs and ours), and positional ones (simple-history's object/version)
        values = [kwargs.get(name) for name in ID_ARGUMENTS] + list(args)
        if any(value is not None and not str(value).isdigit() for value in values):
            raise Http404("No such page: an id is a number.")
        return view(request, *args, **kwargs)

    return wrapper


class ClassplanAdminSite(admin.AdminSite):
    login_form = MemberAuthenticationForm

    def admin_view(self, view, cacheable=False):
        # every admin URL (Django's, simple-history's, ours) is wrapped here
        return super().admin_view(numeric_ids_only(view), cacheable)


class DistrictAdminSite(ClassplanAdminSite):
    site_header = "Classplan – district office"
    site_title = "Classplan district"
    index_title = "District administration"
    index_template = "admin/district_index.html"  # the district's pages (imports, reports) above the lists

    def has_permission(self, request):
        return policy.can_manage_district(request.user)


class SchoolAdminSite(ClassplanAdminSite):
    site_title = "Classplan"
    index_title = "School data and plans"

    def each_context(self, request):
        context = super().each_context(request)
        context["site_header"] = f"Classplan – {request.tenant.name}"
        return context

    def has_permission(self, request):
        return policy.can_read_school(request.user, request.tenant)


district_admin_site = DistrictAdminSite(name="district_admin")
school_admin_site = SchoolAdminSite(name="admin")


class PolicyAdminMixin:
    """Permissions from the policy, and audited writes, for ModelAdmins and inlines on both sites.

    On the district site: district staff do everything. On a school's site: everyone with a
    role reads; staff and district staff add, change and delete. History is read-only.
    Every save and delete goes through `tenants.services.row_save` / `row_delete`, which
    record one audit event each (tenants/audit.py).
    """

    def save_model(self, request, obj, form, change):
        row_save(obj=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()  # no main form here has many-to-many fields; inline rows are audited below
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            row_delete(obj=obj, actor=request.user)
        forms_by_row = {id(f.instance): f for f in formset.saved_forms}
        for obj in instances:
            row_form = forms_by_row.get(id(obj))
            row_save(obj=obj, actor=request.user, save_m2m=row_form.save_m2m if row_form else None)

    def delete_model(self, request, obj):
        row_delete(obj=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            row_delete(obj=obj, actor=request.user)

    def can_read(self, request) -> bool:
        if request.tenant.is_district:
            return policy.can_manage_district(request.user)
        return policy.can_read_school(request.user, request.tenant)

    def can_edit(self, request) -> bool:
        if request.tenant.is_district:
            return policy.can_manage_district(request.user)
        return policy.can_edit_school(request.user, request.tenant)

    def has_module_permission(self, request):
        return self.can_read(request)

    def has_view_permission(self, request, obj=None):
        return self.can_read(request)

    def has_add_permission(self, request, *args):
        return self.can_edit(request)

    def has_change_permission(self, request, obj=None):
        return self.can_edit(request)

    def has_delete_permission(self, request, obj=None):
        return self.can_edit(request)

    # django-simple-history: anyone who reads may view history; nobody reverts (the policy)
    def has_view_history_permission(self, request, obj=None):
        return policy.can_view_history(request.user, request.tenant)

    def has_change_history_permission(self, request, obj=None):
        return policy.can_revert_history(request.user, request.tenant)

    def revert_disabled(self, request, obj=None):
        return not self.has_change_history_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version whatever revert_disabled says
        if request.method != "GET" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
