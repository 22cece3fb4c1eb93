"""The independent checker's sentences, and the plan figures."""

from optimization import check_plan, plan_figures

SCHOOL = {"teachers": 3, "grades": [
    {"code": "1", "students": 30, "min_class_size": 10, "max_class_size": 25},
    {"code": "2", "students": 27, "min_class_size": 10, "max_class_size": 25}],
    "composites": [{"grades": ["1", "2"], "min_per_grade": 4}]}


def test_valid_plan_has_no_complaints():
    plan = {"classes": [{"grades": {"1": 20}}, {"grades": {"1": 10, "2": 10}},
                        {"grades": {"2": 17}}]}
    assert check_plan(SCHOOL, plan) == []
    assert plan_figures(plan) == {"composites": 1, "classes": 3, "spread": 3}


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
