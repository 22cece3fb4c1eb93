"""Comparing an engine's result with the brute force (bruteforce.py), figure by figure."""

from __future__ import annotations

from optimization import Deadline, check_plan, parse_problem, plan_checks, plan_figures
from optimization.checker import ranking_key, structure_of
from optimization.search import solve_problem

from . import bruteforce


def solve_with(data: dict, engine: str | None, *, explain: bool = False) -> dict:
    result = solve_problem(parse_problem(data), Deadline.after(120), engine,
                           explain=explain).to_json()
    if engine is not None:
        assert result["stats"]["engine"] == engine
    return result


def assert_plans_valid(data: dict, result: dict) -> None:
    """Every plan obeys the rules, has the right figures and checks, and the plans are
    of distinct structures, in rank order."""
    problem = parse_problem(data)
    keys, structures = [], set()
    for plan in result["plans"]:
        assert check_plan(data, plan) == [], plan
        figures = plan_figures(plan)
        assert (plan["composites"], plan["spread"], plan["largest"]) == (
            figures["composites"], figures["spread"], figures["largest"])
        assert plan["checks"] == plan_checks(data, plan)
        keys.append(ranking_key(figures, problem.ranking))
        structures.add(structure_of(plan))
    assert keys == sorted(keys)
    assert len(structures) == len(result["plans"])


def assert_matches_brute_force(data: dict, engines, *, cap_extra: int = 2) -> None:
    """The engines' ranked figures, feasibility and min_teachers are the brute force's
    (raises bruteforce.TooLarge when the problem is too large to enumerate)."""
    cap = data["teachers"] + cap_extra
    ranked, fewest = bruteforce.solve(data, cap)
    best_of = {structure: key for key, structure, _ in ranked}
    problem = parse_problem(data)
    for engine in engines:
        result = solve_with(data, engine)
        where = f"engine {result['stats']['engine']}"
        if not ranked:
            assert result["status"] == "infeasible", where
            assert result["plans"] == [], where
        else:
            assert result["status"] == "optimal", where
            got = [ranking_key(plan_figures(p), problem.ranking) for p in result["plans"]]
            assert got == [key for key, _, _ in ranked][:data["alternatives"]], where
            for plan, key in zip(result["plans"], got):
                assert best_of[structure_of(plan)] == key, where  # the best of its structure
            assert_plans_valid(data, result)
        least = result["min_teachers"]
        if least is None or least > cap:
            assert fewest is None, (where, least, fewest)
        else:
            assert least == fewest, (where, least, fewest)
