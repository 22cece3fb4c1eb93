from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from tenants.selectors import school_url, schools_for_user


@login_required
def home(request):
    """The district office's landing page, or a school's front page."""
    if request.tenant.is_district:
        schools = [
            {"school": s, "url": school_url(school=s, request=request)}
            for s in schools_for_user(user=request.user)
        ]
        return render(request, "tenants/district_home.html", {"schools": schools})
    if request.school_role is None:
        raise PermissionDenied
    if request.school_role == "principal":
        return redirect("portal:home") if _has_portal() else render(request, "tenants/school_home.html")
    return render(request, "tenants/school_home.html")


def _has_portal() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("portal:home")
    except NoReverseMatch:
        return False
    return True
