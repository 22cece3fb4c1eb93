"""A school's site admits only its members and district staff; anyone else gets 403. Every
request shows dates and times in the district's time zone."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from tenants import policy
from tenants.selectors import district_settings, district_time_zone, schools_for_user


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


class DistrictTimeZoneMiddleware:
    """Activates the district's time zone (`district_settings().time_zone`) for the request, and
    sets `request.district_name` and `request.district_url` (the district office's address,
    with this request's scheme and port) for the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        district = district_settings()
        request.district_name = district.name
        host = request.get_host()
        port = ":" + host.rsplit(":", 1)[1] if ":" in host else ""
        request.district_url = f"{request.scheme}://{settings.BASE_DOMAIN}{port}/"
        timezone.activate(district_time_zone(district))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
