"""In Debian's chromium: district staff create a school from a grade template and invite its
principal; the principal follows the mailed link (sent by a real worker through the loopback
SMTP server), chooses a password and sees the school's portal."""

import pytest
from django_tenants.utils import schema_context

from schools.models import Grade
from tenants.models import Membership, School
from tenants.services import district_office_ensure
from tests import factories, workers
from tests.browser import log_in


@pytest.mark.e2e
def test_district_staff_onboard_a_school_and_its_principal_by_mail(live_server, browser, smtp, celery_broker):
    district_office_ensure(domains=["localhost"])
    factories.user_create("dana", district=True)
    code = factories.unique_code("onb")
    port = live_server.thread.port
    context = browser.new_context()
    page = context.new_page()
    try:
        log_in(page, f"http://localhost:{port}/accounts/login/", "dana")
        page.goto(f"http://localhost:{port}/admin/tenants/school/add/")
        page.fill("#id_name", "Oak Ridge Elementary")
        page.fill("#id_code", code)
        page.select_option("#id_grade_template", "K-6")
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/tenants/invitation/add/?school=*")
        assert "Oak Ridge Elementary was created with grades K-6" in page.content()
        page.fill("#id_email", "principal@oak.example.org")
        page.fill("#id_first_name", "Robin")
        with workers.thread_worker("celery"):  # the mail job
            page.click("input[name=_send]")
            page.wait_for_url("**/admin/tenants/invitation/")
            mail = smtp.wait_for("principal@oak.example.org")
        assert "Oak Ridge Elementary" in mail["Subject"]
        link = smtp.link(mail)
        assert link.startswith(f"http://{code}.localhost:{port}/accounts/invitation/")
        page.context.clear_cookies()

        page.goto(link)
        assert page.input_value("#id_first_name") == "Robin"
        page.fill("#id_last_name", "Ash")
        page.fill("#id_password1", "cedar-lantern-5820")
        page.fill("#id_password2", "cedar-lantern-5820")
        page.click("button[type=submit]")
        page.wait_for_url(f"http://{code}.localhost:{port}/portal/")
        content = page.content()
        assert "Oak Ridge Elementary" in content and "Robin Ash" in content
    finally:
        context.close()
    school = School.objects.get(code=code)
    assert Membership.objects.get(school=school).role == "principal"
    with schema_context(school.schema_name):
        assert list(Grade.objects.values_list("code", flat=True)) == ["K", "1", "2", "3", "4", "5", "6"]
