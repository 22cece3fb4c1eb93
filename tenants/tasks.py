"""Tenants' jobs: mail (invitations, "you now have access" notices, password-reset links) and
the job dispatcher (periodic, the beat schedule in the settings: see tenants/jobs.py).

Mail is sent by the Celery worker after the transaction that asked for it commits (services
queue it with `enqueue_on_commit`), never inside a request. HackSoft's rule: tasks import the
services inside the body (the services import these tasks at module level).
"""

from celery import shared_task

MAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 5}  # an SMTP/SES hiccup


@shared_task(name="tenants.tasks.invitation_mail_task", acks_late=True, **MAIL_RETRY)
def invitation_mail_task(invitation_id: int, site_url: str) -> str:
    from tenants.services import invitation_mail_send

    return invitation_mail_send(invitation_id=invitation_id, site_url=site_url)


@shared_task(name="tenants.tasks.access_mail_task", acks_late=True, **MAIL_RETRY)
def access_mail_task(user_id: int, where: str, site_url: str) -> str:
    from tenants.services import access_mail_send

    return access_mail_send(user_id=user_id, where=where, site_url=site_url)


@shared_task(name="tenants.tasks.password_reset_mail_task", acks_late=True, **MAIL_RETRY)
def password_reset_mail_task(user_id: int, site_url: str) -> str:
    from tenants.services import password_reset_mail_send

    return password_reset_mail_send(user_id=user_id, site_url=site_url)


@shared_task(name="tenants.tasks.jobs_dispatch_task", ignore_result=True)
def jobs_dispatch_task() -> dict:
    """Send again what was never picked up; run again or fail jobs whose worker is gone (every school)."""
    from tenants.jobs import jobs_dispatch  # tasks -> services, in the body (HackSoft)

    return jobs_dispatch()
