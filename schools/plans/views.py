"""The school site's plan pages (outside the admin): the comparison across years."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from schools.plans import charts, selectors


@login_required
def year_comparison(request):
    """Per year: enrolment per grade, teachers, classes, composites and class sizes of the year's plan.

    For principals, staff and district staff of the school (the middleware turns others away).
    """
    if request.tenant.is_district or request.school_role is None:
        raise PermissionDenied
    rows = selectors.year_comparison_rows()
    codes = selectors.grade_codes()
    for row in rows:
        row["enrolment_cells"] = [row["enrolment"].get(code) for code in codes]
    return render(request, "plans/compare.html", {
        "rows": rows,
        "grade_codes": codes,
        "charts": charts.year_comparison_svgs(rows, codes),
        "can_open_admin": True,
    })
