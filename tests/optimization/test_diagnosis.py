"""Infeasible schools are explained in sentences a principal can act on."""

import json

from optimization import solve

from .paths import EXAMPLES


def grades(*rows):
    return [{"code": c, "students": n, "min_class_size": lo, "max_class_size": hi}
            for c, n, lo, hi in rows]


def text_of(result):
    assert result["status"] == "infeasible"
    return " ".join(result["diagnosis"])


def test_small_grade_without_composite_is_named_with_the_fix():
    data = json.loads((EXAMPLES / "infeasible_primary_k6_350_small_grade6_no_composite.json")
                      .read_text())
    result = solve(data)
    assert result["min_teachers"] is None
    text = text_of(result)
    assert "Grade 6 has 4 students, fewer than its minimum class size of 17" in text
    assert "5/6 composite" in text


def test_too_few_teachers_gives_the_numbers_with_and_without_composites():
    data = {"teachers": 4, "composites": [{"grades": ["1", "2"]}],
            "grades": grades(("1", 51, 10, 25), ("2", 49, 10, 25), ("3", 30, 10, 25))}
    result = solve(data)
    assert result["min_teachers"] == 6
    text = text_of(result)
    assert "at least 6 teachers" in text and "the school has 4" in text
    assert "Without composite classes it would need 7 teachers." in text


def test_extra_adjacent_composite_is_suggested():
    # grade 2 alone (30 students, classes 16..20) cannot be split; a 2/3 class can help
    data = {"teachers": 4,
            "grades": grades(("1", 40, 16, 20), ("2", 30, 16, 20), ("3", 25, 10, 25))}
    text = text_of(solve(data))
    assert "Grade 2's 30 students cannot be split into classes of 16 to 20" in text
    assert "Allowing a 2/3 composite class would make a plan possible" in text


def test_the_blocking_rule_is_named_with_what_would_lift_it():
    data = json.loads((EXAMPLES / "v2_infeasible_by_rule.json").read_text())
    result = solve(data)
    assert result["min_teachers"] == 10
    text = text_of(result)
    assert ("The rule “No primary class above 20 (collective agreement)” blocks every plan: "
            "without it the school would have a plan with its 9 teachers") in text
    assert "With every rule, the school needs at least 10 teachers; it has 9." in text


def test_rules_that_block_only_together_are_named_together():
    data = {"teachers": 4, "grades": grades(("K", 45, 15, 25), ("1", 45, 15, 25)),
            "rules": [{"kind": "cap", "grades": ["K"], "size": 20, "label": "K cap"},
                      {"kind": "cap", "grades": ["1"], "size": 20, "label": "Grade 1 cap"}]}
    result = solve(data)
    assert result["min_teachers"] == 6
    text = text_of(result)
    assert "The rules “K cap” and “Grade 1 cap” together block every plan" in text


def test_a_share_rule_that_blocks():
    data = {"teachers": 3, "grades": grades(("K", 60, 15, 25)),
            "rules": [{"kind": "share", "grades": ["K"], "size": 18, "share": 0.75,
                       "label": "Most K classes at 18 or fewer"}]}
    result = solve(data)
    text = text_of(result)
    assert result["min_teachers"] == 4
    assert "“Most K classes at 18 or fewer” blocks every plan" in text


def test_a_fixed_class_above_a_cap_blocks_every_plan():
    data = {"teachers": 5, "grades": grades(("K", 44, 15, 25), ("1", 40, 15, 25)),
            "rules": [{"kind": "cap", "grades": ["K"], "size": 23, "label": "K cap"}],
            "fixed": [{"grades": {"K": 24}, "label": "Ms Ortiz's K"}]}
    result = solve(data)
    assert result["min_teachers"] is None
    text = text_of(result)
    assert ("The fixed class “Ms Ortiz's K” has 24 students, above the rule “K cap” (at "
            "most 23), so no plan can contain it") in text


def test_unlocking_a_fixed_class_is_suggested():
    # the fixed class of 16 leaves 25 grade-K students: one class too many, two too few
    data = {"teachers": 5, "grades": grades(("K", 41, 15, 22), ("1", 40, 15, 25)),
            "fixed": [{"grades": {"K": 16}, "label": "Mr Lee's K"}]}
    text = text_of(solve(data))
    assert "Unlocking the fixed class “Mr Lee's K” would make a plan possible" in text
