"""Report jobs. tenant-schemas-celery runs each one in the schema it was queued from."""

from config.celery import app
from reports import services


@app.task(name="reports.tasks.report_render", acks_late=True)
def report_render(report_id: int) -> str:
    from reports.models import Report

    try:
        return services.report_render(report_id=report_id).status
    except Report.DoesNotExist:
        return "gone"  # deleted with its plan or year before the job ran: nothing to render


@app.task(name="reports.tasks.district_bundle_build", acks_late=True)
def district_bundle_build(bundle_id: int) -> str:
    return services.district_bundle_build(bundle_id=bundle_id).status
