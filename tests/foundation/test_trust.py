"""Issue 9's access and bad-input holes, each reproduced (the hand-off's are in test_school_switch.py)."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader

from reports.district.services import district_bundle_build
from reports.district.models import DistrictBundle
from reports.models import Report
from reports.services import plan_reports_queue, report_render
from schools.models import Enrolment, Grade, SchoolYear
from schools.plans import services as plan_services
from schools.plans.models import PlanJob
from tenants import policy
from tests import factories
from tests.factories import hillview_year, plan_create

pytestmark = pytest.mark.django_db


# --- 3: read-only roles view history, never revert ---------------------------------------------


def history_version(model, pk):
    return model.history.filter(id=pk).order_by("history_id").first().history_id


def test_a_principal_can_view_history_but_never_revert_it(school_a, client_for):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, year=2027, teachers=6, students={"K": 20})
    with schema_context(school_a.schema_name):
        grade = Grade.objects.get(code="K")
        enrolment = Enrolment.objects.get(year=year)
        versions = {
            f"/admin/schools/grade/{grade.pk}/history/{history_version(Grade, grade.pk)}/":
                {"code": "K", "name": "Changed", "order": 0, "min_class_size": 1, "max_class_size": 40},
            f"/admin/schools/schoolyear/{year.pk}/history/{history_version(SchoolYear, year.pk)}/":
                {"year": 2027, "teachers": 1, "composite_min_per_grade": 1, "status": "draft", "notes": ""},
            f"/admin/schools/enrolment/{enrolment.pk}/history/{history_version(Enrolment, enrolment.pk)}/":
                {"year": year.pk, "grade": grade.pk, "students": 99, "min_class_size": 1, "max_class_size": 40},
        }
    for role in ("principal", "staff"):
        client = client_for(school_a, factories.member_create(school_a, role))
        for url, data in versions.items():
            assert client.get(url).status_code == 200  # the old version can be looked at
            assert client.post(url, data).status_code == 403
    with schema_context(school_a.schema_name):
        assert Grade.objects.get(pk=grade.pk).name == "Kindergarten"
        assert SchoolYear.objects.get(pk=year.pk).teachers == 6
        assert Enrolment.objects.get(pk=enrolment.pk).students == 20


# --- 4: GET never writes or queues; only staff and district staff start work -------------------


def test_a_principals_get_of_the_what_if_page_queues_nothing(school_a, client_for,
                                                              django_capture_on_commit_callbacks):
    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        plan_services.plan_job_run(job_id=plan_services.plan_generate(year=year, actor=None).pk)
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    url = "/plans/2027/what-if/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = principal.get(url)
        refused = principal.post(url)
    assert page.status_code == 200 and 'id="what-if-start"' not in page.text
    assert refused.status_code == 403 and callbacks == []
    with schema_context(school_a.schema_name):
        assert PlanJob.objects.get().sweep is None


def test_polling_a_year_never_reaps_jobs_the_periodic_task_does(school_a, client_for, settings):
    from tenants.tasks import jobs_dispatch_task

    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        long_ago = timezone.now() - timedelta(seconds=settings.JOB_DEAD_AFTER_S + 5)
        job = PlanJob.objects.create(year=year, problem={}, status=PlanJob.Status.RUNNING, started=long_ago,
                                     heartbeat=long_ago, attempts=settings.JOB_MAX_ATTEMPTS)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    assert staff.get("/plans/2027/progress/").status_code == 200
    assert staff.get("/plans/2027/").status_code == 200
    with schema_context(school_a.schema_name):
        assert PlanJob.objects.get(pk=job.pk).status == PlanJob.Status.RUNNING
    assert jobs_dispatch_task.apply().get()["failed"] >= 1  # from the public schema, every school
    with schema_context(school_a.schema_name):
        assert PlanJob.objects.get(pk=job.pk).status == PlanJob.Status.FAILED


def test_only_staff_and_district_staff_start_solver_work(school_a):
    year = hillview_year(school_a)
    principal = factories.member_create(school_a, "principal")
    with schema_context(school_a.schema_name), pytest.raises(PermissionDenied):
        plan_services.plan_generate(year=year, actor=principal)
    with schema_context(school_a.schema_name):
        assert not PlanJob.objects.exists()
        assert plan_services.plan_generate(year=year, actor=factories.user_create(district=True))


def test_principals_may_not_queue_renders_for_a_plan_never_adopted(school_a, client_for,
                                                                  django_capture_on_commit_callbacks):
    plan = plan_create(school_a, adopted=False)
    principal = factories.member_create(school_a, "principal")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client_for(school_a, principal).post(f"/portal/plans/{plan.pk}/reports/").status_code == 403
        with schema_context(school_a.schema_name), pytest.raises(PermissionDenied):
            plan_reports_queue(plan=plan, actor=principal)
    assert callbacks == []
    with schema_context(school_a.schema_name):
        assert not Report.objects.exists()
        assert len(plan_reports_queue(plan=plan, actor=factories.member_create(school_a, "staff"))) == 2


# --- 7: logging out anywhere ends the person's sessions everywhere -----------------------------


@pytest.mark.parametrize("logout_host", ["localhost", "alpha.localhost"])
def test_logging_out_anywhere_ends_every_session_of_that_person(school_a, logout_host):
    dana = factories.user_create(district=True)
    district, school = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="alpha.localhost")
    district.force_login(dana)
    school.force_login(dana)
    other = Client(HTTP_HOST="alpha.localhost")
    someone_else = factories.user_create(district=True)
    other.force_login(someone_else)
    assert district.get("/").status_code == school.get("/admin/").status_code == 200
    (district if logout_host == "localhost" else school).post("/accounts/logout/")
    assert school.get("/admin/").status_code == 302  # sent to log in
    assert district.get("/").status_code == 302
    assert other.get("/admin/").status_code == 200  # nobody else is logged out


# --- 11: "$...$" in a class name is plain text everywhere --------------------------------------

MATH_CLASSES = [("K-A $\\x$", "", {"K": 21}), ("K-B", "", {"K": 20}), ("1-A", "", {"1": 24}),
                ("1-B", "", {"1": 24}), ("1/2 $^$", "", {"1": 9, "2": 15}), ("2-A", "", {"2": 24})]


def test_dollar_signs_in_class_names_never_break_a_page_a_pdf_or_the_district_zip(
    school_a, client_for, local_reports
):
    plan = plan_create(school_a, classes=MATH_CLASSES)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    for client, url in ((staff, f"/plans/2027/plan/{plan.pk}/"),
                        (staff, "/plans/2027/"),
                        (principal, "/portal/years/2027/"), (principal, "/portal/comparison/")):
        page = client.get(url)
        assert page.status_code == 200, url
    assert "K-A $\\x$" in page.text or "K-A $\\x$" in staff.get(f"/plans/2027/plan/{plan.pk}/").text
    with schema_context(school_a.schema_name):
        plan_reports_queue(plan=plan)
        pdf = report_render(report_id=Report.objects.get(plan=plan, kind="plan_pdf").pk)
    assert pdf.status == "ready", pdf.error
    bundle = district_bundle_build(bundle_id=DistrictBundle.objects.create(year=2027).pk)
    archive = zipfile.ZipFile(io.BytesIO(bundle.file.open("rb").read()))
    assert "alpha-2027-classes.pdf" in archive.namelist()
    text = PdfReader(io.BytesIO(archive.read("alpha-2027-classes.pdf"))).pages[0].extract_text()
    assert "K-A $\\x$" in text


# --- 12: non-numeric ids are 404 on every admin URL ---------------------------------------------


@pytest.mark.parametrize("url", [
    "/admin/plans/planningyear/abc/change/", "/admin/plans/allocationplan/abc/change/", "/plans/abc/",
    "/admin/schools/schoolyear/abc/history/", "/admin/schools/grade/abc/history/",
    "/admin/schools/grade/abc/history/1/", "/admin/schools/grade/1/history/abc/",
    "/admin/schools/enrolment/abc/change/", "/admin/plans/planningyear/abc/what-if/",
    "/admin/plans/allocationplan/1x/adopt/",
])
def test_a_non_numeric_id_in_an_admin_url_is_404(school_a, client_for, url):
    assert client_for(school_a, factories.member_create(school_a, "staff")).get(url).status_code == 404


@pytest.mark.parametrize("url", ["/admin/tenants/school/abc/change/", "/admin/tenants/user/abc/change/",
                                 "/admin/tenants/membership/abc/history/"])
def test_a_non_numeric_id_in_a_district_admin_url_is_404(district_client, url):
    assert district_client.get(url).status_code == 404


# --- 13: one live render per report; a per-person rate limit on queueing work ----------------


def test_repeated_requests_join_the_live_render_and_a_person_is_rate_limited(school_a, client_for, settings):
    plan_create(school_a)
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    answers = [principal.post("/portal/comparison/pdf/").status_code for _ in range(25)]
    with schema_context(school_a.schema_name):
        assert Report.objects.filter(kind="comparison_pdf").count() == 1  # every request joined the one render
    limit = policy.WORK_RATE[0]
    assert answers[:limit] == [302] * limit and set(answers[limit:]) == {429}
    # another person is not slowed down by the first one's clicks
    assert client_for(school_a, factories.member_create(school_a, "principal")).post(
        "/portal/comparison/pdf/").status_code == 302


def test_a_plans_files_are_rendered_by_one_live_job_each(school_a):
    plan = plan_create(school_a)
    with schema_context(school_a.schema_name):
        first = plan_reports_queue(plan=plan)
        again = plan_reports_queue(plan=plan)
        assert [r.pk for r in again] == [r.pk for r in first]
        assert Report.objects.filter(plan=plan).count() == 2
