"""Honest statuses whenever the time runs out, whatever the machine's speed.

The deadline is injected: a clock that stands still for n readings and then jumps past
it, so that a solve runs out of time at its n-th look at the clock, for every n until
it no longer does. At every such point the result must keep the contract: `infeasible`
and `min_teachers` only when proven (the same as with all the time in the world), a
first plan called `optimal` only when it is the best, `feasible` with valid plans,
`timeout` without plans, and a diagnosis that says the time ran out."""

import json
from functools import cache

import pytest

from optimization import Deadline, check_plan, parse_problem, plan_figures, solve
from optimization.checker import ranking_key
from optimization.engines import chain_applies

from .paths import EXAMPLES


class StepClock:
    """Reads 0 for `steps` readings, then a time past any deadline."""

    def __init__(self, steps: int):
        self.left = steps

    def __call__(self) -> float:
        self.left -= 1
        return 0.0 if self.left >= 0 else 1e18


def deadline_after(steps: int) -> Deadline:
    return Deadline(1e6, StepClock(steps))


def school(name):
    return json.loads((EXAMPLES / name).read_text())


PROBLEMS = {
    "hillview": school("hillview.json"),
    "ontario rules": school("v2_ontario_primary_cap.json"),
    "fixed composite": school("v2_fixed_composite.json"),
    "infeasible by rule": school("v2_infeasible_by_rule.json"),
    "infeasible small grade": school("infeasible_primary_k6_350_small_grade6_no_composite.json"),
    "triple": {"teachers": 5, "composite_min_per_grade": 2, "alternatives": 4, "grades": [
        {"code": "K", "students": 20, "min_class_size": 3, "max_class_size": 9},
        {"code": "1", "students": 13, "min_class_size": 8, "max_class_size": 19},
        {"code": "2", "students": 21, "min_class_size": 8, "max_class_size": 17}],
        "composites": [{"grades": ["K", "1", "2"], "min_class_size": 3,
                        "max_class_size": 19}]},
}
CASES = [(name, engine) for name, data in PROBLEMS.items()
         for engine in ["mip"] + (["chain"] if chain_applies(parse_problem(data)) else [])]
STEPPED = [case for case in CASES if case[0] not in ("ontario rules", "hillview")
           or case[1] == "chain"]  # the MIP on the larger schools is slow to repeat
STEPS = list(range(10)) + list(range(10, 400, 5))


@cache
def truth(name, engine):
    return solve(PROBLEMS[name], engine=engine)


def assert_honest(data, result, truth):
    problem = parse_problem(data)
    assert result["stats"]["engine"] in ("chain", "mip")
    status = result["status"]
    assert status in ("optimal", "feasible", "timeout", "infeasible")
    if result["min_teachers"] is not None or status == "infeasible":
        assert result["min_teachers"] == truth["min_teachers"]
    if status == "infeasible":
        assert truth["status"] == "infeasible"
        assert result["plans"] == [] and result["diagnosis"]
        return
    for plan in result["plans"]:
        assert check_plan(data, plan) == []
    if status == "optimal":
        best = ranking_key(plan_figures(truth["plans"][0]), problem.ranking)
        assert ranking_key(plan_figures(result["plans"][0]), problem.ranking) == best
        return
    assert "ran out of time" in " ".join(result["diagnosis"])
    assert truth["status"] in ("optimal", "feasible") or status == "timeout"
    if status == "feasible":
        assert result["plans"] and result["min_teachers"] is not None
    else:
        assert result["plans"] == []


@pytest.mark.parametrize("name, engine", CASES)
def test_an_expired_deadline_never_claims_what_is_not_proven(name, engine):
    data = PROBLEMS[name]
    result = solve(data, engine=engine, deadline=Deadline.expired())
    assert_honest(data, result, truth(name, engine))
    assert result["status"] in ("timeout", "infeasible")


@pytest.mark.parametrize("name, engine", STEPPED)
def test_running_out_of_time_at_any_step_is_honest(name, engine):
    data, whole = PROBLEMS[name], truth(name, engine)
    for steps in STEPS:
        result = solve(data, engine=engine, deadline=deadline_after(steps))
        assert_honest(data, result, whole)
        if result == {**whole, "stats": result["stats"]}:
            break  # enough time: the whole answer
    else:
        pytest.fail("the solve never finished")


def test_a_timed_out_solve_says_what_to_do():
    result = solve(PROBLEMS["hillview"], deadline=Deadline.expired())
    assert result["status"] == "timeout" and result["min_teachers"] is None
    assert "longer time limit (time_limit_s)" in result["diagnosis"][0]
