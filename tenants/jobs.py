"""Long work that never sticks and never loses a result: the job row is the record.

Every kind of job (a solve, a report render, a district ZIP, later imports) is a row of a model
that inherits `JobRecord`. The row, not the broker's message, says what must happen:

- **Outbox.** A job is queued by creating its row (status live, `dispatched` empty) and, after
  commit, sending its task (`job_send_on_commit`); the send stamps `dispatched`. A message that
  never left (a web worker killed between the commit and the publish) or that the broker lost
  (Redis restarted without its data) is sent again by the dispatcher (`jobs_dispatch`, a
  periodic Celery beat task), with a growing pause between sends.
- **Heartbeats.** The process running a job claims it (`job_claim`: started, attempts + 1, its
  worker's name) and writes its `heartbeat` every JOB_HEARTBEAT_S (`job_heartbeat`, a thread). A
  running job silent for JOB_DEAD_AFTER_S, or held by a worker that restarted since, has lost its
  worker: the dispatcher puts it back in the queue (attempts left) or fails it with the reason.
- **Workers.** Each Celery worker process writes a `WorkerBeat` row (tenants.models) every
  JOB_HEARTBEAT_S; `/healthz` reports when none was seen lately (config/health.py).

A duplicate message is harmless: `job_claim` returns None for a finished job and for one running
elsewhere with a fresh heartbeat. Bookkeeping (`dispatched`, `heartbeat`) is written with
`.update()`; every change of a job's status goes through its model's `save()` (listeners see it).

A job model declares, besides the inherited fields:

    JOB_TASK = "app.tasks.some_task"     # the Celery task's name; it is sent with (pk,)
    JOB_LIVE = ("queued", "running")     # statuses of a job not finished yet
    JOB_WAITING = "queued"               # the status of a job waiting for a worker
    def job_started(self): ...           # optional: set the running status (saved by the claim)
    def job_failed(self, reason): ...    # set the failed status, error and `finished` (saved by the caller)
    def job_note(self, message): ...     # optional: a line of progress the user sees

and lives in each school's schema (a TENANT_APPS model) or in the public schema; the dispatcher
visits both.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

log = logging.getLogger(__name__)


class JobRecord(models.Model):
    """The fields every job row has (abstract): see the module's documentation."""

    created = models.DateTimeField(auto_now_add=True)
    dispatched = models.DateTimeField(
        null=True, blank=True, help_text="When its task was last sent to the workers (empty: not yet).")
    dispatches = models.PositiveSmallIntegerField(default=0, help_text="How often its task was sent.")
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the worker running it.")
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, help_text="The worker process running it (host pid).")
    finished = models.DateTimeField(null=True, blank=True)

    JOB_TASK = ""
    JOB_LIVE: tuple = ()
    JOB_WAITING = ""

    class Meta:
        abstract = True

    def job_started(self) -> None:
        """Set the running status, if the model has one (the claim saves the row)."""

    def job_failed(self, reason: str) -> None:  # pragma: no cover - every model defines it
        raise NotImplementedError

    def job_note(self, message: str) -> None:
        """A line of progress the user sees, if the model keeps them."""

    @property
    def job_is_live(self) -> bool:
        return self.status in self.JOB_LIVE


# --- settings --------------------------------------------------------------------------------


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name, default)))


def heartbeat_every() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_S", 10))


def dead_after() -> timedelta:
    return _seconds("JOB_DEAD_AFTER_S", 45)


def redispatch_after(dispatches: int) -> timedelta:
    """How long a sent job may wait unclaimed before it is sent again: doubles with each send (capped)."""
    base = float(getattr(settings, "JOB_REDISPATCH_AFTER_S", 60))
    return timedelta(seconds=base * 2 ** min(max(dispatches - 1, 0), 4))


def max_attempts() -> int:
    return int(getattr(settings, "JOB_MAX_ATTEMPTS", 2))


# --- who is running this? --------------------------------------------------------------------

_worker_main_pid: int | None = None


def worker_name() -> str:
    """`host main-pid pid`: the worker (its main process, the pool's parent) and the process running the job."""
    from celery import current_task

    host = getattr(getattr(current_task, "request", None), "hostname", None) or socket.gethostname()
    return f"{host} {_worker_main_pid or os.getpid()} {os.getpid()}"


