"""District jobs (queued from the public schema). Tasks import the services in the body (HackSoft)."""

from celery import shared_task


# named under reports.tasks so CELERY_TASK_ROUTES sends it to the "reports" queue
@shared_task(name="reports.tasks.district_bundle_build_task", acks_late=True)
def district_bundle_build_task(bundle_id: int) -> str:
    from reports.district.services import district_bundle_build  # tasks -> services, in the body

    return district_bundle_build(bundle_id=bundle_id).status
