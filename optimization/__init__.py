"""Classplan's class-allocation optimizer: a plain Python package, no Django.

    solve(data) -> result            the contract's problem dict in, result dict out
    parse_problem(data) -> Problem   validation; raises ProblemError(.errors)
    check_plan(problem, plan)        sentences for every rule a plan breaks
    plan_figures(plan)               {composites, classes, spread}

Importing this package is cheap: Pyomo is only imported when a problem is solved.
"""

from .checker import check_plan, plan_figures
from .problem import Problem, ProblemError, parse_problem

__all__ = ["solve", "parse_problem", "ProblemError", "Problem", "check_plan", "plan_figures"]


def solve(data: dict, *, started: float | None = None) -> dict:
    """Solve a problem given as parsed JSON; returns the contract's result dict.

    An invalid problem gives {"status": "invalid", "errors": [...]}, never an exception.
    `started` (time.monotonic()) is when the time limit began, if before this call.
    """
    import time

    started = time.monotonic() if started is None else started
    try:
        problem = parse_problem(data)
    except ProblemError as error:
        name = data.get("name", "") if isinstance(data, dict) else ""
        return {"name": name if isinstance(name, str) else "", "status": "invalid",
                "errors": error.errors}
    from .search import solve_problem

    return solve_problem(problem, started)
