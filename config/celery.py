"""The Celery app. tenant-schemas-celery runs every task in the schema it was sent from.

Settings (config/settings.py, namespace CELERY_): broker CELERY_BROKER_URL (Redis in
production; with none, kombu's filesystem transport under var/broker so `make run` starts a
real worker), queues "solver" (plans) and "reports", acks_late, prefetch 1, reject on worker
lost, and a hard time limit above the solver's own. Never eager outside tests.

Periodic work (run `celery -A config worker --beat`, or a separate `celery -A config beat`):
the stale-job reaper, so that no page GET ever writes.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("classplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "celery"
app.conf.worker_hijack_root_logger = False
app.conf.beat_schedule = {
    "plan-jobs-reap-stale": {
        "task": "schools.plans.tasks.plan_jobs_reap_stale_task",
        "schedule": 300.0,  # seconds; a stale job is one silent for minutes, so 5 minutes is soon enough
        "options": {"queue": "celery"},
    },
}
app.conf.beat_schedule_filename = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "celerybeat-schedule")
app.autodiscover_tasks(["schools.plans", "reports", "reports.district"])
