from django.apps import AppConfig


class DistrictReportsConfig(AppConfig):
    """District-wide report bundles. A SHARED app: its table lives in the public schema only."""

    name = "reports.district"
    label = "reports_district"
    verbose_name = "District reports"

    def ready(self):
        from reports.district import signals  # noqa: F401  (connects the receivers; models must be ready first)
