"""The principal's portal: years, adopted plans, downloads, the year comparison; who may see what."""

import pytest
from django_tenants.utils import schema_context

from reports.models import Report
from reports.services import plan_reports_queue, report_render
from tests import factories
from tests.factories import plan_create

pytestmark = pytest.mark.django_db


def ready_reports(school, plan):
    with schema_context(school.schema_name):
        plan_reports_queue(plan=plan)
        return {r.kind: report_render(report_id=r.pk) for r in Report.objects.filter(plan=plan)}


def test_a_principal_lands_on_the_portal_after_login(school_a, client_for):
    principal = factories.member_create(school_a, "principal")
    response = client_for(school_a, principal).get("/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_the_portal_lists_years_with_the_adopted_plans_figures_and_downloads(school_a, client_for, local_reports):
    plan = plan_create(school_a)
    reports = ready_reports(school_a, plan)
    principal = factories.member_create(school_a, "principal")
    page = client_for(school_a, principal).get("/portal/").content.decode()
    assert "2027" in page and "Plan adopted" in page
    assert "<b>6</b><span>classes</span>" in page and "<b>1</b><span>composite</span>" in page
    assert "<b>22.8</b><span>average size</span>" in page  # 137 students / 6 classes
    assert f'/portal/reports/{reports["plan_pdf"].pk}/download/' in page
    assert f'/portal/reports/{reports["plan_csv"].pk}/download/' in page
    assert 'http-equiv="refresh"' not in page


def test_pending_reports_show_preparing_and_the_page_refreshes(school_a, client_for):
    plan = plan_create(school_a)
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan)
    page = client_for(school_a, factories.member_create(school_a, "principal")).get("/portal/").content.decode()
    assert "Preparing PDF…" in page and "Preparing CSV…" in page
    assert 'http-equiv="refresh"' in page
    assert "/download/" not in page


def test_a_year_page_shows_every_class_and_composites(school_a, client_for, local_reports):
    plan = plan_create(school_a)
    ready_reports(school_a, plan)
    response = client_for(school_a, factories.member_create(school_a, "principal")).get("/portal/years/2027/")
    page = response.content.decode()
    assert response.status_code == 200
    for name in ("K-A", "K-B", "1-A", "1-B", "1/2", "2-A"):
        assert f"<b>{name}</b>" in page
    assert "9 Grade 1 + 15 Grade 2" in page and "COMPOSITE" in page
    assert "Download PDF" in page and "<svg" in page  # the class-size chart, drawn by matplotlib
    assert client_for(school_a, factories.member_create(school_a, "staff")).get("/portal/years/1999/").status_code == 404


def test_a_plan_without_files_offers_to_prepare_them_and_queues_on_post(
    school_a, client_for, django_capture_on_commit_callbacks
):
    plan = plan_create(school_a)
    client = client_for(school_a, factories.member_create(school_a, "principal"))
    assert "Prepare PDF and CSV" in client.get("/portal/years/2027/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/portal/plans/{plan.pk}/reports/")
    assert response.status_code == 302 and response["Location"] == "/portal/years/2027/"
    assert len(callbacks) == 1
    with schema_context(school_a.schema_name):
        assert sorted(Report.objects.filter(plan=plan).values_list("kind", "status")) == [
            ("plan_csv", "pending"), ("plan_pdf", "pending")]
    assert client.get(f"/portal/plans/{plan.pk}/reports/").status_code == 405  # never on GET


def test_the_comparison_page_and_its_pdf_job(school_a, client_for, local_reports, django_capture_on_commit_callbacks):
    plan_create(school_a)
    client = client_for(school_a, factories.member_create(school_a, "principal"))
    page = client.get("/portal/comparison/").content.decode()
    assert "Year comparison" in page and page.count("<svg") == 3 and "137" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/portal/comparison/pdf/")
    assert len(callbacks) == 1
    with schema_context(school_a.schema_name):
        report = Report.objects.get(kind="comparison_pdf")
    assert response["Location"] == f"/portal/reports/{report.pk}/?auto=1"
    waiting = client.get(response["Location"]).content.decode()
    assert "Preparing" in waiting and 'http-equiv="refresh" content="2"' in waiting
    with schema_context(school_a.schema_name):
        report_render(report_id=report.pk)  # what the worker does
    done = client.get(response["Location"]).content.decode()
    assert f'content="0;url=/portal/reports/{report.pk}/download/"' in done  # the download starts itself
    download = client.get(f"/portal/reports/{report.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="alpha-year-comparison.pdf"'
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_failed_report_can_be_tried_again(school_a, client_for, django_capture_on_commit_callbacks):
    plan = plan_create(school_a)
    with schema_context(school_a.schema_name):
        report = Report.objects.create(plan=plan, year=plan.year, kind="plan_pdf", status="failed", error="boom")
    client = client_for(school_a, factories.member_create(school_a, "principal"))
    assert "Try again" in client.get(f"/portal/reports/{report.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/portal/reports/{report.pk}/retry/")
    with schema_context(school_a.schema_name):
        again = Report.objects.exclude(pk=report.pk).get(plan=plan)
    assert again.status == "pending" and response["Location"] == f"/portal/reports/{again.pk}/"


@pytest.mark.parametrize("role", ["principal", "staff", "district"])
def test_every_role_at_the_school_may_download(role, school_a, client_for, local_reports):
    report = ready_reports(school_a, plan_create(school_a))["plan_pdf"]
    user = factories.user_create(district=True) if role == "district" else factories.member_create(school_a, role)
    response = client_for(school_a, user).get(f"/portal/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_anonymous_visitors_are_sent_to_log_in(school_a, client_for, local_reports):
    report = ready_reports(school_a, plan_create(school_a))["plan_pdf"]
    for url in ("/portal/", f"/portal/reports/{report.pk}/download/", f"/portal/files/{report.file.name}"):
        response = client_for(school_a).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_school_a_people_reach_nothing_of_school_b(school_a, school_b, client_for, local_reports):
    report_b = ready_reports(school_b, plan_create(school_b))["plan_pdf"]
    plan_a = plan_create(school_a)
    with schema_context(school_a.schema_name):  # ids collide: A has its own report with B's id
        own, _ = Report.objects.get_or_create(
            pk=report_b.pk, defaults={"plan": plan_a, "year": plan_a.year, "kind": "plan_csv"})
    user_a = factories.member_create(school_a, "principal")
    client = client_for(school_a, user_a)
    # by id on A's site: A's own row of that id (pending here), never B's file
    assert own.status == "pending"
    assert client.get(f"/portal/reports/{report_b.pk}/download/").status_code == 404
    for pk in range(1, report_b.pk + 5):
        response = client.get(f"/portal/reports/{pk}/download/")
        assert response.status_code == 404 or b"school_beta" not in response.get("Location", "").encode()
    # by key on A's site
    assert client.get(f"/portal/files/{report_b.file.name}").status_code == 404
    assert client.get(f"/portal/files/school_alpha/reports/../../{report_b.file.name}").status_code == 404
    # on B's own site, A's people are turned away before any lookup
    other = client_for(school_b, user_a)
    assert other.get(f"/portal/reports/{report_b.pk}/download/").status_code == 403
    assert other.get("/portal/").status_code == 403
    # and on the district site, only district staff may fetch a school's report
    from django.test import Client

    public = Client(HTTP_HOST="localhost")
    public.force_login(user_a)
    assert public.get(f"/district/reports/{school_b.code}/{report_b.pk}/download/").status_code == 403
    assert public.get("/district/reports/").status_code == 403


def test_the_portal_is_not_on_the_district_site(district_client):
    assert district_client.get("/portal/").status_code == 404
