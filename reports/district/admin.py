"""District admin pages: the district's settings. (The district's enrolment import and export is a
plain district page: reports/district/import_views.py.)"""

import zoneinfo

from django import forms
from django.contrib import admin
from django.shortcuts import redirect

from schools import rulepacks
from tenants.models import DistrictSettings
from tenants.selectors import district_settings
from tenants.services import district_settings_update
from tenants.sites import PolicyAdminMixin, district_admin_site

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