def _worker_parts(job) -> tuple[str, int, int] | None:
    parts = (job.worker or "").rsplit(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def job_models() -> list[type[JobRecord]]:
    return [m for m in apps.get_models() if issubclass(m, JobRecord)]


def _is_public(model) -> bool:
    return model._meta.app_config.name not in settings.TENANT_APPS


# --- sending ---------------------------------------------------------------------------------


def job_send(job: JobRecord) -> bool:
    """Send the job's task now, in the active schema, and stamp `dispatched`. False when the broker refused."""
    from celery import current_app

    try:
        sent = current_app.send_task(job.JOB_TASK, args=[job.pk])
    except Exception:  # the broker is unreachable: the row stays, the dispatcher sends it later
        log.exception("Could not send %s(%s) in %s", job.JOB_TASK, job.pk, connection.schema_name)
        return False
    extra = {"task_id": sent.id or ""} if any(f.name == "task_id" for f in job._meta.fields) else {}
    type(job).objects.filter(pk=job.pk).update(dispatched=timezone.now(), dispatches=F("dispatches") + 1, **extra)
    return True


def job_send_on_commit(*rows: JobRecord) -> None:
    """Send the jobs' tasks once the transaction commits (one callback, in the schema active now)."""
    schema = connection.schema_name
    keys = [(type(row), row.pk) for row in rows]
    if not keys:
        return

    def send():
        with schema_context(schema):
            for model, pk in keys:
                row = model.objects.filter(pk=pk).first()
                if row is not None and row.job_is_live:
                    job_send(row)

    transaction.on_commit(send, robust=True)


# --- running ---------------------------------------------------------------------------------


def job_alive(job: JobRecord, *, now=None) -> bool:
    """A live job whose message is on its way (sent lately) or whose worker shows signs of life."""
    now = now or timezone.now()
    if not job.job_is_live:
        return False
    if job.started is None:
        return job.dispatched is not None and job.dispatched > now - redispatch_after(job.dispatches)
    return job.heartbeat is not None and job.heartbeat > now - dead_after() and not _holder_gone(job)


def job_claim(model: type[JobRecord], pk: int, *, now=None) -> JobRecord | None:
    """Start running a job: the row (attempts + 1, started, heartbeat, worker), or None when there is
    nothing to do (finished, gone, or running elsewhere with a fresh heartbeat).

    A job found running without signs of life lost its worker: it runs again while attempts are
    left, and is failed with the reason after max_attempts().
    """
    now = now or timezone.now()
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=pk).first()
        if job is None or not job.job_is_live:
            return None
        if job.started is not None:
            if job_alive(job, now=now):
                return None  # a duplicate message: the job is in good hands
            job.job_note("The worker running this job stopped; running it again.")
        if job.attempts >= max_attempts():
            job.job_failed(_lost_reason(job))
            job.save()
            return None
        job.attempts += 1
        job.started = job.heartbeat = now
        job.worker = worker_name()
        job.job_started()
        job.save()
    return job


def _lost_reason(job) -> str:
    return (f"The worker running this job stopped {job.attempts} times (it was restarted, killed or ran "
            "out of memory). Nothing was saved; try again.")


@contextlib.contextmanager
def job_heartbeat(job: JobRecord):
    """While the block runs, a thread writes the job's heartbeat every JOB_HEARTBEAT_S (own connection)."""
    stop = threading.Event()
    schema, model, pk = connection.schema_name, type(job), job.pk

    def beat():
        try:
            while not stop.wait(heartbeat_every()):
                try:
                    with schema_context(schema):
                        model.objects.filter(pk=pk).update(heartbeat=timezone.now())
                except Exception:  # the database is away for a moment: the next beat tries again
                    log.warning("Heartbeat of %s %s failed", model.__name__, pk, exc_info=True)
                    close_old_connections()
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def with_db_retry(save, *, what: str = "saving", on_retry=None):
    """Run `save()` (a function doing its own transaction), again after a transient database error.

    Waits JOB_SAVE_RETRY_S between tries (e.g. [0.5, 1, 2, 4, 8, 15, 30]: about a minute of an
    unreachable database); each retry closes the broken connection first. Returns (result, tries).
    """
    from django.db import InterfaceError, OperationalError

    delays = list(getattr(settings, "JOB_SAVE_RETRY_S", [0.5, 1, 2, 4, 8, 15, 30]))
    tries = 0
    while True:
        tries += 1
        try:
            return save(), tries
        except (OperationalError, InterfaceError) as error:
            if not delays:
                raise
            delay = delays.pop(0)
            log.warning("Database error while %s (try %s): %s; again in %s s", what, tries, error, delay)
            if on_retry is not None:
                on_retry(error)
            connection.close()  # the next query opens a new connection (django-tenants sets its schema)
            time.sleep(delay)


# --- the dispatcher --------------------------------------------------------------------------


def _holder_gone(job) -> bool:
    """The process running the job is gone: it no longer exists (seen from a worker of the same
    name: a pool process killed, the message redelivered), or its worker's heartbeat now comes
    from another, newer process (the worker was restarted)."""
    from tenants.models import WorkerBeat

    parts = _worker_parts(job)
    if parts is None:
        return False
    host, main_pid, pid = parts
    mine = worker_name().rsplit(" ", 2)[0]
    if host == mine and _process_gone(pid):
        return True
    with schema_context(get_public_schema_name()):
        beat = WorkerBeat.objects.filter(hostname=host).first()
    return beat is not None and beat.pid != main_pid and beat.started > (job.started or beat.started)


