"""The Celery app. tenant-schemas-celery runs every task in the schema it was sent from.

Settings (config/settings.py, namespace CELERY_): broker CELERY_BROKER_URL (Redis in
production; with none, kombu's filesystem transport under var/broker so `make run` starts a
real worker), queues "solver" (plans) and "reports", acks_late, prefetch 1, reject on worker
lost, and a hard time limit above the solver's own. Never eager outside tests.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("classplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "celery"
app.conf.worker_hijack_root_logger = False
app.autodiscover_tasks(["schools.plans", "reports"])
