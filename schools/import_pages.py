"""The pages of an enrolment import, shared by the school admin and the district office: the upload
form, template downloads, the job page (progress, preview, result), its htmx progress fragment and
the confirm. Thin: services do the work (`schools.services.enrolment_import_*`,
`reports.district.imports.district_import_*`).

`EnrolmentImportAdminMixin` puts them on the school admin's enrolment pages
(`/admin/schools/enrolment/import/...`); the district's views (reports/district/import_views.py)
use the helpers below.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from schools import selectors, services
from schools.imports import CONTENT_TYPES, EXTENSIONS, MAX_CLASS_SIZE, MAX_STUDENTS, GradeDirectory
from schools.resources import dataset_file, school_template
from schools.spreadsheets import upload_size_validator

RECENT = 10


class ImportUploadForm(forms.Form):
    import_file = forms.FileField(label="Spreadsheet file", validators=[upload_size_validator])  # before reading

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = (
            f"A .xlsx or .csv file of at most {settings.SPREADSHEET_MAX_BYTES // 1_000_000 or 1} MB and "
            f"{settings.SPREADSHEET_MAX_ROWS:,} rows."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in EXTENSIONS:
            raise ValidationError("Upload a .xlsx or .csv file (in your spreadsheet program: Save as, "
                                  "Excel workbook or CSV UTF-8).")
        return upload

    def content(self) -> bytes:
        return b"".join(self.cleaned_data["import_file"].chunks())


def file_response(dataset, *, extension: str, name: str) -> HttpResponse:
    if extension not in EXTENSIONS:
        raise Http404("Choose .xlsx or .csv.")
    response = HttpResponse(dataset_file(dataset, extension=extension), content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


def year_param(request, default=None) -> int | None:
    value = (request.GET.get("year") or "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return default


def limits_context() -> dict:
    return {"max_students": f"{MAX_STUDENTS:,}", "max_class_size": f"{MAX_CLASS_SIZE:,}",
            "max_rows": f"{settings.SPREADSHEET_MAX_ROWS:,}"}


def job_context(job, *, progress_url: str, confirm_url: str, job_url: str, upload_url: str) -> dict:
    return {"job": job, "counts": job.counts or {}, "progress_url": progress_url, "confirm_url": confirm_url,
            "job_url": job_url, "upload_url": upload_url, "problems": job.problems or [],
            "changes": job.changes or []}


def progress_response(request, job, *, context: dict) -> HttpResponse:
    """The htmx fragment while the job runs; once it ends, htmx reloads the whole page (HX-Refresh)."""
    if job.live:
        return TemplateResponse(request, "imports/_progress.html", context)
    response = HttpResponse(f'<p><a href="{context["job_url"]}">Done: show the result</a></p>')
    response["HX-Refresh"] = "true"
    return response


def confirm_and_redirect(request, confirm, *, job_id: int, job_url: str):
    """POST only: confirm once; a second or replayed confirm gets a message, never an error page."""
    try:
        confirm(job_id=job_id, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Confirmed: the rows are being written. This page shows when it is done.")
    return redirect(job_url)


# --- the school admin's pages -------------------------------------------------------------------

class EnrolmentImportAdminMixin:
    """For the school admin's EnrolmentAdmin: import pages at /admin/schools/enrolment/import/."""

    import_export_change_list_template = "admin/schools/enrolment/change_list_import.html"

    def has_import_permission(self, request):
        return self.has_change_permission(request) and self.has_add_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="schools_enrolment_import"),
            path("import/template.<str:extension>", view(self.import_template_view),
                 name="schools_enrolment_import_template"),
            path("import/<int:pk>/", view(self.import_job_view), name="schools_enrolment_import_job"),
            path("import/<int:pk>/progress/", view(self.import_progress_view),
                 name="schools_enrolment_import_progress"),
            path("import/<int:pk>/confirm/", view(require_POST(self.import_confirm_view)),
                 name="schools_enrolment_import_confirm"),
        ] + super().get_urls()

    def _allowed(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied

    def _context(self, request, title: str) -> dict:
        grades = selectors.grade_list()
        return {**self.admin_site.each_context(request), **limits_context(), "title": title, "opts": self.opts,
                "grades": grades, "grades_described": GradeDirectory(grades).described}

    def import_view(self, request):
        self._allowed(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = services.enrolment_import_request(file_name=form.cleaned_data["import_file"].name,
                                                    content=form.content(), actor=request.user)
            return redirect("admin:schools_enrolment_import_job", job.pk)
        latest = selectors.year_latest()
        context = {**self._context(request, "Import enrolments"), "form": form,
                   "years": selectors.year_numbers(), "template_year": latest.year if latest else None,
                   "recent": selectors.enrolment_imports_recent(RECENT)}
        return TemplateResponse(request, "admin/schools/enrolment/import.html", context)

    def import_template_view(self, request, extension):
        if not self.has_view_permission(request):
            raise PermissionDenied
        latest = selectors.year_latest()
        year = year_param(request, latest.year if latest else None)
        name = f"enrolments-{request.tenant.code}-{year or 'template'}"
        return file_response(school_template(year=year), extension=extension, name=name)

    def _job(self, pk):
        job = selectors.enrolment_import_get(pk=pk)
        if job is None:
            raise Http404("There is no such import.")
        return job

    def _job_context(self, job):
        return job_context(
            job, progress_url=reverse("admin:schools_enrolment_import_progress", args=[job.pk]),
            confirm_url=reverse("admin:schools_enrolment_import_confirm", args=[job.pk]),
            job_url=reverse("admin:schools_enrolment_import_job", args=[job.pk]),
            upload_url=reverse("admin:schools_enrolment_import"),
        )

    def import_job_view(self, request, pk):
        self._allowed(request)
        job = self._job(pk)
        context = {**self._context(request, f"Import of {job.file_name}"), **self._job_context(job),
                   "now": timezone.now()}
        return TemplateResponse(request, "admin/schools/enrolment/import_job.html", context)

    def import_progress_view(self, request, pk):
        self._allowed(request)
        job = self._job(pk)
        return progress_response(request, job, context=self._job_context(job))

    def import_confirm_view(self, request, pk):
        self._allowed(request)
        return confirm_and_redirect(request, services.enrolment_import_confirm, job_id=pk,
                                    job_url=reverse("admin:schools_enrolment_import_job", args=[pk]))
