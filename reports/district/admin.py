"""District admin pages: every school's enrolments in one spreadsheet (export and import), and
the district's settings."""

import zoneinfo

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
from schools import rulepacks
from schools.spreadsheets import upload_size_validator
from tenants.models import DistrictSettings
from tenants.selectors import district_settings
from tenants.services import district_settings_update
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


# --- the district's settings (one row) -------------------------------------------------------

RANKING_CHOICES = [
    ("composites,classes,spread", "Avoid composite classes, then use every teacher, then even sizes (Classplan's default)"),
    ("classes,composites,largest,spread", "Use every teacher (smaller classes), then avoid composites"),
    ("composites,largest,classes,spread", "Avoid composite classes, then keep the largest class small"),
    ("largest,composites,classes,spread", "Keep the largest class small first"),
]


class DistrictSettingsForm(forms.ModelForm):
    rule_pack = forms.ChoiceField(label="Class-size rules", help_text=DistrictSettings._meta.get_field("rule_pack").help_text)
    ranking_choice = forms.ChoiceField(label="Planning priorities", choices=RANKING_CHOICES,
                                       help_text="The order new school years start with; each year may choose its own.")
    time_zone = forms.ChoiceField(label="Time zone", help_text=DistrictSettings._meta.get_field("time_zone").help_text)

    class Meta:
        model = DistrictSettings
        fields = ["name", "time_zone", "rule_pack", "grade_template"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_pack"].choices = [(p.id, p.name) for p in rulepacks.pack_list()]
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        current = ",".join(self.instance.ranking_or_default)
        choices = dict(RANKING_CHOICES)
        if current not in choices:
            self.fields["ranking_choice"].choices = [(current, current.replace(",", ", "))] + RANKING_CHOICES
        self.initial["ranking_choice"] = current


@admin.register(DistrictSettings, site=district_admin_site)
class DistrictSettingsAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """One page: the district's name, time zone, rule pack and default priorities."""

    form = DistrictSettingsForm

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("district_admin:tenants_districtsettings_change", 1)

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) != "1":
            return None
        return district_settings()

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("name", "time_zone", "rule_pack", "grade_template")}
        data["ranking"] = form.cleaned_data["ranking_choice"].split(",")
        saved = district_settings_update(actor=request.user, **data)
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # no related rows; the service above saved and audited everything
