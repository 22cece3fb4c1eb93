"""The front pages, and district staff's hand-off from the district site into a school's site."""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

from tenants import policy
from tenants.models import School, User
from tenants.selectors import school_url, schools_for_user
from tenants.services import handoff_token_use

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
    if not policy.can_edit_school(request.user, request.tenant):
        return redirect("portal:home")  # principals: their plans and reports
    return render(request, "tenants/school_home.html")


def _local_path(path: str) -> str:
    """A path on the school's own site, or "/" (never another host)."""
    if path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return "/"


def switch_url(school: School, path: str = "/") -> str:
    """The district site's link that opens `path` on the school's site (through the hand-off)."""
    url = reverse("school_switch", args=[school.code], urlconf="config.urls_public")
    return url if path == "/" else f"{url}?{urlencode({'next': path})}"


@login_required
def school_switch(request, code):
    """From the district site to a page of a school's site without logging in again.

    When the session cookie is shared with the school's domain (SESSION_COOKIE_DOMAIN covers it)
    this is a plain redirect. Otherwise (e.g. `<code>.localhost`, which browsers will not share
    a cookie with) the page POSTs a signed, single-use token, valid for a minute, to the
    school's hand-off: the token never appears in a URL, a log or the browser's history.
    """
    school = get_object_or_404(School.objects.prefetch_related("domains"), code=code)
    if school.is_district or not policy.can_read_school(request.user, school):
        raise Http404
    path = _local_path(request.GET.get("next", "/"))
    target = school_url(school=school, request=request)
    host = target.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    shared = settings.SESSION_COOKIE_DOMAIN
    if shared and (host == shared.lstrip(".") or host.endswith("." + shared.lstrip("."))):
        return redirect(target.rstrip("/") + path)
    token = signing.dumps(
        {"user": request.user.pk, "schema": school.schema_name, "next": path,
         "nonce": secrets.token_urlsafe(16)},
        salt=HANDOFF_SALT,
    )
    response = render(request, "tenants/handoff.html", {
        "school": school, "action": target.rstrip("/") + reverse("handoff", urlconf="config.urls"),
        "token": token,
    })
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt  # a cross-site POST by design: the signed, single-use token is the proof
def handoff(request):
    """The school-site end of school_switch: log the person in from a fresh, unused token.

    Never swaps a session: someone already logged in here as another person stays who they
    are and is told so (a link made for one person cannot turn another's browser into theirs).
    """
    if request.method != "POST":
        return redirect_to_login("/")
    try:
        data = signing.loads(request.POST.get("token", ""), salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE_S)
    except signing.BadSignature:
        return redirect_to_login("/")
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None or data["schema"] != request.tenant.schema_name or not policy.can_read_school(
        user, request.tenant
    ):
        return redirect_to_login("/")
    if request.user.is_authenticated and request.user.pk != user.pk:
        return render(request, "tenants/handoff_refused.html", {"link_user": user}, status=409)
    if not handoff_token_use(nonce=data["nonce"]):
        return redirect_to_login("/")  # used before, in this process or any other
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_local_path(data.get("next", "/")))
