"""The school admin: grades, years, enrolments and class rules."""

from django.contrib import admin

from schools.models import Grade, SchoolYear
from tenants.sites import SchoolRoleAdmin, school_admin_site


@admin.register(Grade, site=school_admin_site)
class GradeAdmin(SchoolRoleAdmin):
    list_display = ["code", "name", "order", "min_class_size", "max_class_size"]


@admin.register(SchoolYear, site=school_admin_site)
class SchoolYearAdmin(SchoolRoleAdmin):
    list_display = ["year", "teachers", "status"]
