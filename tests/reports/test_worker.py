"""Adopting a plan renders its reports in a real Celery worker (never in the request).

The worker is its own process (`celery -A config worker`): the render task can only know its
school from the schema header tenant-schemas-celery put in the message.
"""

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from schools.plans.services import plan_adopt
from tests.factories import fresh_school, plan_create
from tests.workers import wait_for


@pytest.mark.worker
def test_adopting_a_plan_renders_its_pdf_and_csv_in_the_worker(reports_worker, local_reports):
    _, log = reports_worker
    school = fresh_school("rep")
    plan = plan_create(school, adopted=False)
    with schema_context(school.schema_name):
        plan_adopt(plan=plan)  # commits; on commit the plans app asks for the reports

        def ready():
            return Report.objects.filter(plan=plan, status="ready").count() == 2

        try:
            wait_for(ready, timeout=90, every=0.2)
        except AssertionError:
            raise AssertionError((list(Report.objects.values_list("kind", "status", "error")),
                                  log.read_text()[-3000:])) from None
        keys = sorted(Report.objects.filter(plan=plan).values_list("file", flat=True))
    assert [k.split("/")[:3] for k in keys] == [[school.schema_name, "reports", "2027"]] * 2
    assert all((local_reports / key).is_file() for key in keys)
