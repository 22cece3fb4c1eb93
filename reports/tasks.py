"""Report jobs. tenant-schemas-celery runs each one in the schema it was queued from.

HackSoft's rule: tasks import the services inside the body (the services import these tasks
at module level).
"""

from celery import shared_task


@shared_task(name="reports.tasks.report_render_task", acks_late=True)
def report_render_task(report_id: int) -> str:
    from reports.models import Report  # tasks -> services, in the body (HackSoft)
    from reports.services import report_render

    try:
        return report_render(report_id=report_id).status
    except Report.DoesNotExist:
        return "gone"  # deleted with its plan or year before the job ran: nothing to render
