"""Brute-force lockout on every log-in form (django-axes): whose address a request is, and the
page a locked-out person sees. Settings: AXES_* and TRUSTED_PROXY_COUNT in config/settings/base.py.
"""

from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The request's address (AXES_CLIENT_IP_CALLABLE).

    With TRUSTED_PROXY_COUNT = 0 (development, or the app facing the network itself) it is the
    connection's address. Behind N proxies that each append to X-Forwarded-For, it is the N-th
    address from the right: whatever a client writes into the header itself stays to the left
    of what the trusted proxies appended, so nobody can choose their own address.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page that says what happened and how long to wait (HTTP 429)."""
    context = {
        "username": get_client_username(request, credentials) or "",
        "cooloff_minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "registration/locked_out.html", context, status=429)
