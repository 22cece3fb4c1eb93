from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "School data"

    def ready(self):
        from schools import signals  # noqa: F401  (connects the receivers)
