"""The time limit is honoured end to end."""

import random
import time

import pytest

from optimization import check_plan, parse_problem
from optimization.search import solve_problem


def hard_school():
    """A K-12 school with every adjacent composite and the fewest teachers that work."""
    rng = random.Random(0)
    codes = ["K"] + [str(i) for i in range(1, 13)]
    grades = []
    for code in codes:
        low = rng.randint(14, 18)
        grades.append({"code": code, "students": rng.randint(165, 205),
                       "min_class_size": low, "max_class_size": rng.randint(low + 6, 30)})
    composites = [{"grades": [a, b]} for a, b in zip(codes, codes[1:])]
    return {"teachers": 95, "composite_min_per_grade": 3, "grades": grades,
            "composites": composites}


@pytest.mark.parametrize("engine, limit", [("chain", 0.3), ("mip", 1.0)])
def test_hard_problem_returns_in_time_with_valid_plans(engine, limit):
    """Each engine needs longer than its limit here (the programme about 1.5 s)."""
    data = dict(hard_school(), time_limit_s=limit)
    started = time.monotonic()
    result = solve_problem(parse_problem(data), engine=engine)
    elapsed = time.monotonic() - started
    assert result["stats"]["engine"] == engine
    assert elapsed < limit + 1.5  # the limit, plus building and checking the plans
    # optimal: the first plan was proven before time ran out (fewer alternatives then)
    assert result["status"] in ("optimal", "feasible", "timeout")
    if result["status"] == "timeout":
        assert result["plans"] == []
    else:
        assert result["plans"]
        for plan in result["plans"]:
            assert check_plan(data, plan) == []
