"""plan_reports_queue: pending rows now, the render job after commit."""

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from reports.services import plan_reports_queue
from tests import factories
from tests.factories import plan_create

pytestmark = pytest.mark.django_db


def test_plan_reports_queue_creates_pending_pdf_and_csv_and_defers_the_job(
    school_a, django_capture_on_commit_callbacks
):
    plan = plan_create(school_a)
    actor = factories.member_create(school_a, "staff")
    with schema_context(school_a.schema_name):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            plan_reports_queue(plan=plan, actor=actor)
        reports = list(Report.objects.filter(plan=plan).order_by("kind"))
    assert [(r.kind, r.status, r.created_by_id) for r in reports] == [
        ("plan_csv", "pending", actor.pk), ("plan_pdf", "pending", actor.pk)
    ]
    assert len(callbacks) == 1  # the Celery send waits for the commit
