"""Plan pages and comparisons: numbers against hand-computed fixtures, access, query counts."""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from schools.plans import selectors, services
from schools.plans.models import AllocationPlan, PlanJob
from tenants.models import AuditEvent
from tenants.services import school_create
from tests import factories
from tests.factories import hillview_year, saved_plan

pytestmark = pytest.mark.django_db
PUBLIC = "config.urls_public"

# Two years by hand. 2026: 3 classes (sizes 20, 20, 22), one composite, adopted.
# 2027: two generated plans, none adopted: the best (rank 1) has sizes 21, 20, 24, 24, 24, 25.
Y2026 = {"K": 20, "1": 30, "2": 12}
PLAN_2026 = [("K-A", {"K": 20}), ("1-A", {"1": 20}), ("1/2-A", {"1": 10, "2": 12})]
PLAN_2027_BEST = [("K-A", {"K": 21}), ("K-B", {"K": 20}), ("1-A", {"1": 24}), ("1-B", {"1": 24}),
                  ("1/2-A", {"1": 9, "2": 15}), ("2-A", {"2": 25})]
PLAN_2027_SECOND = [("K-A", {"K": 21}), ("K-B", {"K": 20}), ("1-A", {"1": 25}), ("1-B", {"1": 24}),
                    ("1/2-A", {"1": 4, "2": 20}), ("1/2-B", {"1": 4, "2": 20})]


def two_years(school):
    y2026 = hillview_year(school, year=2026, teachers=3, students=Y2026)
    y2027 = hillview_year(school, year=2027)
    saved_plan(school, y2026, PLAN_2026, adopted=True)
    saved_plan(school, y2027, PLAN_2027_SECOND, rank=2)
    saved_plan(school, y2027, PLAN_2027_BEST, rank=1)
    return y2026, y2027


def test_year_comparison_rows_match_the_hand_computed_figures(school_a):
    two_years(school_a)
    with schema_context(school_a.schema_name):
        rows = selectors.year_comparison_rows()
    assert [r["year"] for r in rows] == [2026, 2027]
    old, new = rows
    assert old["enrolment"] == {"K": 20, "1": 30, "2": 12} and old["students"] == 62
    assert (old["teachers"], old["classes"], old["composites"]) == (3, 3, 1)
    assert (old["average_size"], old["largest_size"]) == (20.7, 22)
    assert old["plan_kind"] == "adopted" and old["status"] == "adopted"
    assert new["students"] == 138 and new["teachers"] == 6
    assert (new["classes"], new["composites"], new["average_size"], new["largest_size"]) == (6, 1, 23.0, 25)
    assert new["plan_kind"] == "best generated" and new["plan"].rank == 1


def test_plan_table_has_classes_by_grades_totals_and_limits(school_a):
    _, y2027 = two_years(school_a)
    with schema_context(school_a.schema_name):
        plan = AllocationPlan.objects.get(year=y2027, rank=1)
        table = selectors.plan_table(plan)
    assert [g["code"] for g in table["grades"]] == ["K", "1", "2"]
    row = {k: v for k, v in table["rows"][4].items() if k != "id"}
    assert row == {"name": "1/2-A", "teacher_name": "", "grades": "1/2", "counts": [None, 9, 15], "locked": False,
                   "size": 24, "min": 15, "max": 25, "fits": "ok"}
    assert table["totals"] == [41, 57, 40] and table["total"] == 138
    assert (table["classes"], table["composites"], table["largest_size"]) == (6, 1, 25)


COMPARE = "/portal/comparison/"  # the one year-comparison page (/plans/compare/ redirects there)


def test_the_comparison_page_is_for_the_schools_people_only(school_a, school_b, client_for):
    two_years(school_a)
    principal = factories.member_create(school_a, "principal")
    client = client_for(school_a, principal)
    assert client.get("/plans/compare/")["Location"] == COMPARE
    page = client.get(COMPARE)
    assert page.status_code == 200
    assert "Years compared" in page.text and "20.7" in page.text and "<svg" in page.text
    outsider = factories.member_create(school_b, "staff")
    assert client_for(school_a, outsider).get(COMPARE).status_code == 403
    assert client_for(school_a).get(COMPARE).status_code == 302  # to the login page


