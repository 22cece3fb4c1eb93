"""The hand-off from the district site into a school's site, invitations and password resets.

(The front pages, which show each school's next steps, live in reports.home: they read plans
and reports.)
"""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from tenants import policy
from tenants.forms import AuditedSetPasswordForm, InvitationAcceptForm, MailedPasswordResetForm
from tenants.models import Invitation, School, User
from tenants.selectors import school_url
from tenants.services import handoff_token_use, invitation_accept as invitation_accept_service
from tenants.services import invitation_problem

HANDOFF_SALT = "classplan.school-switch"
HANDOFF_MAX_AGE_S = 60


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


# --- invitations and passwords -----------------------------------------------------------------

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def favicon(request):
    """Browsers ask /favicon.ico of every site; pages link the SVG icon itself."""
    return redirect(static("favicon.svg"), permanent=True)


def _private(response):
    """A page whose address holds a secret: never cached, never sent to another site as a referrer
    (same-origin, not no-referrer: with that, browsers post its form with "Origin: null",
    which the CSRF check rightly refuses)."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, pk: int, token: str):
    """The invited person chooses a password (GET shows the form, POST makes the account),
    is logged in and lands on the school's (or the district's) front page."""
    invitation = Invitation.objects.select_related("school").filter(pk=pk).first()
    on_its_site = invitation is not None and (
        request.tenant.is_district if invitation.school_id is None else invitation.school_id == request.tenant.pk
    )
    problem = invitation_problem(invitation if on_its_site else None, token)
    if problem:
        return _private(render(request, "tenants/invitation_refused.html", {"problem": problem}, status=410))
    if request.user.is_authenticated:
        return _private(render(request, "tenants/invitation_refused.html", {
            "problem": f"This browser is logged in as {request.user.get_full_name() or request.user.username}. "
                       f"Log out first, then open the invitation link for {invitation.email} again.",
        }, status=409))
    form = InvitationAcceptForm(request.POST or None,
                                initial={"first_name": invitation.first_name, "last_name": invitation.last_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_service(
                invitation=invitation, token=token, password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error({"password": "password1"}.get(field, None), errors)
        else:
            login(request, user, backend=MODEL_BACKEND)
            messages.success(request, f"Welcome to Classplan. Your log-in is {user.username}.")
            return redirect("home")
    return _private(render(request, "tenants/invitation_accept.html", {"invitation": invitation, "form": form}))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = MailedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = AuditedSetPasswordForm
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed. You are logged in.")
        return super().form_valid(form)


def password_urls():
    """The password-reset pages of both sites (each site's own; the admin logins link here too)."""
    from django.urls import path

    return [
        path("accounts/password/reset/", PasswordResetView.as_view(), name="password_reset"),
        path("admin/password_reset/", PasswordResetView.as_view(), name="admin_password_reset"),
        path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path("accounts/password/reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(),
             name="password_reset_confirm"),
        path("accounts/invitation/<int:pk>/<str:token>/", invitation_accept, name="invitation_accept"),
    ]
