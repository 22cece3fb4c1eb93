"""Celery tasks for plans: thin wrappers that call the services, run in the sender's school schema.

tenant-schemas-celery puts the sender's schema in the message headers and switches to it
before the body runs (see tenants/context.py). The job row is the record (tenants/jobs.py):
a lost message is sent again and a job whose worker died is run again or failed by the
dispatcher; `acks_late` + `reject_on_worker_lost` also redeliver the message of a killed pool
process, and a duplicate delivery is a no-op. HackSoft's rule: tasks import the
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
