"""The chain programme and the MIPs agree on medium schools, too large for brute force.

Both are exact, so on schools with adjacent composites they must return the same
min_teachers and the same ranked figures for every alternative (the plans themselves may
differ where structures tie)."""

import random

import pytest

from optimization import check_plan, parse_problem, solve
from optimization.search import solve_problem


def medium_school(seed: int) -> dict:
    rng = random.Random(seed)
    codes = ["K", "1", "2", "3", "4", "5"][:rng.randint(3, 6)]
    grades = []
    for code in codes:
        low = rng.randint(12, 17)
        grades.append({"code": code, "students": rng.randint(35, 110), "min_class_size": low,
                       "max_class_size": rng.randint(low + 6, 28)})
    composites = []
    for a, b in zip(codes, codes[1:]):
        if rng.random() < 0.8:
            composite = {"grades": [a, b]}
            if rng.random() < 0.5:
                composite["min_per_grade"] = rng.randint(1, 7)
            composites.append(composite)
    data = {"teachers": 1000, "composite_min_per_grade": rng.randint(1, 4), "grades": grades,
            "composites": composites, "alternatives": 3, "time_limit_s": 60}
    least = solve(data)["min_teachers"]
    data["teachers"] = (least or 0) + rng.randint(0, 2)
    return data


def figures(result):
    return [(p["composites"], len(p["classes"]), p["spread"]) for p in result["plans"]]


@pytest.mark.parametrize("seed", range(30))
def test_chain_programme_and_mip_agree(seed):
    data = medium_school(seed)
    chain = solve(data)
    mip = solve_problem(parse_problem(data), engine="mip")
    assert chain["stats"]["engine"] == "chain" and mip["stats"]["engine"] == "mip"
    assert chain["status"] == mip["status"] == "optimal"
    assert chain["min_teachers"] == mip["min_teachers"]
    assert figures(chain) == figures(mip)
    for plan in chain["plans"]:
        assert check_plan(data, plan) == []
