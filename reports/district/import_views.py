"""The district's enrolment spreadsheet page (/district/imports/): the template for a year (every
school's grades), the export, the upload, and each import's page (progress, preview, one confirm,
result). District staff only (`district_view`: the policy's manage_district). Thin: the work is in
reports/district/imports.py; the helpers are the school admin's (schools/import_pages.py).
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reports.district import imports, selectors
from reports.district.views import district_view
from schools.import_pages import (
    ImportUploadForm,
    confirm_and_redirect,
    file_response,
    job_context,
    limits_context,
    progress_response,
    year_param,
)

RECENT = 10


@district_view
def imports_page(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = imports.district_import_request(file_name=form.cleaned_data["import_file"].name,
                                              content=form.content(), actor=request.user)
        return redirect("district:import", job.pk)
    schools, years = selectors.district_grades_and_years()
    return render(request, "district/imports.html", {
        **limits_context(), "form": form, "years": years, "template_year": years[0] if years else None,
        "schools": schools, "recent": selectors.district_imports_recent(RECENT),
        "district": True,
    })


@district_view
def template_download(request, extension: str):
    year = year_param(request)
    if year is None:
        raise Http404("Choose a year.")
    return file_response(imports.district_template(year=year), extension=extension,
                         name=f"district-enrolments-{year}-template")


@district_view
def export_download(request, extension: str):
    year = year_param(request)
    return file_response(imports.district_export(year=year), extension=extension,
                         name=f"district-enrolments-{year or 'all'}-{timezone.localdate():%Y%m%d}")


def _job(pk):
    job = selectors.district_import_get(pk=pk)
    if job is None:
        raise Http404("There is no such import.")
    return job


def _job_context(job) -> dict:
    return {**job_context(job, progress_url=reverse("district:import_progress", args=[job.pk]),
                          confirm_url=reverse("district:import_confirm", args=[job.pk]),
                          job_url=reverse("district:import", args=[job.pk]), upload_url=reverse("district:imports")),
            "district": True}


@district_view
def import_detail(request, pk: int):
    job = _job(pk)
    return render(request, "district/import_job.html", _job_context(job))


@district_view
def import_progress(request, pk: int):
    job = _job(pk)
    return progress_response(request, job, context=_job_context(job))


@district_view
@require_POST
def import_confirm(request, pk: int):
    return confirm_and_redirect(request, imports.district_import_confirm, job_id=pk,
                                job_url=reverse("district:import", args=[pk]))
