def school(request):
    tenant = getattr(request, "tenant", None)
    return {
        "current_school": None if tenant is None or tenant.is_district else tenant,
        "school_role": getattr(request, "school_role", None),
    }
