"""The Celery app. tenant-schemas-celery runs every task in the schema it was sent from.

Settings (config/settings/base.py, namespace CELERY_): broker CELERY_BROKER_URL (Redis in
production; with none, kombu's filesystem transport under var/broker so `make run` starts a
real worker), queues "solver" (plans) and "reports", acks_late, prefetch 1, reject on worker
lost, and a hard time limit above the solver's own. Never eager outside tests.

Periodic work (run `celery -A config worker --beat`, or a separate `celery -A config beat`):
the job dispatcher (tenants/jobs.py), so that no page GET ever writes. Every worker writes its
own heartbeat (`WorkerBeat`, read by /healthz and the dispatcher).
It also cleans up enrolment imports (previews never confirmed, jobs whose worker is gone).

The settings module defaults to production, as for the WSGI server; `make run` and
`make worker` set config.settings.local, the tests config.settings.test.
"""

import os
from pathlib import Path

from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready, worker_shutdown
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = CeleryApp("classplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "celery"
app.conf.worker_hijack_root_logger = False
# the beat schedule (the job dispatcher) is CELERY_BEAT_SCHEDULE in the settings
app.autodiscover_tasks(["tenants", "schools", "schools.plans", "reports", "reports.district"])


_beats = []


@worker_ready.connect
def _worker_beat_start(sender, **kwargs):
    """The worker's own heartbeat thread (main process; `sender` is its consumer)."""
    from tenants.jobs import WorkerBeatThread

    queues = ",".join(sorted(q.name for q in sender.app.amqp.queues.consume_from.values()))
    beat = WorkerBeatThread(hostname=sender.hostname, queues=queues)
    beat.start()
    _beats.append(beat)


@worker_shutdown.connect
def _worker_beat_stop(sender, **kwargs):
    while _beats:
        _beats.pop().stop.set()


@worker_process_init.connect
def _pool_process_init(**kwargs):
    from tenants.jobs import worker_pool_process_init

    worker_pool_process_init()

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


@task_prerun.connect
def _district_time_zone(**kwargs):
    """Jobs render PDFs and mails: their dates and times are in the district's time zone too."""
    from django.utils import timezone

    from tenants.selectors import district_time_zone

    timezone.activate(district_time_zone())


@task_postrun.connect
def _default_time_zone(**kwargs):
    from django.utils import timezone

    timezone.deactivate()
