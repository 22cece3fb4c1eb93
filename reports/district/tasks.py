"""District jobs (queued from the public schema). Tasks import the services in the body (HackSoft)."""

from celery import shared_task


# named under reports.tasks so CELERY_TASK_ROUTES sends it to the "reports" queue
@shared_task(name="reports.tasks.district_bundle_build_task", acks_late=True)
def district_bundle_build_task(bundle_id: int) -> str:
    from reports.district.services import district_bundle_build  # tasks -> services, in the body

    return district_bundle_build(bundle_id=bundle_id).status


@shared_task(name="reports.district.tasks.district_import_check_task", acks_late=True, reject_on_worker_lost=True)
def district_import_check_task(job_id: int) -> str | None:
    """The district enrolment file's check (its preview), in the public schema."""
    from reports.district.imports import district_import_check_run  # tasks -> services, in the body

    job = district_import_check_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="reports.district.tasks.district_import_write_task", acks_late=True, reject_on_worker_lost=True)
def district_import_write_task(job_id: int) -> str | None:
    from reports.district.imports import district_import_write_run  # tasks -> services, in the body

    job = district_import_write_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="reports.district.tasks.district_imports_clean_task")
def district_imports_clean_task() -> int:
    """Periodic (config/celery.py's beat schedule): district previews never confirmed, workers gone."""
    from reports.district.imports import district_imports_clean  # tasks -> services, in the body

    return district_imports_clean()
