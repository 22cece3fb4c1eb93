"""Reads about schools and who may use them."""

import zoneinfo

from django.conf import settings
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import DistrictSettings, School, User
from tenants.policy import is_district_staff


def district_settings() -> DistrictSettings:
    """The district's settings (the one row; its defaults until someone changes them).

    Read-only: an unsaved row with the defaults when none is stored yet (a GET never writes).
    """
    with schema_context(get_public_schema_name()):
        return DistrictSettings.objects.filter(pk=1).first() or DistrictSettings(pk=1)


def district_time_zone(district: DistrictSettings | None = None) -> zoneinfo.ZoneInfo:
    """The district's time zone (every date and time on pages, PDFs and mails is shown in it)."""
    name = (district or district_settings()).time_zone
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def school_list() -> QuerySet[School]:
    """Every school (the district office's public row excluded)."""
    return (
        School.objects.exclude(schema_name=get_public_schema_name())
        .prefetch_related("domains")
        .order_by("name")
    )


def school_by_code(*, code: str) -> School | None:
    return school_list().filter(code=code).first()


def schools_for_user(*, user: User) -> QuerySet[School]:
    if is_district_staff(user):
        return school_list()
    return school_list().filter(memberships__user=user)


def school_url(*, school: School, request=None, path: str = "/") -> str:
    """The absolute URL of a page on the school's own site (port kept from the request)."""
    domain = next((d.domain for d in school.domains.all() if d.is_primary), None)
    if domain is None:
        return ""
    scheme, port = "http", ""
    if request is not None:
        scheme = "https" if request.is_secure() else "http"
        host = request.get_host()
        if ":" in host:
            port = ":" + host.rsplit(":", 1)[1]
    return f"{scheme}://{domain}{port}{path}"
