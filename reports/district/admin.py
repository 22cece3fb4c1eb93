"""District admin page: every school's enrolments in one spreadsheet, export and import."""

import tablib
from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from reports.district import imports as district
from schools.models import DistrictEnrolmentFile
from schools.spreadsheets import upload_size_validator
from tenants.sites import PolicyAdminMixin, district_admin_site

SIGNING_SALT = "schools.district-enrolments"
FORMAT_CHOICES = [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)")]


class DistrictExportForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100,
                              help_text="Blank: every year.")
    file_format = forms.ChoiceField(choices=FORMAT_CHOICES, label="Format")


class DistrictImportForm(forms.Form):
    import_file = forms.FileField(
        label="File", help_text="A .csv or .xlsx file with columns: " + ", ".join(district.COLUMNS) + ".",
        validators=[upload_size_validator],  # before the file is read
    )


@admin.register(DistrictEnrolmentFile, site=district_admin_site)
class DistrictEnrolmentFileAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """No rows of its own: its list page is the import/export page."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("", self.admin_site.admin_view(self.changelist_view), name="%s_%s_changelist" % info)]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        export_form = DistrictExportForm(prefix="export")
        import_form = DistrictImportForm()
        preview, payload = None, ""
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "export":
            export_form = DistrictExportForm(request.POST, prefix="export")
            if export_form.is_valid():
                return self._export(export_form.cleaned_data)
        elif action == "preview":
            import_form = DistrictImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                upload = import_form.cleaned_data["import_file"]
                try:
                    dataset = district.district_file_read(name=upload.name, content=upload.read())
                except ValidationError as error:
                    import_form.add_error("import_file", error.message_dict["import_file"])
                else:
                    preview = district.district_import_preview(dataset)
                    if preview.ok:
                        payload = signing.dumps(
                            {"headers": dataset.headers, "rows": [list(r) for r in dataset]},
                            salt=SIGNING_SALT, compress=True,
                        )
        elif action == "confirm":
            return self._confirm(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "District enrolments: import and export",
            "opts": self.opts,
            "export_form": export_form,
            "import_form": import_form,
            "preview": preview,
            "payload": payload,
            "columns": district.COLUMNS,
        }
        return TemplateResponse(request, "admin/schools/district_enrolments.html", context)

    def _export(self, data):
        dataset = district.district_export(year=data["year"])
        extension = data["file_format"]
        content = district.district_export_file(dataset=dataset, extension=extension)
        content_type = {"csv": "text/csv; charset=utf-8",
                        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[extension]
        name = f"enrolments-{data['year'] or 'all'}-{timezone.localdate():%Y%m%d}.{extension}"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _confirm(self, request):
        try:
            data = signing.loads(request.POST.get("payload", ""), salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            self.message_user(request, "The preview expired or was altered: upload the file again.", messages.ERROR)
            return redirect(request.path)
        dataset = tablib.Dataset(*data["rows"], headers=data["headers"])
        try:
            preview = district.district_import(dataset=dataset, actor=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Imported {len(preview.rows)} rows: {preview.count('new')} new, "
                f"{preview.count('update')} updated, {preview.count('unchanged')} unchanged.",
                messages.SUCCESS,
            )
        return redirect(request.path)
