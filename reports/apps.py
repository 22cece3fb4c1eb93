from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from reports import signals  # noqa: F401  (connects the receivers; models must be ready first)