def _dispatch_model(model, now) -> dict:
    """Send again what waits unsent, revive or fail what lost its worker, in the active schema."""
    counts = {"sent": 0, "revived": 0, "failed": 0}
    live = model.objects.filter(status__in=model.JOB_LIVE)
    grace = timedelta(seconds=max(heartbeat_every(), 1.0))
    waiting = live.filter(started__isnull=True).filter(
        Q(dispatched__isnull=True, created__lt=now - grace) | Q(dispatched__isnull=False))
    for job in waiting.order_by("created"):
        if job.dispatched is None or job.dispatched <= now - redispatch_after(job.dispatches):
            counts["sent"] += job_send(job)
    for job in live.filter(started__isnull=False).order_by("created"):
        if not job_alive(job, now=now):
            revived = job_revive(job, now=now)
            if revived is None:
                counts["failed"] += 1
            elif revived.started is None:
                counts["revived"] += 1
    return counts


def job_revive(job: JobRecord, *, now=None) -> JobRecord | None:
    """A live job that is not alive (see `job_alive`): sent again (returned), or failed when it has
    used its attempts (None). A job alive meanwhile is returned as it is."""
    now = now or timezone.now()
    model = type(job)
    with transaction.atomic():
        locked = model.objects.select_for_update(skip_locked=True).filter(pk=job.pk).first()
        if locked is None:  # its worker is writing it right now (e.g. saving a result): alive
            return model.objects.filter(pk=job.pk, status__in=model.JOB_LIVE).first()
        job = locked
        if not job.job_is_live:
            return None
        if job_alive(job, now=now):
            return job
        if job.started is not None:
            if job.attempts >= max_attempts():
                job.job_failed(_lost_reason(job))
                job.save()
                return None
            job.job_note("The worker running this job stopped; it is queued again.")
            job.started = job.heartbeat = None
            job.status = model.JOB_WAITING
            job.save()
    job_send(job)
    job.refresh_from_db()
    return job


def jobs_dispatch(*, now=None) -> dict:
    """The dispatcher's round over every job model, in the public schema and every school's."""
    from tenants.models import School

    now = now or timezone.now()
    totals = {"sent": 0, "revived": 0, "failed": 0}

    def add(counts):
        for key, value in counts.items():
            totals[key] += value

    public_models = [m for m in job_models() if _is_public(m)]
    school_models = [m for m in job_models() if not _is_public(m)]
    with schema_context(get_public_schema_name()):
        for model in public_models:
            add(_dispatch_model(model, now))
        schemas = list(School.objects.exclude(schema_name=get_public_schema_name())
                       .values_list("schema_name", flat=True))
    for schema in schemas:
        with schema_context(schema):
            for model in school_models:
                add(_dispatch_model(model, now))
    return totals


# --- worker liveness -------------------------------------------------------------------------


def worker_beat(*, hostname: str, pid: int, queues: str, started=None) -> None:
    """Record that this worker process is alive (its row per host name)."""
    from tenants.models import WorkerBeat

    now = timezone.now()
    with schema_context(get_public_schema_name()):
        updated = WorkerBeat.objects.filter(hostname=hostname, pid=pid).update(seen=now, queues=queues)
        if not updated:
            WorkerBeat.objects.update_or_create(
                hostname=hostname, defaults={"pid": pid, "queues": queues, "started": started or now, "seen": now})


def workers_seen(*, within: timedelta | None = None) -> list:
    """Worker processes seen within the last `within` (default: JOB_DEAD_AFTER_S)."""
    from tenants.models import WorkerBeat

    within = within or dead_after()
    with schema_context(get_public_schema_name()):
        return list(WorkerBeat.objects.filter(seen__gt=timezone.now() - within).order_by("hostname"))


class WorkerBeatThread:
    """The worker's own heartbeat (started on `worker_ready`, in the worker's main process)."""

    def __init__(self, *, hostname: str, queues: str):
        self.hostname, self.queues, self.pid = hostname, queues, os.getpid()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="worker-beat", daemon=True)

    def start(self):
        global _worker_main_pid
        _worker_main_pid = self.pid
        self.started = timezone.now()
        self.beat()
        self.thread.start()

    def beat(self):
        try:
            worker_beat(hostname=self.hostname, pid=self.pid, queues=self.queues, started=self.started)
        except Exception:
            log.warning("Worker heartbeat failed", exc_info=True)
            connection.close()

    def run(self):
        try:
            while not self.stop.wait(heartbeat_every()):
                self.beat()
        finally:
            connection.close()


def worker_pool_process_init() -> None:
    """In a pool process: remember the main process (its parent) as the worker that runs jobs."""
    global _worker_main_pid
    _worker_main_pid = os.getppid()
