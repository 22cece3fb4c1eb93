"""Two admin sites: the district's (public schema) and each school's (its own schema)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from tenants.selectors import DISTRICT, school_role


class MemberAuthenticationForm(AdminAuthenticationForm):
    """Any active person may log in; the site then decides what they may reach."""

    def confirm_login_allowed(self, user):
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class DistrictAdminSite(admin.AdminSite):
    site_header = "Classplan – district office"
    site_title = "Classplan district"
    index_title = "District administration"
    login_form = MemberAuthenticationForm

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or user.is_district_staff)


class SchoolAdminSite(admin.AdminSite):
    site_title = "Classplan"
    index_title = "School data and plans"
    login_form = MemberAuthenticationForm

    def each_context(self, request):
        context = super().each_context(request)
        context["site_header"] = f"Classplan – {request.tenant.name}"
        return context

    def has_permission(self, request):
        return school_role(user=request.user, school=request.tenant) is not None


district_admin_site = DistrictAdminSite(name="district_admin")


class DistrictStaffPermissions:
    """District staff may do everything in the district admin (mix into ModelAdmin / inlines)."""

    def _district(self, request):
        return district_admin_site.has_permission(request)

    def has_module_permission(self, request):
        return self._district(request)

    def has_view_permission(self, request, obj=None):
        return self._district(request)

    def has_add_permission(self, request, *args):
        return self._district(request)

    def has_change_permission(self, request, obj=None):
        return self._district(request)

    def has_delete_permission(self, request, obj=None):
        return self._district(request)
school_admin_site = SchoolAdminSite(name="admin")


class SchoolRoleAdmin(admin.ModelAdmin):
    """Permissions by role at the current school: staff and district staff edit, principals read."""

    editor_roles = (DISTRICT, "staff")

    def _role(self, request):
        return school_role(user=request.user, school=request.tenant)

    def has_module_permission(self, request):
        return self._role(request) is not None

    def has_view_permission(self, request, obj=None):
        return self._role(request) is not None

    def has_add_permission(self, request, *args):
        return self._role(request) in self.editor_roles

    def has_change_permission(self, request, obj=None):
        return self._role(request) in self.editor_roles

    def has_delete_permission(self, request, obj=None):
        return self._role(request) in self.editor_roles


class SchoolRoleInline:
    """The same role rules for inlines (mix into TabularInline / StackedInline)."""

    editor_roles = (DISTRICT, "staff")

    def _role(self, request):
        return school_role(user=request.user, school=request.tenant)

    def has_view_permission(self, request, obj=None):
        return self._role(request) is not None

    def has_add_permission(self, request, obj=None):
        return self._role(request) in self.editor_roles

    def has_change_permission(self, request, obj=None):
        return self._role(request) in self.editor_roles

    def has_delete_permission(self, request, obj=None):
        return self._role(request) in self.editor_roles
