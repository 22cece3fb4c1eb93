"""The independent checker: sentences for every broken rule (version 2 included), the
figures and the checks of any plan, a hand-edited one too."""

from optimization import (check_plan, plan_checks, plan_figures, ranked_figures,
                          ranking_key)

SCHOOL = {"teachers": 3, "grades": [
    {"code": "1", "students": 30, "min_class_size": 10, "max_class_size": 25},
    {"code": "2", "students": 27, "min_class_size": 10, "max_class_size": 25}],
    "composites": [{"grades": ["1", "2"], "min_per_grade": 4}]}

PLAN = {"classes": [{"grades": {"1": 20}}, {"grades": {"1": 10, "2": 10}},
                    {"grades": {"2": 17}}]}


def test_valid_plan_has_no_complaints():
    assert check_plan(SCHOOL, PLAN) == []
    assert plan_figures(PLAN) == {"composites": 1, "classes": 3, "largest": 20, "spread": 3}
    assert plan_checks(SCHOOL, PLAN) == []


def test_every_broken_rule_is_named():
    plan = {"classes": [{"grades": {"1": 27}}, {"grades": {"1": 3, "2": 5}},
                        {"grades": {"2": 22}}, {"grades": {"3": 1}}]}
    problems = check_plan(SCHOOL, plan)
    assert "Class 1 (grade 1) has 27 students; the most allowed is 25." in problems
    assert any(p.startswith("Class 2 (grades 1/2) has 3 students of grade 1") for p in problems)
    assert "Class 2 (grades 1/2) has 8 students; the fewest allowed is 10." in problems
    assert any("Class 4" in p and "'3'" in p for p in problems)
    assert any("4 classes" in p and "3 teachers" in p for p in problems)
    assert not any("Grade 1 has" in p for p in problems)  # 27 + 3 = 30 placed


def test_missing_students_and_disallowed_mix():
    school = dict(SCHOOL, composites=[])
    plan = {"classes": [{"grades": {"1": 15, "2": 10}}, {"grades": {"2": 12}}]}
    problems = check_plan(school, plan)
    assert any("Class 1" in p and "not an allowed composite" in p for p in problems)
    assert "Grade 2 has 27 students but 22 are placed in classes." in problems


RULES = dict(SCHOOL, rules=[
    {"kind": "cap", "grades": ["1"], "size": 19, "label": "Grade 1 cap"},
    {"kind": "share", "grades": ["1", "2"], "size": 17, "share": 0.9},
    {"kind": "average", "grades": ["2"], "average": 13.5, "label": "Grade 2 average"}],
    fixed=[{"grades": {"2": 17}, "label": "Mr Lee's 2"}, {"grades": {"1": 20}}])


def test_checks_of_a_plan_one_per_rule():
    assert plan_checks(RULES, PLAN) == [
        {"holds": False, "value": 20},             # classes 1 and 2 hold grade 1: 20, 20
        {"holds": False, "value": 1 / 3},          # 17 of 20, 20, 17 is small
        {"holds": False, "value": 18.5}]           # classes holding grade 2: 20 and 17


def test_broken_version_two_rules_are_named_by_label():
    problems = check_plan(RULES, PLAN)
    assert ("Class 1 (grade 1) has 20 students; the rule “Grade 1 cap” allows at most 19."
            in problems)
    assert any(p.startswith("1 of the 3 classes the rule “At least 90% of the classes "
                            "holding grades 1 or 2 at 17 students or fewer” concerns")
               for p in problems)
    assert any("“Grade 2 average”" in p and "18.5" in p for p in problems)
    assert check_plan(RULES, PLAN)[-1:] != ["The plan does not contain"]


def test_fixed_classes_must_be_in_the_plan_and_marks_must_be_true():
    plan = {"classes": [{"grades": {"1": 20}, "fixed": True},
                        {"grades": {"1": 10, "2": 11}, "fixed": True},
                        {"grades": {"2": 16}}]}
    problems = check_plan(RULES, plan)
    assert ("The plan does not contain the fixed class “Mr Lee's 2”: a class of 17 of "
            "grade 2." in problems)
    assert "Class 2 is marked fixed but is not one of the problem's fixed classes." in problems
    assert not any("Class 1 is marked" in p for p in problems)


def test_a_rule_concerning_no_class_holds():
    data = dict(SCHOOL, grades=SCHOOL["grades"] + [
        {"code": "3", "students": 0, "min_class_size": 5, "max_class_size": 20}],
        rules=[{"kind": k, "grades": ["3"], **extra} for k, extra in
               [("cap", {"size": 5}), ("share", {"size": 5, "share": 1}),
                ("average", {"average": 1})]])
    assert plan_checks(data, PLAN) == [{"holds": True, "value": 0},
                                       {"holds": True, "value": 1},
                                       {"holds": True, "value": 0}]
    assert check_plan(data, PLAN) == []


def test_share_and_average_are_exact():
    """9 small classes of 10 is exactly 90%; a mean exactly equal to the average holds."""
    data = {"teachers": 10, "grades": [
        {"code": "1", "students": 141, "min_class_size": 10, "max_class_size": 25}],
        "rules": [{"kind": "share", "grades": ["1"], "size": 14, "share": 0.9},
                  {"kind": "average", "grades": ["1"], "average": 14.1}]}
    plan = {"classes": [{"grades": {"1": 14}}] * 9 + [{"grades": {"1": 15}}]}
    assert plan_checks(data, plan) == [{"holds": True, "value": 0.9},
                                       {"holds": True, "value": 14.1}]
    assert check_plan(data, plan) == []
    plan = {"classes": [{"grades": {"1": 14}}] * 8 + [{"grades": {"1": 15}}] * 2}
    data["grades"][0]["students"] = 142
    assert plan_checks(data, plan) == [{"holds": False, "value": 0.8},
                                       {"holds": False, "value": 14.2}]


def test_figures_in_ranking_order_and_key():
    figures = plan_figures(PLAN)
    ranking = ["classes", "largest"]
    assert list(ranked_figures(PLAN, ranking)) == ["classes", "largest", "composites", "spread"]
    assert ranking_key(figures, ranking) == (-3, 20)


def test_empty_plan_and_hand_edited_shapes():
    empty = {"teachers": 0, "grades": [{"code": "K", "students": 0, "min_class_size": 1,
                                        "max_class_size": 5}],
             "rules": [{"kind": "cap", "grades": ["K"], "size": 3}]}
    assert check_plan(empty, {"classes": []}) == []
    assert plan_figures({"classes": []})["largest"] == 0
    assert plan_checks(empty, {"classes": []}) == [{"holds": True, "value": 0}]
    assert check_plan(SCHOOL, {"classes": "none"}) == ["The plan has no list of classes."]
    odd = {"classes": [{"grades": {"1": 10 ** 5000}}, {"grades": {"1": [1]}}, {"grades": {}},
                       "x", {"grades": {"1": 20}, "fixed": "yes"}]}
    problems = check_plan(SCHOOL, odd)
    assert problems and all(len(p) < 300 for p in problems)
