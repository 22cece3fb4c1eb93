"""A solver's disagreement never reaches a caller as an exception: a plan that fails the
independent check is never shown; the other engine solves again, or the answer says
honestly what is known. And the model's exact arithmetic for rules."""

import random
from fractions import Fraction

import pytest

from optimization import check_plan, mip, solve
from optimization.chain import ChainEngine
from optimization.mip import MipEngine
from optimization.model import farey_neighbours
from optimization.outcome import FoundPlan, Search, Status

SCHOOL = {"teachers": 4, "composite_min_per_grade": 2, "grades": [
    {"code": "K", "students": 17, "min_class_size": 5, "max_class_size": 10},
    {"code": "1", "students": 12, "min_class_size": 6, "max_class_size": 12},
    {"code": "2", "students": 9, "min_class_size": 5, "max_class_size": 9}],
    "composites": [{"grades": ["K", "2"]}]}  # skips a grade: the MIP's ground


def test_a_plan_that_breaks_the_rules_is_never_shown(monkeypatch):
    def broken(self, fewest=None):
        return Search(Status.OPTIMAL, [FoundPlan([{"grades": {"K": 38}}], {})])

    monkeypatch.setattr(MipEngine, "search", broken)
    result = solve(SCHOOL, engine="mip")
    assert result["status"] == "timeout" and result["plans"] == []
    assert "failed the independent check" in result["diagnosis"][0]
    assert result["stats"]["faults"]


def test_figures_that_disagree_make_the_plan_unproven(monkeypatch):
    truth = solve(SCHOOL, engine="mip")
    plan = truth["plans"][0]
    original = MipEngine.search

    def boasting(self, fewest=None):
        search = original(self, fewest)
        search.plans[0].claimed["spread"] = plan["spread"] + 1  # the model says otherwise
        return search

    monkeypatch.setattr(MipEngine, "search", boasting)
    result = solve(SCHOOL, engine="mip")
    assert result["status"] == "feasible"
    assert [p["classes"] for p in result["plans"]] == [plan["classes"]]
    assert check_plan(SCHOOL, result["plans"][0]) == []


def test_a_fault_of_the_chain_programme_is_solved_again_by_the_mip(monkeypatch):
    data = {**SCHOOL, "composites": [{"grades": ["K", "1"]}]}
    monkeypatch.setattr(ChainEngine, "search", lambda self, fewest=None: Search(
        Status.OPTIMAL, [FoundPlan([{"grades": {"K": 1}}], {})]))
    result = solve(data)
    assert result["status"] == "optimal" and result["stats"]["engine"] == "mip"
    assert result["stats"]["retried_after"]["engine"] == "chain"
    assert all(check_plan(data, p) == [] for p in result["plans"])


def test_a_plan_model_too_large_to_build_gives_a_valid_unproven_plan(monkeypatch):
    monkeypatch.setattr(mip, "MAX_CELLS", 60)  # the count model fits, the plan model not
    result = solve(SCHOOL, engine="mip")
    assert result["stats"]["too_large"]
    assert result["status"] == "feasible" and len(result["plans"]) == 1
    assert check_plan(SCHOOL, result["plans"][0]) == []
    assert result["min_teachers"] == solve(SCHOOL)["min_teachers"]


def test_farey_neighbours_are_the_closest_fractions_of_bounded_denominator():
    rng = random.Random(0)
    for _ in range(200):
        x = Fraction(rng.randint(1, 10 ** 6), rng.randint(1, 10 ** 6))
        most = rng.randint(1, 60)
        below, above = farey_neighbours(x, most)
        candidates = {Fraction(a, b) for b in range(1, most + 1)
                      for a in (x.numerator * b // x.denominator,
                                x.numerator * b // x.denominator + 1)}
        assert below == max(c for c in candidates if c <= x)
        assert above == min(c for c in candidates if c >= x)


@pytest.mark.parametrize("share, classes, small, holds", [
    (0.9, 10, 9, True), (0.9, 10, 8, False), (2 / 3, 3, 2, True), (0.333333, 3, 1, True)])
def test_share_rules_are_exact_in_the_model(share, classes, small, holds):
    below, above = farey_neighbours(Fraction(repr(share)), classes)
    assert (small >= above * classes) == holds == (Fraction(small, classes)
                                                   >= Fraction(repr(share)))
