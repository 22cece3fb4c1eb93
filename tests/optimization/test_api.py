"""The public API the app uses (optimization/__init__.py), version 1 and 2."""

import json

from optimization import (check_plan, parse_problem, plan_checks, plan_figures, rule_labels,
                          solve, solve_teacher_counts)

from .paths import EXAMPLES


def example(name):
    return json.loads((EXAMPLES / name).read_text())


def test_version_one_results_carry_largest_and_empty_checks():
    data = example("hillview.json")
    result = solve(data)
    plan = result["plans"][0]
    assert plan["checks"] == [] == plan_checks(data, plan)
    assert plan["largest"] == plan_figures(plan)["largest"]
    assert rule_labels(data) == []
    assert result["stats"]["engine"] == "chain"


def test_fixed_classes_are_marked_in_every_plan():
    data = example("v2_fixed_composite.json")
    for plan in solve(data)["plans"]:
        fixed = [c for c in plan["classes"] if c.get("fixed")]
        assert [c["grades"] for c in fixed] == [{"5": 12, "6": 14}]
        assert check_plan(data, plan) == []


def test_a_parsed_problem_is_accepted_everywhere():
    data = example("v2_ontario_primary_cap.json")
    problem = parse_problem(data)
    plan = solve(data)["plans"][0]
    assert check_plan(problem, plan) == check_plan(data, plan) == []
    assert plan_checks(problem, plan) == plan["checks"]


def test_teacher_counts_share_min_teachers_and_agree_with_single_solves():
    data = example("hillview.json")
    sweep = solve_teacher_counts(data, [4, 6, 7])
    assert sweep[4]["status"] == "infeasible" and sweep[4]["min_teachers"] == 6
    for n in (6, 7):
        alone = solve({**data, "teachers": n})
        assert sweep[n]["min_teachers"] == alone["min_teachers"] == 6
        assert [(p["composites"], len(p["classes"]), p["spread"]) for p in sweep[n]["plans"]] \
            == [(p["composites"], len(p["classes"]), p["spread"]) for p in alone["plans"]]
    assert solve_teacher_counts(data, [6000])[6000]["status"] == "invalid"
