"""The front pages: a school's (its next steps, then its data and reports) and the district
office's (every school's steps). They live here because the steps read plans and reports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from reports.selectors import district_setup_rows, school_setup_steps
from tenants import policy
from tenants.selectors import school_url, schools_for_user
from tenants.views import switch_url


@login_required
def home(request):
    """The district office's landing page, or a school's front page."""
    if request.tenant.is_district:
        return _district_home(request)
    if request.school_role is None:
        raise PermissionDenied
    if not policy.can_edit_school(request.user, request.tenant):
        return redirect("portal:home")  # principals: their plans and reports
    steps = school_setup_steps()
    district_staff = policy.can_manage_district(request.user)
    for step in steps:  # inviting is the district office's: a link for district staff, words for others
        step["href"] = (request.district_url.rstrip("/") + step["url"] if district_staff else "") \
            if step["district"] else step["url"]
    return render(request, "tenants/school_home.html", {"steps": steps})


def _district_home(request):
    if policy.can_manage_district(request.user):
        rows = district_setup_rows()
    else:  # a school's person who logged in at the district's address: their schools
        rows = [{"school": s, "steps": None} for s in schools_for_user(user=request.user)]
    for row in rows:
        row["open_url"] = reverse("school_switch", args=[row["school"].code])
        row["url"] = school_url(school=row["school"], request=request)
        for step in row["steps"] or []:  # school pages open through the hand-off (no second log-in)
            step["href"] = step["url"] if step["district"] else switch_url(row["school"], step["url"])
    return render(request, "tenants/district_home.html", {"rows": rows})
