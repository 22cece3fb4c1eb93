"""Celery tasks for plans: thin wrappers around the services, run in the sender's school schema.

tenant-schemas-celery puts the schema in the message headers; the services pass it explicitly.
`acks_late` + `reject_on_worker_lost`: a worker killed mid-solve gets the message redelivered,
and `plan_job_run` then retries or fails the job with a reason (never left "running").
"""

from config.celery import app
from schools.plans import services


@app.task(name="schools.plans.tasks.plan_job_task", acks_late=True, reject_on_worker_lost=True)
def plan_job_task(job_id: int) -> str | None:
    job = services.plan_job_run(job_id=job_id)
    return job.status if job else None


@app.task(name="schools.plans.tasks.plan_sweep_task", acks_late=True, reject_on_worker_lost=True)
def plan_sweep_task(job_id: int) -> None:
    services.plan_sweep_run(job_id=job_id)
