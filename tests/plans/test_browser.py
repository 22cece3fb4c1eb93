"""In a real browser: generate plans for a year, watch the job finish, open the best plan, adopt it."""

import pytest
from playwright.sync_api import expect

from tests.browser import log_in
from tests import factories
from tests.factories import fresh_school, hillview_year


@pytest.mark.e2e
@pytest.mark.worker
def test_staff_generate_watch_open_and_adopt(live_server, browser, solver_worker):
    school = fresh_school("e2e", "Playwright Primary")
    year = hillview_year(school)
    factories.member_create(school, "staff", username="pat-staff")
    base = f"http://{school.code}.localhost:{live_server.thread.port}"
    page = browser.new_page()
    try:
        log_in(page, f"{base}/admin/login/", "pat-staff")
        page.goto(f"{base}/admin/plans/planningyear/")
        page.click(f"text=Plans for {year.year}")
        assert "No plans have been generated" in page.content()
        page.click("#generate-button")
        # the page polls the job and swaps in the plans when it finishes: no reload by hand
        page.wait_for_selector(".plan-card", timeout=30000)
        expect(page.locator("#job-status-text")).to_have_text("Succeeded")
        assert page.locator(".plan-card").count() == 3
        page.locator(".plan-card").first.locator("text=Open").click()
        assert "plan #1" in page.title()
        assert page.locator("table.plan tr.total").first.inner_text().startswith("Total")
        page.click("#adopt-button")
        assert "is now the adopted plan for 2027" in page.content()
        assert page.locator(".badge.adopted").count() >= 1
        assert page.locator("text=Edit classes by hand").count() == 1
    finally:
        page.close()
