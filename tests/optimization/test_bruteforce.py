"""The optimizer agrees with brute force on a few hundred tiny random schools."""

from hypothesis import HealthCheck, given, settings

from optimization import ProblemError, check_plan, parse_problem, solve
from optimization.checker import structure_of

from . import bruteforce
from .strategies import tiny_problems

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _valid(data) -> bool:
    try:
        parse_problem(data)
    except ProblemError:
        return False
    return True


@SETTINGS
@given(tiny_problems())
def test_ranked_plans_match_brute_force(data):
    if not _valid(data):
        assert solve(data)["status"] == "invalid"
        return
    ranked = bruteforce.ranked_structures(data)
    result = solve(data)
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


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(tiny_problems())
def test_min_teachers_matches_brute_force(data):
    if not _valid(data):
        return
    result = solve(data)
    least = result["min_teachers"]
    cap = 6  # brute force beyond this many classes is too slow
    if least is None or least > cap:
        assert bruteforce.fewest_classes(data, cap=cap) is None
    else:
        assert bruteforce.fewest_classes(data, cap=least) == least
