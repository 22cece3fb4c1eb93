"""Solving a valid problem: min_teachers, then the plans, each checked independently.

1. The fewest classes of any plan (min_teachers), proven or not at all. Without a proof
   in time the answer is `timeout` (no plan): a plan beside an unknown min_teachers
   would break the contract's reading of it.
2. Infeasible when no number of classes will do, or more than the teachers: proven, and
   explained (diagnosis.py).
3. The engine's plans in rank order (engines.py). Every plan goes through the checker
   (checker.py): it must obey every rule, contain every fixed class, and have the
   figures the engine claims, the plans in rank order and of distinct structures. A
   plan that fails is never shown; the other engine then solves the problem again if
   it can and time remains, else the answer says honestly what is known.
"""

from __future__ import annotations

import time

from .checker import check_plan, plan_checks, plan_figures, ranking_key, structure_of
from .deadline import Deadline
from .diagnosis import diagnose, out_of_time
from .engines import chain_applies, make_engine, settled
from .outcome import FoundPlan, Outcome, Search, Status
from .problem import Problem
from .results import PlanResult, Result


def solve_problem(problem: Problem, deadline: Deadline | None = None,
                  engine: str | None = None, *, explain: bool = True,
                  fewest: Outcome | None = None) -> Result:
    """The result for a valid problem. `engine`: "chain" or "mip" (default: the chain
    programme wherever it applies); explain=False leaves out the diagnosis of an
    infeasible problem (its slowest part; for bulk comparisons); `fewest`: the fewest
    classes, when already proven for the same problem with another number of teachers
    (it does not depend on them)."""
    started = time.monotonic()
    if deadline is None:
        deadline = Deadline.after(problem.time_limit_s)
    result = Result(problem.name, Status.OPTIMAL)
    solver = make_engine(problem, deadline, engine)
    stats = result.stats
    stats["engine"] = solver.name

    fewest = fewest if fewest is not None and fewest.proven else (
        settled(problem) or solver.fewest_classes())
    stats["min_teachers_s"] = round(time.monotonic() - started, 4)
    if fewest.status == Status.TIMEOUT:
        result.status = Status.TIMEOUT
        result.diagnosis = out_of_time(problem, "min_teachers")
    elif fewest.status == Status.INFEASIBLE or fewest.value > problem.teachers:
        result.status = Status.INFEASIBLE
        result.min_teachers = None if fewest.status == Status.INFEASIBLE else fewest.value
        if explain:
            result.diagnosis = diagnose(problem, result.min_teachers, deadline)
    else:
        result.min_teachers = fewest.value
        if not any(problem.free_students.values()):  # the fixed classes are the plan
            found = [FoundPlan([{"grades": f.counts, "fixed": True} for f in problem.fixed],
                               {})]
            search = Search(Status.OPTIMAL, found)
        else:
            search = solver.search(fewest.value)
        stats.update({key: round(value, 4) if isinstance(value, float) else value
                      for key, value in search.stats.items()})
        result.status, result.plans, faults = _checked(problem, search)
        if faults and not deadline.passed():
            retry = _other_engine(problem, solver.name, engine)
            if retry is not None:
                stats["faults"] = faults
                again = solve_problem(problem, deadline, retry, explain=explain)
                again.stats["retried_after"] = stats
                return again
        if faults:
            stats["faults"] = faults
        if result.status != Status.OPTIMAL:
            result.diagnosis = out_of_time(problem, "plans", status=result.status,
                                           checks_failed=bool(faults))
    stats["solve_s"] = round(time.monotonic() - started, 4)
    return result


def _other_engine(problem: Problem, used: str, asked: str | None) -> str | None:
    """The engine to re-solve with after a fault, if any (never when one was asked for)."""
    if asked is not None:
        return None
    if used == "chain":
        return "mip"
    return "chain" if chain_applies(problem) else None


def _checked(problem: Problem, search: Search) -> tuple[Status, list[PlanResult], list[str]]:
    """The plans that pass every independent check, the status they support, and what
    failed. A failure stops the list there: later plans may not be in rank order."""
    plans: list[PlanResult] = []
    faults: list[str] = []
    structures = set()
    for number, found in enumerate(search.plans, start=1):
        plan = {"classes": found.classes}
        broken = check_plan(problem, plan)
        figures = plan_figures(plan)
        wrong = {c: v for c, v in found.claimed.items() if figures[c] != v}
        structure = structure_of(plan)
        if broken:
            faults.append(f"plan {number} breaks the rules: {' '.join(broken)}")
        elif wrong:
            faults.append(f"plan {number}'s figures {wrong} are not the engine's")
        elif structure in structures:
            faults.append(f"plan {number} repeats a structure")
        elif plans and (ranking_key(figures, problem.ranking)
                        < ranking_key(plans[-1].figures, problem.ranking)):
            faults.append(f"plan {number} ranks above plan {number - 1}")
        if faults:
            if not broken and not plans:
                plans.append(PlanResult(found.classes, figures, plan_checks(problem, plan)))
            break
        structures.add(structure)
        plans.append(PlanResult(found.classes, figures, plan_checks(problem, plan)))
    status = search.status
    if status == Status.INFEASIBLE:  # yet min_teachers <= teachers: a plan exists
        faults.append("the engine found no plan, though the fewest classes fit the teachers")
    if faults:
        status = Status.FEASIBLE if plans else Status.TIMEOUT
    return status, plans, faults
