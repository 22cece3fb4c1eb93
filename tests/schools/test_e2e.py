"""A school secretary enters a new year through the real admin in a real browser."""

import pytest
from django_tenants.utils import schema_context

from schools.models import CompositeRule, SchoolYear
from tenants.services import district_office_ensure
from tests.browser import log_in
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.e2e
def test_staff_create_a_year_with_enrolments_and_a_composite_and_see_the_totals(live_server, browser):
    district_office_ensure(domains=["localhost"])
    school = factories.school_get_or_create("e2e-years", "Browser Primary")
    grades = {g.code: g for g in factories.grades_create(school)}
    staff = factories.member_create(school, "staff")
    base = f"http://{school.code}.localhost:{live_server.thread.port}"
    page = browser.new_page()
    try:
        log_in(page, f"{base}/admin/login/", staff.username)
        page.goto(f"{base}/admin/schools/schoolyear/add/")
        page.fill("#id_year", "2028")
        page.fill("#id_teachers", "5")
        # one row per grade is prefilled with its limits: only the numbers are typed
        assert page.input_value("#id_enrolments-0-max_class_size") == "22"
        for row, students in enumerate([30, 25, 18]):
            page.fill(f"#id_enrolments-{row}-students", str(students))
        live = page.locator("#year-totals-live")
        assert live.locator('[data-total="students"]').inner_text() == "73"
        # ceil(30/22) + ceil(25/24) + ceil(18/24) = 2 + 2 + 1
        assert live.locator('[data-total="classes"]').inner_text() == "5"
        assert "0 to spare" in live.inner_text()
        page.check(f"#id_composites-0-grades input[value='{grades['1'].pk}']")
        page.check(f"#id_composites-0-grades input[value='{grades['2'].pk}']")
        page.fill("#id_composites-0-max_class_size", "26")
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")
        assert "73 students in 3 grades; at least 5 straight classes" in page.inner_text(".field-totals")
        assert page.locator("#id_composites-0-grades input:checked").count() == 2
        with schema_context(school.schema_name):
            year = SchoolYear.objects.get(year=2028)
            assert year.teachers == 5 and year.enrolments.count() == 3
            rule = CompositeRule.objects.get(year=year)
            assert sorted(g.code for g in rule.grades.all()) == ["1", "2"] and rule.max_class_size == 26
    finally:
        page.close()
