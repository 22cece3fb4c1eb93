"""The school's planning pages (mounted at /plans/ on a school's site): one page per year.

Plain Django views and server-rendered templates; htmx refreshes the live parts (the job's
progress, the hand edit's rule checks). Views stay thin: reads come from the selectors,
changes from the services (schools.plans.services and schools.plans.planning). Everyone who
may read the school sees every page; only staff and district staff see the buttons that
change something, and the services refuse anyone else. A GET never writes or queues.
"""

from __future__ import annotations


from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from schools import rulepacks
from schools.models import LockedClass, SchoolYear
from schools.plans import planning, selectors, services
from schools.plans.forms import PlanEditForm
from schools.plans.models import AllocationPlan, PlanJob, PlannedClass
from schools.selectors import PRIORITIES, year_ranking
from tenants import policy
from tenants.decorators import school_page


# The planning pages: people who may read this school (tenants/decorators.py).
planning_view = school_page


def _editor(request) -> bool:
    return policy.can_edit_school(request.user, request.tenant)


def _require_editor(request) -> None:
    if not _editor(request):
        raise PermissionDenied


def _year(year: int) -> SchoolYear:
    return get_object_or_404(SchoolYear, year=year)


def _back(year: SchoolYear, anchor: str = ""):
    return redirect(reverse("plans:year", args=[year.year]) + (f"#{anchor}" if anchor else ""))


def _errors(request, error: ValidationError, prefix: str = "") -> None:
    for message in error.messages:
        messages.error(request, prefix + message)


def _change(request, page_year: SchoolYear, anchor: str, success: str, service, /, **arguments):
    """Run a planning service for the person; its refusal, or `success`, as a message; back to the year."""
    try:
        service(**arguments, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, success)
    return _back(page_year, anchor)


@planning_view
def index(request):
    years = list(SchoolYear.objects.order_by("-year"))
    return render(request, "plans/index.html", {"years": years, "can_edit": _editor(request)})


CARD_CACHE_S = 30 * 24 * 3600


def _card(slot: dict, *, can_edit: bool, first_note: str = "", open_classes: bool = False) -> dict:
    """A plan's card: {plan, body}. The body (figures, rules, chart, classes, what it trades
    against plan 1) never changes, since plans never do: it is rendered once per plan and kind
    of viewer and kept in the cache (keys are per school), so a page does no drawing and little
    rendering."""
    plan = slot["plan"]
    best = slot.get("best")
    # the plan's creation time too: a school deleted and made again reuses its schema's ids
    key = (f"plans:card:v1:{plan.pk}:{plan.created.timestamp():.6f}:{best.pk if best else 0}:{int(can_edit)}:"
           f"{int(open_classes)}:{int(bool(first_note))}")
    body = cache.get(key)
    if body is None:
        card = selectors.plan_card(plan, teachers=slot["teachers"], best=best)
        body = render_to_string("plans/_card_body.html", {"card": card, "can_edit": can_edit,
                                                          "first_note": first_note, "open_classes": open_classes})
        cache.set(key, body, CARD_CACHE_S)
    return {"plan": plan, "body": mark_safe(body)}  # our own template's output, escaped when rendered


def _year_context(request, year: SchoolYear) -> dict:
    job = selectors.job_latest(year)
    outcome = selectors.job_outcome(job)
    plans = selectors.year_plans(year)
    can_edit = _editor(request) and not year.is_final
    plans["cards"] = [_card(slot, can_edit=can_edit, first_note=plans["first_note"] if i == 0 else "")
                      for i, slot in enumerate(plans["cards"])]
    if plans["adopted_card"]:
        plans["adopted_card"] = _card(plans["adopted_card"], can_edit=can_edit)
    return {
        "year": year,
        "polling": outcome["kind"] == "live",
        "overview": selectors.year_overview(year),
        "plans": plans,
        "job": job,
        "outcome": outcome,
        "can_edit": _editor(request) and not year.is_final,
        "can_reopen": _editor(request) and year.is_final,
        "packs": rulepacks.pack_list(),
    }


@planning_view
def year_page(request, year: int):
    year = _year(year)
    return render(request, "plans/year.html", _year_context(request, year))


@planning_view
def job_status(request, year: int):
    """The job's progress (htmx polls it while the job is live). When the job has finished,
    htmx is told to reload the page, which then shows the plans."""
    year = _year(year)
    job = selectors.job_latest(year)
    live = job is not None and job.status in PlanJob.LIVE
    response = render(request, "plans/_job.html", {"year": year, "job": job, "outcome": selectors.job_outcome(job),
                                                   "polling": live})
    if not live and request.GET.get("was") == "live":
        response["HX-Refresh"] = "true"
    return response


