"""Celery tasks for plans: thin wrappers that call the services, run in the sender's school schema.

tenant-schemas-celery puts the sender's schema in the message headers and switches to it
before the body runs (see tenants/context.py). `acks_late` + `reject_on_worker_lost`: a
worker killed mid-solve gets the message redelivered, and `plan_job_run` then retries or
fails the job with a reason (never left "running"). HackSoft's rule: tasks import the
services inside the body (the services import these tasks at module level).
"""

from celery import shared_task


@shared_task(name="schools.plans.tasks.plan_job_task", acks_late=True, reject_on_worker_lost=True)
def plan_job_task(job_id: int) -> str | None:
    from schools.plans.services import plan_job_run  # tasks -> services, in the body (HackSoft)

    job = plan_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="schools.plans.tasks.plan_sweep_task", acks_late=True, reject_on_worker_lost=True)
def plan_sweep_task(job_id: int) -> None:
    from schools.plans.services import plan_sweep_run  # tasks -> services, in the body (HackSoft)

    plan_sweep_run(job_id=job_id)


@shared_task(name="schools.plans.tasks.plan_jobs_reap_stale_task")
def plan_jobs_reap_stale_task() -> int:
    """Periodic (config/celery.py's beat schedule): fail the jobs whose worker is gone, in every school."""
    from schools.plans.services import district_jobs_reap_stale  # tasks -> services, in the body

    return district_jobs_reap_stale()
