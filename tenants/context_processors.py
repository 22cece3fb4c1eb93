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
