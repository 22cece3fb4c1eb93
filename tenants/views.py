import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tenants.models import School, User
from tenants.selectors import school_role, school_url, schools_for_user

HANDOFF_SALT = "classplan.school-switch"
HANDOFF_MAX_AGE_S = 60


@login_required
def home(request):
    """The district office's landing page, or a school's front page."""
    if request.tenant.is_district:
        schools = [
            {"school": s, "url": school_url(school=s, request=request),
             "open_url": reverse("school_switch", args=[s.code])}
            for s in schools_for_user(user=request.user)
        ]
        return render(request, "tenants/district_home.html", {"schools": schools})
    if request.school_role is None:
        raise PermissionDenied
    if request.school_role == "principal":
        return redirect("portal:home") if _has_portal() else render(request, "tenants/school_home.html")
    return render(request, "tenants/school_home.html")


def _has_portal() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("portal:home")
    except NoReverseMatch:
        return False
    return True


@login_required
def school_switch(request, code):
    """From the district site to a school's site without logging in again.

    When the session cookie is shared with the school's domain (SESSION_COOKIE_DOMAIN covers it)
    this is a plain redirect; otherwise (e.g. `<code>.localhost`, which browsers will not share a
    cookie with) it carries a signed, single-use token valid for a minute.
    """
    school = get_object_or_404(School.objects.prefetch_related("domains"), code=code)
    if school.is_district or school_role(user=request.user, school=school) is None:
        raise Http404
    target = school_url(school=school, request=request)
    host = target.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    shared = settings.SESSION_COOKIE_DOMAIN
    if shared and (host == shared.lstrip(".") or host.endswith("." + shared.lstrip("."))):
        return redirect(target)
    token = signing.dumps(
        {"user": request.user.pk, "schema": school.schema_name, "nonce": secrets.token_urlsafe(12)},
        salt=HANDOFF_SALT,
    )
    return redirect(f"{target}accounts/handoff/?{urlencode({'token': token})}")


def handoff(request):
    """The school-site end of school_switch: log the person in from a fresh, unused token."""
    try:
        data = signing.loads(request.GET.get("token", ""), salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE_S)
    except signing.BadSignature:
        return redirect_to_login("/")
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    fresh = cache.add(f"handoff:{data['nonce']}", True, HANDOFF_MAX_AGE_S * 2)
    if (
        not fresh
        or user is None
        or data["schema"] != request.tenant.schema_name
        or school_role(user=user, school=request.tenant) is None
    ):
        return redirect_to_login("/")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("home")
