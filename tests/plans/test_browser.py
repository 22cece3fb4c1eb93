"""In a real browser (Debian's chromium): a secretary plans a year from the school's home page.

Staff put "use every teacher" first, generate (a real worker solves), read the plans side by
side, lock a class, generate again around it, adopt; then the principal opens the PDF and
finds the compliance section.
"""

import io

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect
from pypdf import PdfReader

from reports.models import Report
from reports.services import report_render
from tests import factories
from tests.browser import log_in
from tests.factories import fresh_school, hillview_year


@pytest.mark.e2e
@pytest.mark.worker
def test_staff_plan_a_year_and_the_principal_reads_the_compliance_in_the_pdf(
    live_server, browser, solver_worker, local_reports
):
    school = fresh_school("e2e", "Playwright Primary")
    hillview_year(school)
    factories.member_create(school, "staff", username="pat-staff")
    factories.member_create(school, "principal", username="pat-principal")
    base = f"http://{school.code}.localhost:{live_server.thread.port}"
    staff = browser.new_context()
    page = staff.new_page()
    try:
        log_in(page, f"{base}/accounts/login/", "pat-staff")
        page.click("#plan-a-year")
        page.click("text=Plan 2027")
        page.click('li[data-priority="classes"] button[value="up"]')
        expect(page.locator("ol.priorities li").first).to_contain_text("Use every teacher")
        page.click("#generate-button")
        # htmx follows the job and reloads the page when it is done: no reload by hand
        page.wait_for_selector(".plan-card", timeout=60000)
        cards = page.locator("#plans .plan-card")
        assert cards.count() == 3
        expect(cards.nth(1).locator(".tradeoff")).to_contain_text("plan 1")
        expect(cards.first.locator(".compliance, p.muted").first).to_be_visible()
        second = cards.nth(1)
        second.locator("summary").click()
        locked_name = second.locator("table.classes tbody tr").first.locator("td").first.inner_text().strip()
        second.locator("table.classes button:has-text('Lock')").first.click()
        expect(page.locator("#locks")).to_contain_text(locked_name)
        page.click("#generate-button")
        page.wait_for_selector("text=Locked classes kept as they were", timeout=60000)
        page.locator("#plan-1 .adopt-button").click()
        expect(page.locator(".messages")).to_contain_text("is the adopted plan for 2027")
    finally:
        staff.close()

    with schema_context(school.schema_name):  # the reports worker's part
        for report in Report.objects.filter(kind="plan_pdf", status="pending"):
            report_render(report_id=report.pk)

    principal = browser.new_context(accept_downloads=True)
    page = principal.new_page()
    try:
        log_in(page, f"{base}/accounts/login/", "pat-principal")
        page.goto(f"{base}/plans/2027/")
        assert page.locator("#generate-button").count() == 0  # principals read, never change
        page.goto(f"{base}/portal/years/2027/")
        with page.expect_download() as info:
            page.click("text=Download PDF")
        data = open(info.value.path(), "rb").read()
    finally:
        principal.close()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Compliance with the rules" in text and "Locked classes" in text
    assert "use every teacher" in text.lower()