@planning_view
@require_POST
def generate(request, year: int):
    year = _year(year)
    try:
        services.plan_generate(year=year, actor=request.user)
    except ValidationError as error:
        _errors(request, error, f"Plans cannot be generated for {year.year}: ")
    return _back(year, "job")


@planning_view
@require_POST
def priorities(request, year: int):
    """Move a priority up or down, count it or not, or go back to the district's order."""
    year = _year(year)
    _require_editor(request)
    ranking = year_ranking(year)
    action, key = request.POST.get("action"), request.POST.get("priority")
    if action == "district":
        ranking = []
    elif key in PRIORITIES:
        if action == "count" and key not in ranking:
            ranking.append(key)
        elif action == "drop" and key in ranking and len(ranking) > 1:
            ranking.remove(key)
        elif action in ("up", "down") and key in ranking:
            i = ranking.index(key)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(ranking):
                ranking[i], ranking[j] = ranking[j], ranking[i]
    return _change(request, year, "priorities", "Priorities saved. Generate the plans again to rank them this way.",
                   planning.year_priorities_set, year=year, ranking=ranking)


@planning_view
@require_POST
def rule_pack(request, year: int):
    year = _year(year)
    _require_editor(request)
    return _change(request, year, "rules", "Rule pack saved. Generate the plans again to apply it.",
                   planning.year_rule_pack_set, year=year, pack_id=request.POST.get("rule_pack", ""))


@planning_view
@require_POST
def lock(request, year: int):
    """Lock the class whose button was pressed (`class_id`), from any plan of the year."""
    year = _year(year)
    _require_editor(request)
    class_id = request.POST.get("class_id", "")
    planned = get_object_or_404(PlannedClass.objects.select_related("plan"),
                                pk=int(class_id) if class_id.isdigit() else 0, plan__year=year)
    return _change(request, year, "locks", f"{planned.name} is locked: the next plans keep it as it is. "
                   "Generate the plans again.", planning.class_lock, year=year, planned_class=planned)


@planning_view
@require_POST
def unlock(request, year: int, lock_id: int):
    year = _year(year)
    _require_editor(request)
    locked = get_object_or_404(LockedClass, pk=lock_id, year=year)
    return _change(request, year, "locks", f"The lock on {locked.label or 'the class'} was removed.",
                   planning.class_unlock, lock=locked)


def _plan(year: SchoolYear, plan_id: int) -> AllocationPlan:
    return get_object_or_404(AllocationPlan.objects.select_related("job", "year", "derived_from"),
                             pk=plan_id, year=year)


@planning_view
@require_POST
def adopt(request, year: int, plan_id: int):
    year = _year(year)
    _require_editor(request)
    plan = _plan(year, plan_id)
    seen = request.POST.get("adopted", "")
    expected = int(seen) if seen.isdigit() else None
    try:
        plan = services.plan_adopt(plan=plan, actor=request.user, expected=expected)
    except services.AdoptionConflict as error:
        _errors(request, error)
        return _back(year, "plans")
    except ValidationError as error:
        _errors(request, error)
        return _back(year, "plans")
    messages.success(request, f"Plan #{plan.rank} is the adopted plan for {year.year}. Its PDF and CSV are "
                              "being prepared; you can now adjust its classes by hand.")
    return redirect("plans:plan", year=year.year, plan_id=plan.pk)


@planning_view
def plan_page(request, year: int, plan_id: int):
    year = _year(year)
    plan = _plan(year, plan_id)
    can_edit = _editor(request) and not year.is_final
    teachers = selectors.plan_problem(plan).get("teachers") or year.teachers
    card = _card({"plan": plan, "teachers": teachers, "best": None}, can_edit=can_edit, open_classes=True)
    return render(request, "plans/plan.html", {"year": year, "plan": plan, "card": card, "can_edit": can_edit})


def _edit_form(request, plan):
    table = selectors.plan_table(plan)
    return PlanEditForm(request.POST or None, table=table), table


@planning_view
def edit(request, year: int, plan_id: int):
    """The adopted plan's hand edit: totals per class and grade as one types, the rules
    re-checked live (htmx), a rule-breaking edit saved only with a reason."""
    year = _year(year)
    _require_editor(request)
    plan = _plan(year, plan_id)
    if not plan.adopted:
        messages.error(request, "Only the adopted plan can be edited. Adopt this plan first.")
        return redirect("plans:plan", year=year.year, plan_id=plan.pk)
    form, table = _edit_form(request, plan)
    check = None
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.plan_edit(plan=plan, classes=form.classes(), actor=request.user,
                                          reason=form.cleaned_data.get("reason", ""))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            check = services.plan_edit_check(plan=plan, classes=form.classes())
        else:
            messages.success(request, "The plan was saved as a new version and adopted. "
                                      "“Undo the last edit” brings the previous version back.")
            return redirect("plans:plan", year=year.year, plan_id=revision.pk)
    return render(request, "plans/edit.html", {
        "year": year, "plan": plan, "table": table, "form": form, "check": check,
        "compliance": _edit_compliance(plan, check) if check else None,
    })


