"""The one decorator for a school's own pages (portal and planning): who may read the school.

Logged-in people the policy lets read this school; anyone else sees nothing (404) — the
middleware already turns other schools' people away with 403, and the district office's site
has no school pages. A rate-limited request to start work is answered with 429 and the
limit's message (`tenants.policy.work_rate_check`).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from tenants import policy


def too_many_requests(request, error):
    """429 with the rate limit's message."""
    return render(request, "429.html", {"message": str(error)}, status=429)


def school_page(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.tenant.is_district or not policy.can_read_school(request.user, request.tenant):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except policy.TooManyRequests as error:
            return too_many_requests(request, error)

    return wrapper
