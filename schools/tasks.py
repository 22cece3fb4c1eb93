"""Celery tasks for a school's data: thin wrappers that call the services, in the sender's schema.

The enrolment import's check (the preview) and write, each a job with progress on the job's
row; and the periodic clean-up of abandoned previews in every school. HackSoft's rule: tasks
import the services inside the body (the services import these tasks at module level).
"""

from celery import shared_task


@shared_task(name="schools.tasks.enrolment_import_check_task", acks_late=True, reject_on_worker_lost=True)
def enrolment_import_check_task(job_id: int) -> str | None:
    from schools.services import enrolment_import_check_run  # tasks -> services, in the body

    job = enrolment_import_check_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="schools.tasks.enrolment_import_write_task", acks_late=True, reject_on_worker_lost=True)
def enrolment_import_write_task(job_id: int) -> str | None:
    from schools.services import enrolment_import_write_run  # tasks -> services, in the body

    job = enrolment_import_write_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="schools.tasks.enrolment_imports_clean_task")
def enrolment_imports_clean_task() -> int:
    """Periodic (config/celery.py's beat schedule): previews never confirmed, in every school."""
    from schools.services import enrolment_imports_clean  # tasks -> services, in the body

    return enrolment_imports_clean()