def _edit_compliance(plan, check) -> list[dict]:
    problem = services.edit_problem(plan)
    sources = plan.job.rules if plan.job_id else []
    rows = []
    for i, rule in enumerate(problem.get("rules") or []):
        if i < len(check["checks"]):
            source = sources[i] if i < len(sources) else {}
            rows.append({"label": rule.get("label", ""), "source": source.get("source", ""),
                         "figure": selectors.rule_figure(rule, check["checks"][i]),
                         "holds": check["checks"][i]["holds"]})
    return rows


@planning_view
@require_POST
def edit_check(request, year: int, plan_id: int):
    """htmx, as one types: the rules checked against the edit, nothing saved."""
    year = _year(year)
    _require_editor(request)
    plan = _plan(year, plan_id)
    form, _ = _edit_form(request, plan)
    check = None
    if form.is_valid():
        check = services.plan_edit_check(plan=plan, classes=form.classes())
    return render(request, "plans/_edit_check.html", {
        "form": form, "check": check, "compliance": _edit_compliance(plan, check) if check else None,
    })


@planning_view
@require_POST
def undo(request, year: int, plan_id: int):
    year = _year(year)
    _require_editor(request)
    plan = _plan(year, plan_id)
    try:
        original = services.plan_edit_undo(plan=plan, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("plans:plan", year=year.year, plan_id=plan.pk)
    messages.success(request, "The last edit was undone: the previous version is the adopted plan again.")
    return redirect("plans:plan", year=year.year, plan_id=original.pk)


@planning_view
def what_if(request, year: int):
    """GET shows the comparison (never starts one); POST, by staff, asks for it."""
    year = _year(year)
    job = selectors.job_finished_latest(year)
    if request.method == "POST":
        if job is None or not policy.can_start_work(request.user, request.tenant):
            raise PermissionDenied
        try:
            services.plan_sweep_request(job=job, actor=request.user)
        except ValidationError as error:
            _errors(request, error)
        return redirect("plans:what_if", year=year.year)
    sweep = (job.sweep or {}) if job else {}
    return render(request, "plans/what_if.html", {
        "year": year, "job": job, "sweep": sweep, "rows": sweep.get("rows", []),
        "can_start_work": policy.can_start_work(request.user, request.tenant) and not year.is_final,
        "can_edit": _editor(request) and not year.is_final,
    })


@planning_view
def what_if_row(request, year: int, teachers: int):
    """The plans the what-if found for one number of teachers, side by side."""
    year = _year(year)
    job = selectors.job_finished_latest(year)
    rows = ((job.sweep or {}).get("rows") or []) if job else []
    row = next((r for r in rows if r["teachers"] == teachers), None)
    if row is None:
        raise Http404
    return render(request, "plans/what_if_row.html", {
        "year": year, "row": row, "cards": selectors.sweep_cards(job, row),
        "can_edit": _editor(request) and not year.is_final,
    })


@planning_view
@require_POST
def teachers(request, year: int):
    year = _year(year)
    _require_editor(request)
    value = request.POST.get("teachers", "")
    try:
        saved = planning.year_teachers_set(year=year, teachers=int(value) if value.isdigit() else None,
                                           actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("plans:what_if", year=year.year)
    messages.success(request, f"{saved.year} now has {saved.teachers} teachers. Generate the plans again to use them.")
    return _back(year, "job")


@planning_view
@require_POST
def finalise(request, year: int):
    year = _year(year)
    _require_editor(request)
    return _change(request, year, "", f"{year.year} is final: its data and plans are locked until someone reopens it.",
                   planning.year_finalise, year=year)


@planning_view
@require_POST
def reopen(request, year: int):
    year = _year(year)
    _require_editor(request)
    planning.year_reopen(year=year, actor=request.user)
    messages.success(request, f"{year.year} is open again: its data and plans can change.")
    return _back(year)


# --- addresses of the old admin pages (bookmarks) -------------------------------------------


def _year_by_pk(pk: int) -> SchoolYear:
    return get_object_or_404(SchoolYear, pk=pk)


@planning_view
def old_year(request, pk: int, rest: str = ""):
    year = _year_by_pk(pk)
    name = "plans:what_if" if rest.startswith("what-if") else "plans:year"
    return redirect(name, year=year.year, permanent=True)


@planning_view
def old_plan(request, pk: int, rest: str = ""):
    plan = get_object_or_404(AllocationPlan.objects.select_related("year"), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return redirect("plans:plan", year=plan.year.year, plan_id=plan.pk, permanent=True)


@planning_view
def old_list(request, rest: str = ""):
    return redirect("plans:index", permanent=True)
