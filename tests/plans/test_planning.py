"""The school's planning pages (issue 13): priorities, rule packs and local rules, locks,
adoption (a double click), hand edits with reasons, final years, honest statuses, bounded
queries and charts drawn once. Plain database tests in the session's schools A and B."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from schools.models import Enrolment, Grade, LocalRule, LockedClass, SchoolYear
from schools.plans import charts, services
from schools.plans.models import AllocationPlan, PlanJob
from schools.selectors import year_problem
from tenants.models import AuditEvent
from tenants.services import district_settings_update
from tests import factories
from tests.factories import hillview_year

pytestmark = pytest.mark.django_db


def solved(school, year):
    with schema_context(school.schema_name):
        job = services.plan_job_run(job_id=services.plan_generate(year=year, actor=None).pk)
        return job, list(AllocationPlan.objects.filter(job=job).order_by("rank"))


def events(school, action):
    return AuditEvent.objects.filter(action=action, school_code=school.code).count()


def test_priorities_round_trip_into_the_problems_ranking(school_a, client_for):
    year = hillview_year(school_a)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    page = staff.get("/plans/2027/")
    assert "This is the district's order" in page.text and page.text.index("Avoid composite classes") < \
        page.text.index("Use every teacher (smaller classes)")
    assert staff.post("/plans/2027/priorities/", {"priority": "classes", "action": "up"}).status_code == 302
    assert staff.post("/plans/2027/priorities/", {"priority": "largest", "action": "count"}).status_code == 302
    with schema_context(school_a.schema_name):
        year.refresh_from_db()
        assert year.ranking == ["classes", "composites", "spread", "largest"]
        job = services.plan_generate(year=year, actor=None)
        assert job.problem["ranking"] == ["classes", "composites", "spread", "largest"]
    page = staff.get("/plans/2027/")
    assert page.text.index("Use every teacher (smaller classes)") < page.text.index("Avoid composite classes")
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    assert principal.post("/plans/2027/priorities/", {"action": "district"}).status_code == 403
    assert events(school_a, "year_priorities_set") == 2
    district_settings_update(actor=None, ranking=["largest", "composites"])
    staff.post("/plans/2027/priorities/", {"action": "district"})
    with schema_context(school_a.schema_name):
        year.refresh_from_db()
        assert year.ranking == [] and year_problem(year)["ranking"] == ["largest", "composites"]


def test_a_rule_packs_rules_and_a_local_rule_reach_the_problem_and_are_named(school_a, client_for):
    year = hillview_year(school_a)
    district_settings_update(actor=None, rule_pack="ontario")
    with schema_context(school_a.schema_name):
        local = LocalRule.objects.create(kind="cap", size=22, label="Split classes at most 22",
                                         source="Collective agreement 2025-2028, art. 12")
        local.grades.set(Grade.objects.filter(code__in=["1", "2"]))
        problem = year_problem(year)
    labels = [r["label"] for r in problem["rules"]]
    assert "No class with grades 1-3 above 23, a 3/4 class included (O. Reg. 132/12)" in labels
    assert "No kindergarten class above 32 (O. Reg. 132/12)" in labels
    cap = next(r for r in problem["rules"] if r["label"].startswith("No class with grades 1-3"))
    assert cap == {"kind": "cap", "grades": ["1", "2"], "size": 23, "label": cap["label"]}
    assert problem["rules"][-1] == {"kind": "cap", "grades": ["1", "2"], "size": 22,
                                    "label": "Split classes at most 22"}
    page = client_for(school_a, factories.member_create(school_a, "principal")).get("/plans/2027/")
    assert "Ontario (O. Reg. 132/12)" in page.text and "the district's choice" in page.text
    assert "Collective agreement 2025-2028, art. 12" in page.text and "https://www.ontario.ca/laws" in page.text
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    with schema_context(school_a.schema_name):
        Grade.objects.filter(code__in=["1", "2"]).update(max_class_size=30)
        Enrolment.objects.filter(year=year, grade__code__in=["1", "2"]).update(max_class_size=30)
    staff.post("/plans/2027/rule-pack/", {"rule_pack": "scotland"})  # composites at most 25
    with schema_context(school_a.schema_name):
        year.refresh_from_db()
        assert year.rule_pack == "scotland"
        assert [c["max_class_size"] for c in year_problem(year)["composites"]] == [22, 25]  # K/1: K's own 22
    assert staff.post("/plans/2027/rule-pack/", {"rule_pack": "atlantis"}).status_code == 302
    assert "Choose a rule pack from the list shown." in staff.get("/plans/2027/").text


def test_lock_a_class_and_generate_again_around_it(school_a, client_for):
    year = hillview_year(school_a)
    _, plans = solved(school_a, year)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    with schema_context(school_a.schema_name):
        chosen = next(c for c in plans[1].planned_classes.all() if "/" in c.name)
    assert staff.post("/plans/2027/lock/", {"class_id": chosen.pk}).status_code == 302
    page = staff.get("/plans/2027/")
    assert f"<b>{chosen.name}</b>" in page.text and "Remove the lock" in page.text
    with schema_context(school_a.schema_name):
        assert year_problem(year)["fixed"] == [{"grades": chosen.counts, "label": chosen.name}]
    _, again = solved(school_a, year)
    assert again
    for plan in again:
        with schema_context(school_a.schema_name):
            kept = [c for c in plan.planned_classes.all() if c.locked]
        assert [c.counts for c in kept] == [chosen.counts]
    assert "Locked classes kept as they were" in staff.get("/plans/2027/").text
    with schema_context(school_a.schema_name):
        lock = LockedClass.objects.get()
    staff.post(f"/plans/2027/unlock/{lock.pk}/")
    with schema_context(school_a.schema_name):
        assert not LockedClass.objects.exists()
    assert events(school_a, "class_lock") == 1 and events(school_a, "class_unlock") == 1


def test_a_double_clicked_adopt_adopts_once_and_tells_the_loser_which_plan_is_adopted(
    school_a, client_for, django_capture_on_commit_callbacks
):
    from reports.models import Report

    year = hillview_year(school_a)
    _, (first, second, _) = solved(school_a, year)
    sam = client_for(school_a, factories.member_create(school_a, "staff"))
    kim = client_for(school_a, factories.member_create(school_a, "staff"))
    with django_capture_on_commit_callbacks(execute=False):
        assert sam.post(f"/plans/2027/plan/{first.pk}/adopt/", {"adopted": ""}).status_code == 302
        again = sam.post(f"/plans/2027/plan/{first.pk}/adopt/", {"adopted": ""}, follow=True)
        lost = kim.post(f"/plans/2027/plan/{second.pk}/adopt/", {"adopted": ""}, follow=True)
    assert "Plan #1 is the adopted plan for 2027" in again.text
    assert "Plan #1 was adopted for 2027 at" in lost.text and "plan #2 was not adopted" in lost.text
    with schema_context(school_a.schema_name):
        assert list(AllocationPlan.objects.filter(adopted=True)) == [first]
        assert Report.objects.filter(plan=first).count() == 2 and not Report.objects.filter(plan=second).exists()
    assert events(school_a, "plan_adopt") == 1
    # knowing plan 1 is adopted, Kim may replace it
    kim.post(f"/plans/2027/plan/{second.pk}/adopt/", {"adopted": str(first.pk)})
    with schema_context(school_a.schema_name):
        assert list(AllocationPlan.objects.filter(adopted=True)) == [second]


def edit_data(client, url):
    form = client.get(url).context["form"]
    return {name: ("" if field.initial is None else field.initial) for name, field in form.fields.items()}


def test_a_rule_breaking_hand_edit_needs_a_reason_shown_on_the_plan_and_can_be_undone(school_a, client_for):
    year = hillview_year(school_a)
    _, (best, *_) = solved(school_a, year)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    staff.post(f"/plans/2027/plan/{best.pk}/adopt/", {"adopted": ""})
    url = f"/plans/2027/plan/{best.pk}/edit/"
    data = edit_data(staff, url)
    data["c0_g0"], data["c1_g0"] = 24, 17  # K-A 21 -> 24 (the most allowed is 22), K-B 20 -> 17
    check = staff.post(f"/plans/2027/plan/{best.pk}/edit/check/", data)
    assert "This edit breaks 1 rule" in check.text and "Class K-A (grade K) has 24 students" in check.text
    refused = staff.post(url, data)
    assert refused.status_code == 200 and "write the reason" in refused.text
    data["c1_g0"] = 16  # one student lost: no reason excuses it
    data["reason"] = "Twins stay together"
    assert "Grade K has 41 students but 40 are placed" in staff.post(url, data).text
    data["c1_g0"] = 17
    saved = staff.post(url, data)
    assert saved.status_code == 302
    with schema_context(school_a.schema_name):
        revision = AllocationPlan.objects.get(adopted=True)
        assert revision.edited and revision.edit_reason == "Twins stay together"
        assert any("K-A" in b for b in revision.broken_rules) and revision.largest == 25 and revision.chart
    page = staff.get(saved["Location"])
    assert "Twins stay together" in page.text and 'id="undo-button"' in page.text
    assert staff.post(f"/plans/2027/plan/{revision.pk}/undo/").status_code == 302
    with schema_context(school_a.schema_name):
        assert AllocationPlan.objects.get(adopted=True).pk == best.pk
    assert events(school_a, "plan_edit") == 1 and events(school_a, "plan_edit_undo") == 1


def test_a_final_year_is_locked_until_staff_reopen_it(school_a, client_for):
    year = hillview_year(school_a)
    plan = factories.saved_plan(school_a, year, [("K-A", {"K": 41})], adopted=True)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    principal = client_for(school_a, factories.member_create(school_a, "principal"))
    assert staff.post("/plans/2027/final/").status_code == 302
    page = staff.get("/plans/2027/")
    assert "2027 is final" in page.text and 'id="generate-button"' not in page.text
    refused = staff.post("/plans/2027/generate/", follow=True)
    assert "2027 is final, so its data cannot change" in refused.text
    admin_page = staff.get(f"/admin/schools/schoolyear/{year.pk}/change/")
    assert "is final, so its data is read-only" in admin_page.text and 'name="teachers"' not in admin_page.text
    assert staff.post(f"/admin/schools/schoolyear/{year.pk}/change/", {"teachers": 9}).status_code == 403
    with schema_context(school_a.schema_name):
        assert SchoolYear.objects.get(pk=year.pk).teachers == 6
        enrolment = Enrolment.objects.filter(year=year).first()
        enrolment.students += 1
        with pytest.raises(Exception, match="2027 is final"):
            enrolment.full_clean()
        from schools.imports import SchoolBook

        lines = [(2, {"year": 2027, "grade": "K", "students": 50})]
        checked = SchoolBook.load_for(lines, school_name="School A").check(lines)
        assert any("2027 is final" in p["text"] for p in checked.all_problems)  # nor through an import
    assert "Reopen 2027" not in principal.get("/plans/2027/").text
    assert principal.post("/plans/2027/reopen/").status_code == 403
    assert staff.post(f"/plans/2027/plan/{plan.pk}/undo/", follow=True).status_code == 200
    staff.post("/plans/2027/reopen/")
    with schema_context(school_a.schema_name):
        assert not SchoolYear.objects.get(pk=year.pk).is_final
    assert events(school_a, "year_finalise") == 1 and events(school_a, "year_reopen") == 1


def test_the_page_says_when_the_solver_ran_out_of_time_and_never_advises_from_an_unproven_bound(
    school_a, client_for
):
    year = hillview_year(school_a)
    viewer = client_for(school_a, factories.member_create(school_a, "principal"))
    with schema_context(school_a.schema_name):
        PlanJob.objects.create(year=year, problem={}, status=PlanJob.Status.FAILED,
                               result={"status": "timeout", "plans": [], "min_teachers": None})
    assert "ran out of time before finding any plan" in viewer.get("/plans/2027/").text
    with schema_context(school_a.schema_name):
        PlanJob.objects.create(year=year, problem={}, status=PlanJob.Status.INFEASIBLE,
                               result={"status": "infeasible", "diagnosis": ["No plan obeys the rule “x”."],
                                       "min_teachers": None})
    page = viewer.get("/plans/2027/")
    assert "No plan obeys the rule" in page.text and "needs at least" not in page.text


def test_the_year_page_costs_a_bounded_number_of_queries_and_never_draws_a_chart(
    school_a, client_for, monkeypatch
):
    year = hillview_year(school_a)
    job, plans = solved(school_a, year)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    staff.get("/plans/2027/")  # warm the session and caches

    def no_drawing(*args, **kwargs):
        raise AssertionError("a page drew a chart")

    monkeypatch.setattr(charts, "class_size_chart", no_drawing)
    with CaptureQueriesContext(connection) as three:
        assert staff.get("/plans/2027/").status_code == 200
    with schema_context(school_a.schema_name):
        for rank in (4, 5, 6, 7):
            extra = factories.saved_plan(school_a, year, [(c.name, c.counts) for c in plans[0].planned_classes.all()],
                                         rank=rank, job=job)
            AllocationPlan.objects.filter(pk=extra.pk).update(chart="<svg></svg>")
    with CaptureQueriesContext(connection) as seven:
        page = staff.get("/plans/2027/")
    assert page.text.count('class="plan-card') == 7
    assert len(seven.captured_queries) == len(three.captured_queries) <= 2 * 20
    assert staff.get(f"/plans/2027/plan/{plans[0].pk}/").status_code == 200


def test_staff_add_a_local_rule_in_the_admin_with_messages_naming_the_field(school_a, client_for):
    year = hillview_year(school_a)
    staff = client_for(school_a, factories.member_create(school_a, "staff"))
    with schema_context(school_a.schema_name):
        grade_ids = list(Grade.objects.filter(code__in=["1", "2"]).values_list("pk", flat=True))
    data = {"label": "At least 80% of classes at 22 or fewer", "kind": "share", "grades": grade_ids, "size": 22,
            "share": "", "average": "", "source": "Collective agreement, art. 9", "active": "on"}
    refused = staff.post("/admin/schools/localrule/add/", data)
    assert refused.status_code == 200 and "This kind of rule needs a share." in refused.text
    assert staff.post("/admin/schools/localrule/add/", {**data, "share": "0.8"}).status_code == 302
    with schema_context(school_a.schema_name):
        assert year_problem(year)["rules"] == [{"kind": "share", "grades": ["1", "2"], "size": 22, "share": 0.8,
                                               "label": "At least 80% of classes at 22 or fewer"}]
    assert events(school_a, "local_rule_create") == 1
