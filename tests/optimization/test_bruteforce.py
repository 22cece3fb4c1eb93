"""Both exact engines agree with brute force on a few hundred tiny random schools.

The chain programme (chain.py) serves schools whose composites are pairs along a line of
grades; the MIPs (model.py) serve every school. Each test runs with the default choice
(the programme wherever it applies) and with the MIPs forced, so both are checked.
"""

import pytest
from hypothesis import HealthCheck, given, settings

from optimization import ProblemError, check_plan, parse_problem, solve
from optimization.checker import structure_of
from optimization.search import solve_problem

from . import bruteforce
from .strategies import chain_problems, tiny_problems

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
ENGINES = [None, "mip"]


def _valid(data) -> bool:
    try:
        parse_problem(data)
    except ProblemError:
        return False
    return True


def solve_with(data, engine):
    if engine is None:
        return solve(data)
    result = solve_problem(parse_problem(data), engine=engine)
    assert result["stats"].get("engine", engine) == engine
    return result


def assert_matches_brute_force(data, engines=ENGINES):
    if not _valid(data):
        assert solve(data)["status"] == "invalid"
        return
    ranked = bruteforce.ranked_structures(data)
    for engine in engines:
        _assert_result_matches(data, ranked, solve_with(data, engine))


def _assert_result_matches(data, ranked, result):
    if not ranked:
        assert result["status"] == "infeasible"
        assert result["plans"] == [] and result["diagnosis"]
        return
    assert result["status"] == "optimal"
    got = [(p["composites"], -len(p["classes"]), p["spread"]) for p in result["plans"]]
    assert got == [key for key, _ in ranked][:data["alternatives"]]
    # each plan is the best of its own structure, and the structures differ
    best_of = {tuple(sorted(s.items())): key for key, s in ranked}
    structures = set()
    for plan, key in zip(result["plans"], got):
        assert check_plan(data, plan) == []
        structure = tuple(sorted(structure_of(plan)))
        assert best_of[structure] == key
        structures.add(structure)
    assert len(structures) == len(result["plans"])


@SETTINGS
@given(tiny_problems())
def test_ranked_plans_match_brute_force(data):
    assert_matches_brute_force(data)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(chain_problems())
def test_chain_schools_match_brute_force(data):
    """Adjacent-pair composites with min_per_grade, and more classes per grade."""
    assert_matches_brute_force(data)


# hand-picked: a triple composite with min_per_grade, and a chain where min_per_grade binds
FIXED = [
    {"teachers": 3, "composite_min_per_grade": 3, "alternatives": 3, "grades": [
        {"code": "4", "students": 9, "min_class_size": 10, "max_class_size": 14},
        {"code": "5", "students": 22, "min_class_size": 8, "max_class_size": 14},
        {"code": "6", "students": 7, "min_class_size": 10, "max_class_size": 14}],
     "composites": [{"grades": ["4", "5", "6"], "max_class_size": 16, "min_per_grade": 3},
                    {"grades": ["4", "5"]}]},
    {"teachers": 4, "composite_min_per_grade": 4, "alternatives": 3, "grades": [
        {"code": "K", "students": 23, "min_class_size": 8, "max_class_size": 14},
        {"code": "1", "students": 17, "min_class_size": 9, "max_class_size": 15},
        {"code": "2", "students": 12, "min_class_size": 8, "max_class_size": 13}],
     "composites": [{"grades": ["K", "1"]}, {"grades": ["1", "2"], "min_per_grade": 5}]},
    {"teachers": 3, "composite_min_per_grade": 2, "alternatives": 3, "grades": [
        {"code": "K", "students": 11, "min_class_size": 6, "max_class_size": 12},
        {"code": "1", "students": 5, "min_class_size": 6, "max_class_size": 12},
        {"code": "2", "students": 13, "min_class_size": 6, "max_class_size": 12}],
     "composites": [{"grades": ["K", "1", "2"], "max_class_size": 14}]},
]


@pytest.mark.parametrize("data", FIXED)
def test_fixed_schools_match_brute_force(data):
    assert bruteforce.ranked_structures(data), "the fixed schools all have plans"
    assert_matches_brute_force(data)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(tiny_problems())
def test_min_teachers_matches_brute_force(data):
    if not _valid(data):
        return
    least = solve(data)["min_teachers"]
    assert solve_with(data, "mip")["min_teachers"] == least
    cap = 6  # brute force beyond this many classes is too slow
    if least is None or least > cap:
        assert bruteforce.fewest_classes(data, cap=cap) is None
    else:
        assert bruteforce.fewest_classes(data, cap=least) == least
