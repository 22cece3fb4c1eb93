"""Adopting a plan renders its reports in a real Celery worker (never in the request)."""

import time

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from tests.reports.conftest import fresh_school, plan_create


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
def test_adopting_a_plan_renders_its_pdf_and_csv_in_the_worker(reports_worker, local_reports):
    from schools.plans.services import plan_adopt

    school = fresh_school("rep")
    plan = plan_create(school, adopted=False)
    with schema_context(school.schema_name):
        plan_adopt(plan=plan)  # commits; on commit the plans app asks for the reports

        def ready():
            return Report.objects.filter(plan=plan, status="ready").count() == 2

        assert wait_for(ready), list(Report.objects.values_list("kind", "status", "error"))
        keys = sorted(Report.objects.filter(plan=plan).values_list("file", flat=True))
    assert [k.split("/")[:3] for k in keys] == [[school.schema_name, "reports", "2027"]] * 2
    assert all((local_reports / key).is_file() for key in keys)
