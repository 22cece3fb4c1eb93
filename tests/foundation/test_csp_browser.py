"""Under the Content-Security-Policy, the admin and the pages work in a real browser and the
browser reports no violation (trust issue, item 18). The school-year form's live totals and the
plans page's polling run their own nonce-carrying scripts in tests/schools/test_e2e.py and
tests/plans/test_browser.py; this walks the admin pages those do not."""

import pytest

from django_tenants.utils import schema_context

from schools.models import EnrolmentImport
from tenants.services import district_office_ensure
from tests import factories
from tests.browser import log_in

pytestmark = pytest.mark.django_db


@pytest.mark.e2e
def test_admin_pages_run_their_scripts_with_no_policy_violation(live_server, browser):
    district_office_ensure(domains=["localhost"])
    school = factories.school_get_or_create("e2e-csp", "Policy Primary")
    factories.grades_create(school)
    factories.year_create(school, year=2027, students={"K": 30, "1": 25})
    staff = factories.member_create(school, "staff")
    base = f"http://{school.code}.localhost:{live_server.thread.port}"
    page = browser.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        log_in(page, f"{base}/admin/login/", staff.username)
        for path in ("/admin/", "/admin/schools/enrolment/", "/admin/schools/schoolyear/",
                     "/admin/schools/enrolment/import/", "/"):
            page.goto(base + path)
            assert page.locator("body").count() == 1
        # the admin's own scripts: "select all" in a change list ticks every row
        page.goto(f"{base}/admin/schools/enrolment/")
        page.check("#action-toggle")
        assert page.locator("input.action-select:checked").count() == 2
        # django-import-export's export page: its inline "Select all" handler (allowed by hash)
        page.goto(f"{base}/admin/schools/enrolment/export/")
        fields = page.locator(".selectable-field-export-row input[type=checkbox]:checked")
        ticked = fields.count()
        assert ticked >= 5
        page.locator("input.select-toggle").uncheck()
        assert fields.count() == 0
        page.locator("input.select-toggle").check()
        assert fields.count() == ticked
        # an import's page while its job runs: htmx (a static file) polls the progress fragment
        with schema_context(school.schema_name):
            job = EnrolmentImport.objects.create(file_name="e.csv", phase="Checking 3 rows.", rows_total=3)
        with page.expect_response(lambda r: r.url.endswith(f"/import/{job.pk}/progress/")):
            page.goto(f"{base}/admin/schools/enrolment/import/{job.pk}/")
        assert page.locator("#import-progress").count() == 1
        assert violations == []
    finally:
        page.close()
