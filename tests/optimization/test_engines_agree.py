"""The chain programme and the MIP engine agree on medium schools, too large for the
brute force: the same status, min_teachers and ranked figures of every alternative
(the plans themselves may differ where structures tie). Caps and rankings other than
the default are the programme's ground too."""

import random

import pytest

from optimization import parse_problem, solve
from optimization.checker import ranking_key

from .compare import assert_plans_valid


def medium_school(seed: int) -> dict:
    rng = random.Random(seed)
    codes = ["K", "1", "2", "3", "4", "5"][:rng.randint(3, 4)]
    grades = []
    for code in codes:
        low = rng.randint(12, 17)
        grades.append({"code": code, "students": rng.randint(35, 90), "min_class_size": low,
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
    if seed % 2:
        data["rules"] = [{"kind": "cap", "grades": codes[:2], "size": rng.randint(20, 24)}]
        data["ranking"] = rng.choice([["classes", "composites", "spread"],
                                      ["composites", "spread"]])
    least = solve(data)["min_teachers"]
    data["teachers"] = (least or 0) + rng.randint(0, 2)
    return data


@pytest.mark.parametrize("seed", range(6))
def test_chain_programme_and_mip_agree(seed):
    data = medium_school(seed)
    ranking = parse_problem(data).ranking
    chain = solve(data, engine="chain")
    mip = solve(data, engine="mip")
    assert chain["status"] == mip["status"]
    assert chain["min_teachers"] == mip["min_teachers"]

    def keys(result):
        return [ranking_key({**p, "classes": len(p["classes"])}, ranking)
                for p in result["plans"]]

    assert keys(chain) == keys(mip)
    assert_plans_valid(data, chain)
    assert_plans_valid(data, mip)
