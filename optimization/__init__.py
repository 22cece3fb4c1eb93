"""Classplan's class-allocation optimizer: a plain Python package, no Django.

Public API (what the app may import; everything else is internal):

    solve(data: dict, *, started: float | None = None,
          deadline: Deadline | None = None, engine: str | None = None) -> dict
        The contract's problem (parsed JSON) in, the contract's result dict out. Never
        raises for a bad problem: an invalid one gives {"status": "invalid", "errors"}.
        `started` (a time.monotonic() reading) is when the time limit began, if before
        this call; `deadline` replaces the time limit (tests inject one); `engine`
        ("chain" or "mip") forces an engine.
    solve_teacher_counts(data: dict, teacher_counts, *, engine=None) -> dict[int, dict]
        The same problem solved for several numbers of teachers (a what-if sweep, a
        district allocation): the fewest classes (min_teachers) is proven once.
    parse_problem(data) -> Problem
        Validation; raises ProblemError whose `.errors` lists one sentence per mistake.
    check_plan(problem: dict | Problem, plan: dict) -> list[str]
        Every rule a plan breaks (version-2 rules and fixed classes included), as
        sentences naming classes "Class 1", "Class 2", ... by position; [] when valid.
    plan_checks(problem: dict | Problem, plan: dict) -> list[dict]
        The plan's {"holds": bool, "value": number} per rule, as in a result ([] for a
        problem without rules).
    plan_figures(plan: dict) -> {"composites", "classes", "largest", "spread"}
    ranked_figures(plan: dict, ranking) -> dict
        The same figures, the ranking's criteria first, in its order.
    ranking_key(figures: dict, ranking) -> tuple      (smaller is better)
    rule_labels(problem: dict | Problem) -> list[str]
        Each rule's label: the one given, or the rule written out ("No class holding
        grades K, 1, 2 or 3 above 23 students").
    Problem, ProblemError, Deadline, Status, Limits, CRITERIA, DEFAULT_RANKING

A plan is {"classes": [{"grades": {code: students}, "fixed": bool?}, ...]}.
Importing this package is cheap: numpy and Pyomo are imported only by a solve that
needs them.
"""

from __future__ import annotations

import time

from .checker import check_plan, plan_checks, plan_figures, ranked_figures, ranking_key
from .deadline import Deadline
from .outcome import Outcome, Status
from .problem import CRITERIA, DEFAULT_RANKING, Problem, ProblemError
from .results import Result
from .search import solve_problem
from .validation import Limits, parse_problem

__all__ = ["solve", "solve_teacher_counts", "parse_problem", "ProblemError", "Problem",
           "check_plan", "plan_checks", "plan_figures", "ranked_figures", "ranking_key",
           "rule_labels", "Deadline", "Status", "Limits", "CRITERIA", "DEFAULT_RANKING"]


def solve(data: dict, *, started: float | None = None, deadline: Deadline | None = None,
          engine: str | None = None) -> dict:
    """Solve a problem given as parsed JSON; returns the contract's result dict."""
    started = time.monotonic() if started is None else started
    try:
        problem = parse_problem(data)
    except ProblemError as error:
        name = data.get("name", "") if isinstance(data, dict) else ""
        name = name if isinstance(name, str) and len(name) <= Limits.TEXT else ""
        return Result(name, Status.INVALID, errors=error.errors).to_json()
    if deadline is None:
        deadline = Deadline.after(problem.time_limit_s, started=started)
    return solve_problem(problem, deadline, engine).to_json()


def solve_teacher_counts(data: dict, teacher_counts, *, engine: str | None = None) -> dict:
    """{teachers: result} for each number of teachers (a what-if sweep, a district
    allocation), each solve with the problem's own time limit. The fewest classes do not
    depend on the teachers: once proven, it is not solved again."""
    results, fewest = {}, None
    if not isinstance(data, dict):
        return {n: solve(data, engine=engine) for n in teacher_counts}
    for n in teacher_counts:
        try:
            variant = parse_problem({**data, "teachers": n})  # the teachers' own checks
        except ProblemError:
            results[n] = solve({**data, "teachers": n}, engine=engine)
            continue
        result = solve_problem(variant, Deadline.after(variant.time_limit_s), engine,
                               fewest=fewest)
        if fewest is None and result.status != Status.TIMEOUT:
            fewest = Outcome(Status.INFEASIBLE if result.min_teachers is None
                             else Status.OPTIMAL, result.min_teachers)
        results[n] = result.to_json()
    return results


def rule_labels(problem: dict | Problem) -> list[str]:
    return [rule.label for rule in parse_problem(problem).rules]

