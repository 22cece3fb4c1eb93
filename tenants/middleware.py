"""A school's site admits only its members and district staff; anyone else gets 403."""

from django.shortcuts import render
from django.urls import reverse

from tenants import policy
from tenants.selectors import schools_for_user


class SchoolAccessMiddleware:
    """Sets `request.school_role` (the policy's answer, cached for the request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        school = getattr(request, "tenant", None)
        request.school_role = None
        if school is not None and not school.is_district and request.user.is_authenticated:
            request.school_role = policy.school_role(request.user, school)
            if request.school_role is None and request.path != reverse("logout"):
                return render(
                    request,
                    "403.html",
                    {"schools": schools_for_user(user=request.user)},
                    status=403,
                )
        return self.get_response(request)
