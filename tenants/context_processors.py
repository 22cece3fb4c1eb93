from django.utils import timezone

from tenants import policy


def school(request):
    tenant = getattr(request, "tenant", None)
    in_school = tenant is not None and not tenant.is_district
    user = getattr(request, "user", None)
    return {
        "current_school": tenant if in_school else None,
        "school_role": getattr(request, "school_role", None),
        "can_edit_school": in_school and policy.can_edit_school(user, tenant),
    }


def site(request):
    """The header's: the district's name and time zone, and the district office's address."""
    return {
        "district_name": getattr(request, "district_name", ""),
        "time_zone_name": timezone.get_current_timezone_name(),
        "district_url": getattr(request, "district_url", ""),
    }