def test_the_comparison_page_needs_a_constant_number_of_queries(school_a, client_for,
                                                                 django_assert_max_num_queries):
    staff = factories.member_create(school_a, "staff")
    client = client_for(school_a, staff)
    two_years(school_a)
    client.get(COMPARE)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(COMPARE).status_code == 200
    for year in (2028, 2029, 2030, 2031):
        sy = hillview_year(school_a, year=year)
        saved_plan(school_a, sy, PLAN_2027_BEST, adopted=True)
        saved_plan(school_a, sy, PLAN_2027_SECOND, rank=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(COMPARE)
    assert page.text.count("<tr>") >= 7
    # django-tenants sends "SET search_path" before each query: every bound counts twice
    with schema_context(school_a.schema_name), django_assert_max_num_queries(2 * 5):
        assert len(selectors.year_comparison_rows()) == 6


def test_district_rows_cost_a_constant_number_of_queries_per_school(school_a, school_b,
                                                                  django_assert_max_num_queries):
    two_years(school_a)
    hillview_year(school_b, year=2027, teachers=4)  # data, no plan
    # schools + domains, then 3 per school; django-tenants' "SET search_path" doubles every count
    with django_assert_max_num_queries(2 * (2 + 3 * 2)):
        rows = selectors.district_year_rows(year=2027)
    by_code = {r["school_code"]: r for r in rows}
    a, b = by_code[school_a.code], by_code[school_b.code]
    assert (a["students"], a["classes"], a["composites"], a["average_size"], a["status"]) == (138, 6, 1, 23.0, "generated")
    assert (b["students"], b["teachers"], b["classes"], b["status"]) == (138, 4, None, "no plan")
    totals = selectors.district_totals(rows)
    assert (totals["students"], totals["teachers"], totals["classes"], totals["average_size"]) == (276, 10, 6, 23.0)

    gamma = school_create(name="Gamma", code="gamma")
    factories.grades_create(gamma)
    factories.year_create(gamma, year=2027, teachers=2, students={"K": 30})
    with django_assert_max_num_queries(2 * (2 + 3 * 3)):
        assert len(selectors.district_year_rows(year=2027)) == 3


def test_the_district_page_sorts_totals_and_generates_for_every_school(school_a, school_b, district_client):
    two_years(school_a)
    hillview_year(school_b, year=2027, teachers=4)
    url = reverse("district_admin:plans_districtplans_changelist", urlconf=PUBLIC)
    page = district_client.get(url, {"year": 2027, "sort": "-teachers"}, HTTP_HOST="localhost")
    assert page.status_code == 200
    text = page.text
    assert text.index("School A") < text.index("School B")  # 6 teachers before 4
    assert "District total (2 schools, 0 adopted)" in text and ">276<" in text
    page = district_client.get(url, {"year": 2027, "sort": "teachers"})
    assert page.text.index("School B") < page.text.index("School A")
    response = district_client.post(reverse("district_admin:plans_districtplans_generate", urlconf=PUBLIC), {"year": 2027})
    assert response.status_code == 302
    for school in (school_a, school_b):
        with schema_context(school.schema_name):
            assert PlanJob.objects.filter(year__year=2027, status="queued").count() == 1
    progress = district_client.get(reverse("district_admin:plans_districtplans_progress", urlconf=PUBLIC), {"year": 2027}).json()
    assert progress["counts"]["queued"] == 2 and progress["live"] == 2 and progress["done"] == 0


def test_school_people_cannot_reach_the_district_page(school_a, client_for):
    from django.test import Client

    staff = factories.member_create(school_a, "staff")
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    page = client.get(reverse("district_admin:plans_districtplans_changelist", urlconf=PUBLIC))
    assert page.status_code == 302 and "/login/" in page["Location"]


# --- the planning pages ----------------------------------------------------------------------


def test_staff_generate_from_the_year_page_and_principals_only_look(school_a, client_for):
    hillview_year(school_a)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    page = staff.get("/plans/2027/")
    assert page.status_code == 200 and 'id="generate-button"' in page.text
    assert staff.post("/plans/2027/generate/").status_code == 302
    progress = staff.get("/plans/2027/progress/")
    assert "Waiting for the solver" in progress.text and 'hx-trigger="every 1s"' in progress.text
    page = principal.get("/plans/2027/")
    assert page.status_code == 200 and "generate-button" not in page.text and "Priorities" in page.text
    assert principal.post("/plans/2027/generate/").status_code == 403
    with schema_context(school_a.schema_name):
        assert PlanJob.objects.count() == 1


def test_the_progress_part_asks_for_a_reload_when_the_job_has_finished(school_a, client_for):
    year = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        services.plan_job_run(job_id=services.plan_generate(year=year, actor=None).pk)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    done = staff.get("/plans/2027/progress/", {"was": "live"})
    assert done["HX-Refresh"] == "true" and "best plans for your priorities (proven)" in done.text
    page = staff.get("/plans/2027/")
    assert page.text.count('class="plan-card') == 3 and "Adopt plan 1" in page.text


def test_an_infeasible_year_shows_the_diagnosis(school_a, client_for):
    year = hillview_year(school_a, teachers=4)
    with schema_context(school_a.schema_name):
        services.plan_job_run(job_id=services.plan_generate(year=year, actor=None).pk)
    page = client_for(school_a, factories.member_create(school_a, "principal")).get("/plans/2027/")
    assert 'id="diagnosis"' in page.text and "at least <strong>6</strong> teachers" in page.text


def test_a_school_never_sees_another_schools_plans(school_a, school_b, client_for):
    year_a = hillview_year(school_a)
    with schema_context(school_a.schema_name):
        job = services.plan_job_run(job_id=services.plan_generate(year=year_a, actor=None).pk)
        plan = AllocationPlan.objects.get(job=job, rank=1)
    staff_b = factories.member_create(school_b, "staff")
    client_b = client_for(school_b, staff_b)
    assert client_b.get(f"/plans/2027/plan/{plan.pk}/").status_code == 404  # B has no 2027 at all
    assert client_b.get("/plans/2027/").status_code == 404
    assert client_for(school_a, staff_b).get(f"/plans/2027/plan/{plan.pk}/").status_code == 403


def test_the_what_if_page_queues_the_sweep_on_post_and_shows_the_table(school_a, client_for,
                                                                       django_capture_on_commit_callbacks):
    year = hillview_year(school_a, teachers=7)
    with schema_context(school_a.schema_name):
        job = services.plan_job_run(job_id=services.plan_generate(year=year, actor=None).pk)
    client = client_for(school_a, factories.member_create(school_a, "staff"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = client.get("/plans/2027/what-if/")
    assert page.status_code == 200 and 'id="what-if-start"' in page.text and callbacks == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/plans/2027/what-if/")
    assert response.status_code == 302 and len(callbacks) == 1
    assert "refreshes by itself" in client.get("/plans/2027/what-if/").text
    with schema_context(school_a.schema_name):
        services.plan_sweep_run(job_id=job.pk)
    page = client.get("/plans/2027/what-if/")
    assert 'id="what-if"' in page.text and "7 (now)" in page.text and "<svg" in page.text
    assert "At least 6 teachers are needed" in page.text and "No plan: too few teachers" in page.text
    row = client.get("/plans/2027/what-if/8/")
    assert row.status_code == 200 and "8 teachers" in row.text and row.text.count('class="plan-card') >= 1
    assert client.post("/plans/2027/teachers/", {"teachers": 8}).status_code == 302
    with schema_context(school_a.schema_name):
        year.refresh_from_db()
        assert year.teachers == 8
    assert AuditEvent.objects.filter(action="year_teachers_set", school_code=school_a.code).count() == 1


def test_old_admin_addresses_of_plans_redirect_to_the_planning_pages(school_a, client_for):
    year = hillview_year(school_a)
    plan = saved_plan(school_a, year, PLAN_2027_BEST)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    assert staff.get(f"/admin/plans/planningyear/{year.pk}/change/")["Location"] == "/plans/2027/"
    assert staff.get(f"/admin/plans/planningyear/{year.pk}/what-if/")["Location"] == "/plans/2027/what-if/"
    assert staff.get(f"/admin/plans/allocationplan/{plan.pk}/change/")["Location"] == f"/plans/2027/plan/{plan.pk}/"
    assert staff.get("/admin/plans/planjob/").status_code == 301
    assert staff.get("/admin/plans/planningyear/abc/change/").status_code == 404
