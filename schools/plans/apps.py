from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "schools.plans"
    label = "plans"
    verbose_name = "Class plans"
