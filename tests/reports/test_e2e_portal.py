"""A principal, on a phone-sized screen, logs in and downloads the adopted plan's PDF."""

import io

import pytest
from django_tenants.utils import schema_context
from pypdf import PdfReader

from reports.models import Report
from reports.services import plan_reports_queue, report_render
from tenants.services import district_office_ensure
from tests.browser import log_in
from tests import factories
from tests.factories import CLASSES, plan_create


@pytest.mark.e2e
def test_a_principal_logs_in_and_downloads_the_adopted_plan_pdf(live_server, browser, local_reports):
    district_office_ensure(domains=["localhost"])
    school = factories.school_get_or_create("portal-e2e", "Portal Park Primary")
    principal = factories.member_create(school, "principal", username="pat-portal")
    plan = plan_create(school)
    with schema_context(school.schema_name):
        plan_reports_queue(plan=plan, actor=principal)
        for report in Report.objects.filter(plan=plan):
            report_render(report_id=report.pk)  # the worker's part

    base = f"http://{school.code}.localhost:{live_server.thread.port}"
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, f"{base}/accounts/login/", "pat-portal")
        page.wait_for_url(f"{base}/portal/")
        assert "Portal Park Primary" in page.content()
        page.click("a.year-link:has-text('2027')")
        page.wait_for_url(f"{base}/portal/years/2027/")
        with page.expect_download() as info:
            page.click("text=Download PDF")
        download = info.value
        assert download.suggested_filename == "portal-e2e-2027-classes.pdf"
        data = open(download.path(), "rb").read()
    finally:
        context.close()
    assert data.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Portal Park Primary" in text
    assert all(name in text for name, _, _ in CLASSES)
