"""People and first steps (issue 14): invitations and password resets through a real SMTP server
on loopback, grade templates, each school's next steps, year deletion, the district's time zone."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from reports.models import Report
from schools.models import Grade, SchoolYear
from schools.plans.models import AllocationPlan
from tenants.audit import Action
from tenants.grades import grade_template_grades
from tenants.models import AuditEvent, Invitation, Membership, User
from tenants.services import district_settings_update, invitation_create, invitation_resend
from tests import factories

GOOD_PASSWORD = "maple-orbit-7391"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _logs_in(host: str, login: str, password: str) -> bool:
    """The log-in form (with the lockout in front of it) accepts these."""
    response = Client(HTTP_HOST=host).post("/accounts/login/", {"username": login, "password": password})
    return response.status_code == 302


def _invite(district_client, jobs_in_process, **fields):
    with jobs_in_process():
        return district_client.post("/admin/tenants/invitation/add/", fields)


def test_an_invited_principal_sets_a_password_from_the_mail_and_lands_in_the_school(
    school_a, district_client, smtp, jobs_in_process
):
    district_settings_update(actor=None, name="Maple District")
    response = _invite(district_client, jobs_in_process, email="pat@example.org", first_name="Pat",
                       last_name="Lee", role="principal", school=school_a.pk)
    assert response.status_code == 302, response.content
    (mail,) = smtp.to("pat@example.org")
    assert "School A" in mail["Subject"] and "Maple District" in mail["Subject"]
    link = smtp.link(mail)
    assert urlsplit(link).hostname == "alpha.localhost" and "Principal at School A" in mail.get_content()

    browser = Client(HTTP_HOST="alpha.localhost")
    form = browser.get(_path(link))
    assert form.status_code == 200 and "pat@example.org" in form.text and form["Referrer-Policy"] == "same-origin"
    weak = browser.post(_path(link), {"first_name": "Pat", "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "too common" in weak.text and not User.objects.filter(email="pat@example.org")
    done = browser.post(_path(link), {"first_name": "Pat", "last_name": "Lee",
                                      "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    assert browser.get("/", follow=True).redirect_chain[-1][0] == "/portal/"  # a principal: the portal
    user = User.objects.get(email="pat@example.org")
    assert user.username == "pat@example.org" and user.get_full_name() == "Pat Lee"
    assert Membership.objects.get(user=user).school == school_a and user.memberships.get().role == "principal"
    assert _logs_in("alpha.localhost", "pat@example.org", GOOD_PASSWORD)

    used = Client(HTTP_HOST="alpha.localhost").get(_path(link))
    assert used.status_code == 410 and "already used" in used.text
    actions = list(AuditEvent.objects.filter(target_type="tenants.invitation").values_list("action", flat=True))
    assert sorted(actions) == [Action.INVITATION_ACCEPT, Action.INVITATION_CREATE]


def test_an_expired_or_replaced_invitation_link_is_refused(school_a, district_client, smtp, jobs_in_process):
    dana = factories.user_create(district=True)
    with jobs_in_process():
        invitation = invitation_create(email="sam@example.org", role="staff", school=school_a, actor=dana,
                                       site_url="http://alpha.localhost/")
    first = smtp.link(smtp.to("sam@example.org")[0])
    with jobs_in_process():
        invitation_resend(invitation=invitation, actor=dana, site_url="http://alpha.localhost/")
    second = smtp.link(smtp.to("sam@example.org")[1])
    browser = Client(HTTP_HOST="alpha.localhost")
    assert first != second and browser.get(_path(first)).status_code == 410
    assert browser.get(_path(second)).status_code == 200
    assert Client(HTTP_HOST="beta.localhost").get(_path(second)).status_code == 410  # another school's site
    Invitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - timedelta(minutes=1))
    expired = browser.post(_path(second), {"first_name": "Sam", "password1": GOOD_PASSWORD,
                                           "password2": GOOD_PASSWORD})
    assert expired.status_code == 410 and "expired" in expired.text
    assert not User.objects.filter(email="sam@example.org").exists()


def test_inviting_an_address_that_has_an_account_adds_the_role_and_says_so_by_mail(
    school_a, school_b, district_client, smtp, jobs_in_process
):
    kim = factories.member_create(school_b, "staff")
    User.objects.filter(pk=kim.pk).update(email="kim@example.org")
    response = _invite(district_client, jobs_in_process, email="KIM@example.org", role="principal",
                       school=school_a.pk)
    assert response.status_code == 302
    assert not Invitation.objects.filter(email__iexact="kim@example.org").exists()
    assert dict(kim.memberships.values_list("school__code", "role")) == {"alpha": "principal", "beta": "staff"}
    (mail,) = smtp.to("kim@example.org")
    assert "Principal at School A" in mail["Subject"] and kim.username in mail.get_content()
    again = district_client.post("/admin/tenants/invitation/add/",
                                 {"email": "kim@example.org", "role": "principal", "school": school_a.pk})
    assert again.status_code == 200 and "already principal at School A" in again.text


def test_forgot_password_on_every_login_page_and_the_reset_round_trip(school_a, smtp, jobs_in_process):
    lou = factories.member_create(school_a, "staff")
    User.objects.filter(pk=lou.pk).update(email="lou@example.org", first_name="Lou")
    for host in ("localhost", "alpha.localhost"):
        for page in ("/accounts/login/", "/admin/login/"):
            assert "/password_reset/" in Client(HTTP_HOST=host).get(page).text or \
                "/accounts/password/reset/" in Client(HTTP_HOST=host).get(page).text, (host, page)
    browser = Client(HTTP_HOST="alpha.localhost")
    with jobs_in_process():
        sent = browser.post("/accounts/password/reset/", {"email": "lou@example.org"})
        browser.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert sent["Location"] == "/accounts/password/reset/sent/"
    (mail,) = smtp.messages
    assert "School A" in mail["Subject"] and "District office" in mail["Subject"]
    form = browser.get(_path(smtp.link(mail)), follow=True)
    assert "Choose a new password" in form.text
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302 and browser.get("/").status_code == 200  # logged in, on the school's front page
    assert _logs_in("alpha.localhost", "lou@example.org", GOOD_PASSWORD)  # by email; the user name is lou's own
    assert not _logs_in("alpha.localhost", "lou@example.org", factories.PASSWORD)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_SET, target_id=str(lou.pk)).count() == 1
    again = Client(HTTP_HOST="alpha.localhost").get(_path(smtp.link(mail)), follow=True)
    assert "cannot be used" in again.text


def test_the_people_page_shows_people_not_internals(school_a, district_client):
    person = factories.member_create(school_a, "principal")
    listing = district_client.get("/admin/tenants/user/").text
    assert "Principal at School A" in listing and "Invite a person" in listing
    page = district_client.get(f"/admin/tenants/user/{person.pk}/change/").text
    for internal in ("Superuser status", "md5$", "pbkdf2", "Groups", "session_epoch"):
        assert internal not in page
    assert district_client.get(f"/admin/tenants/user/{person.pk}/password/").status_code == 403
    root = Client(HTTP_HOST="localhost")
    root.force_login(factories.user_create(is_superuser=True))
    assert "Superuser status" in root.get(f"/admin/tenants/user/{person.pk}/change/").text
    audit = district_client.get("/admin/tenants/auditevent/").text
    assert "{&quot;" not in audit and '{"' not in audit  # no raw JSON


def test_grade_templates():
    assert [c for c, _ in grade_template_grades("K-6")] == ["K", "1", "2", "3", "4", "5", "6"]
    assert grade_template_grades("JK, SK, 1-2") == [("JK", "JK"), ("SK", "SK"), ("1", ""), ("2", "")]
    assert grade_template_grades("7-12")[0] == ("7", "")
    for bad in ("6-K", "K-", "1-3, 2", "Grade one!"):
        with pytest.raises(ValidationError):
            grade_template_grades(bad)


def test_a_new_school_starts_from_a_template_with_the_rule_packs_class_sizes(db, district_client):
    district_settings_update(actor=None, rule_pack="ontario", grade_template="JK, SK, 1-8")
    page = district_client.get("/admin/tenants/school/add/").text
    for choice in ("The district&#x27;s grades (JK, SK, 1-8)", "K-6", "7-12", "K-12"):
        assert choice in page
    response = district_client.post("/admin/tenants/school/add/",
                                     {"name": "Hillview", "code": "hillview-t", "grade_template": "K-8"})
    assert response.status_code == 302 and "/admin/tenants/invitation/add/?school=" in response["Location"]
    school = factories.School.objects.get(code="hillview-t")
    with schema_context(school.schema_name):
        grades = list(Grade.objects.order_by("order").values_list("code", "min_class_size", "max_class_size"))
    assert [g[0] for g in grades] == ["K", "1", "2", "3", "4", "5", "6", "7", "8"]
    assert grades[1][2] == 23 and grades[5][2] != 25  # Ontario's primary cap, not the model's default
    event = AuditEvent.objects.get(action=Action.SCHOOL_CREATE, school_code="hillview-t")
    assert event.details["grades"][0] == "K"


def test_each_school_shows_its_next_step_and_the_district_sees_every_school(
    school_a, school_b, client_for, district_client
):
    factories.plan_create(school_a, adopted=False)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    home = staff.get("/").text
    assert 'id="step-plans" class="done"' not in home
    assert 'class="next" id="step-adopted"' in home and "/plans/2027/" in home
    assert 'class="done" id="step-grades"' in home and "ask them" not in home  # someone has access
    table = district_client.get("/").text
    assert 'id="school-alpha"' in table and 'id="school-beta"' in table and "Adopt a plan" in table
    assert "Set the school&#x27;s grades" in table  # school B's next step


def test_deleting_a_year_with_plans_says_what_goes_and_keeps_the_adopted_report(
    school_a, client_for, local_reports
):
    plan = factories.plan_create(school_a)
    with schema_context(school_a.schema_name):
        AllocationPlan.objects.create(year=plan.year, rank=2, classes=7, composites=0, spread=4)
        kept = Report.objects.create(plan=plan, year=plan.year, kind="plan_pdf", status="ready",
                                     file="alpha/reports/2027/plan_pdf-1-aaaaaaaa.pdf", sha256="a" * 64)
        Report.objects.create(plan=plan, year=plan.year, kind="plan_csv", status="failed", error="x")
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    url = f"/admin/schools/schoolyear/{plan.year.pk}/delete/"
    page = staff.get(url).text
    assert "permission" not in page and "2 plans" in page and "2 report files" in page
    assert "is kept" in page and 'id="delete-adopted-reports"' in page
    assert staff.post(url).status_code == 302
    with schema_context(school_a.schema_name):
        assert not SchoolYear.objects.exists() and not AllocationPlan.objects.exists()
        assert list(Report.objects.values_list("pk", "kept_as")) == [(kept.pk, "2027 adopted plan")]
    assert "2027 adopted plan" in staff.get("/portal/").text
    event = AuditEvent.objects.get(action=Action.YEAR_DELETE, school_code="alpha")
    assert event.details["deleted"]["plans"] == 2 and event.details["adopted_reports_kept"] is True


def test_the_district_time_zone_on_pages_and_pdfs(school_a, client_for, local_reports):
    from pypdf import PdfReader

    from reports.tasks import report_render_task

    district_settings_update(actor=None, time_zone="America/Toronto")
    plan = factories.plan_create(school_a)
    with schema_context(school_a.schema_name):
        report = Report.objects.create(plan=plan, year=plan.year, kind="plan_pdf")
        assert report_render_task.apply(args=[report.pk]).get() == "ready"  # what the worker runs
        report.refresh_from_db()
        text = "".join(page.extract_text() for page in PdfReader(report.file.open("rb")).pages)
    assert "America/Toronto" in text and ("EDT" in text or "EST" in text)
    page = client_for(school_a, factories.member_create(school_a, "staff")).get("/").text
    assert "Times: America/Toronto" in page
