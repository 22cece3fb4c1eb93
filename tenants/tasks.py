"""The job dispatcher (periodic, config/celery.py's beat schedule): see tenants/jobs.py."""

from celery import shared_task


@shared_task(name="tenants.tasks.jobs_dispatch_task", ignore_result=True)
def jobs_dispatch_task() -> dict:
    """Send again what was never picked up; run again or fail jobs whose worker is gone (every school)."""
    from tenants.jobs import jobs_dispatch  # tasks -> services, in the body (HackSoft)

    return jobs_dispatch()
