"""The Celery app. tenant-schemas-celery runs every task in the schema it was sent from.

Settings (config/settings/base.py, namespace CELERY_): broker CELERY_BROKER_URL (Redis in
production; with none, kombu's filesystem transport under var/broker so `make run` starts a
real worker), queues "solver" (plans) and "reports", acks_late, prefetch 1, reject on worker
lost, and a hard time limit above the solver's own. Never eager outside tests.

Periodic work (run `celery -A config worker --beat`, or a separate `celery -A config beat`):
the stale-job reaper, so that no page GET ever writes, and the clean-up of enrolment imports
(previews never confirmed, jobs whose worker is gone).

The settings module defaults to production, as for the WSGI server; `make run` and
`make worker` set config.settings.local, the tests config.settings.test.
"""

import os
from pathlib import Path

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

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
    # enrolment imports: previews never confirmed expire (their rows are dropped), jobs whose worker
    # is gone are failed with the reason, old jobs are deleted
    "enrolment-imports-clean": {
        "task": "schools.tasks.enrolment_imports_clean_task",
        "schedule": 3600.0,
        "options": {"queue": "celery"},
    },
    "district-imports-clean": {
        "task": "reports.district.tasks.district_imports_clean_task",
        "schedule": 3600.0,
        "options": {"queue": "celery"},
    },
}
app.autodiscover_tasks(["schools", "schools.plans", "reports", "reports.district"])

FILE_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def _file_broker_folders(sender, **kwargs):
    """kombu's filesystem transport needs its folders; create them when the app is first used
    (not in the settings, which must stay free of side effects)."""
    if str(sender.conf.broker_url or "").startswith("filesystem"):
        options = sender.conf.broker_transport_options or {}
        for key in FILE_BROKER_FOLDERS:
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
