"""Validation: one sentence per mistake, naming the field; version 2; the limits."""

import json

import pytest

from optimization import Limits, ProblemError, parse_problem, rule_labels, solve

from .paths import EXAMPLES


def school(**changes):
    data = {"teachers": 4, "grades": [
        {"code": "K", "students": 40, "min_class_size": 15, "max_class_size": 22},
        {"code": "1", "students": 38, "min_class_size": 15, "max_class_size": 25}],
        "composites": [{"grades": ["K", "1"]}]}
    data.update(changes)
    return data


def errors_of(data):
    with pytest.raises(ProblemError) as caught:
        parse_problem(data)
    return caught.value.errors


def test_defaults_are_filled_in():
    problem = parse_problem(school())
    composite = problem.composites[0]
    assert (composite.min_class_size, composite.max_class_size) == (15, 22)
    assert composite.min_per_grade == 1
    assert problem.alternatives == 3 and problem.time_limit_s == 10
    assert problem.grades[0].name == "K"
    assert problem.version == 1 and problem.ranking == ("composites", "classes", "spread")
    assert problem.rules == () and problem.fixed == ()


def test_version_two_is_any_of_its_fields_even_empty():
    assert parse_problem(school(rules=[])).version == 2
    assert parse_problem(school(fixed=[])).version == 2


@pytest.mark.parametrize("changes, field", [
    ({"teacher_count": 4}, "teacher_count"),
    ({"teachers": 4.0}, "teachers"),
    ({"teachers": -1}, "teachers"),
    ({"teachers": True}, "teachers"),
    ({"grades": [], "composites": []}, "grades"),
    ({"composites": [{"grades": ["K"]}]}, "composites[0].grades"),
    ({"composites": [{"grades": ["K", "7"]}]}, "7"),
    ({"composites": [{"grades": ["K", "1"]}, {"grades": ["1", "K"]}]}, "composites[1]"),
    ({"composites": [{"grades": ["K", "1"], "min_class_size": 30}]}, "min_class_size"),
    ({"alternatives": 0}, "alternatives"),
    ({"time_limit_s": 0}, "time_limit_s"),
    ({"time_limit_s": float("nan")}, "time_limit_s"),
    ({"ranking": []}, "ranking"),
    ({"ranking": ["classes", "classes"]}, "ranking[1]"),
    ({"ranking": ["size"]}, "ranking[0]"),
    ({"rules": [{"kind": "limit", "grades": ["K"], "size": 20}]}, "rules[0].kind"),
    ({"rules": [{"kind": "cap", "grades": ["2"], "size": 20}]}, "rules[0].grades"),
    ({"rules": [{"kind": "cap", "grades": ["K", "K"], "size": 20}]}, "rules[0].grades"),
    ({"rules": [{"kind": "cap", "grades": [], "size": 20}]}, "rules[0].grades"),
    ({"rules": [{"kind": "cap", "grades": ["K"], "size": 0}]}, "rules[0].size"),
    ({"rules": [{"kind": "cap", "grades": ["K"]}]}, "rules[0].size"),
    ({"rules": [{"kind": "cap", "grades": ["K"], "size": 20, "share": 0.5}]},
     "rules[0].share"),
    ({"rules": [{"kind": "share", "grades": ["K"], "size": 20, "share": 90}]},
     "rules[0].share"),
    ({"rules": [{"kind": "share", "grades": ["K"], "size": 20, "share": 0}]},
     "rules[0].share"),
    ({"rules": [{"kind": "average", "grades": ["K"], "average": 0}]}, "rules[0].average"),
    ({"rules": [{"kind": "average", "grades": ["K"], "average": 20, "size": 3}]},
     "rules[0].size"),
    ({"rules": [{"kind": "cap", "grades": ["K"], "size": 20, "note": "x"}]}, "note"),
    ({"fixed": [{"grades": {"K": 10, "2": 12}}]}, "fixed[0].grades"),
    ({"fixed": [{"grades": {"1": 30}}]}, "fixed[0].grades"),
    ({"fixed": [{"grades": {"K": 0, "1": 20}}]}, "fixed[0].grades['K']"),
    ({"fixed": [{"grades": {}}]}, "fixed[0].grades"),
    ({"fixed": [{"grades": {"K": 20}}, {"grades": {"K": 21}}]}, "grade K"),
    ({"teachers": 2, "fixed": [{"grades": {"K": 15}}, {"grades": {"1": 15}},
                               {"grades": {"1": 15}}]}, "teachers"),
])
def test_each_mistake_is_one_sentence_naming_the_field(changes, field):
    errors = errors_of(school(**changes))
    assert len(errors) == 1, errors
    assert field in errors[0]


def test_the_contracts_invalid_version_two_example_has_nine_errors():
    data = json.loads((EXAMPLES / "v2_invalid.json").read_text())
    assert len(errors_of(data)) == 9


def test_grade_mistakes():
    data = school(grades=[
        {"code": "K", "students": 40, "min_class_size": 24, "max_class_size": 20},
        {"code": "K", "students": 4, "min_class_size": 5, "max_class_size": 20},
        {"code": "2", "students": 10.5, "min_class_size": 5, "max_class_size": 20, "x": 1}])
    errors = errors_of(data)
    assert any("grades[0].min_class_size" in e for e in errors)
    assert any("grades[1].code" in e and "repeated" in e for e in errors)
    assert any("grades[2].students" in e for e in errors)
    assert any("grades[2]" in e and "'x'" in e for e in errors)


@pytest.mark.parametrize("changes, field, limit", [
    ({"teachers": Limits.TEACHERS + 1}, "teachers", "5,000"),
    ({"alternatives": 21}, "alternatives", "20"),
    ({"time_limit_s": 3601}, "time_limit_s", "3,600"),
    ({"composite_min_per_grade": 1001}, "composite_min_per_grade", "1,000"),
    ({"name": "x" * 201}, "name", "200"),
    ({"grades": [{"code": "K", "students": 10_001, "min_class_size": 15,
                  "max_class_size": 22}], "composites": []}, "grades[0].students", "10,000"),
    ({"grades": [{"code": "K", "students": 100, "min_class_size": 15,
                  "max_class_size": 1001}], "composites": []},
     "grades[0].max_class_size", "1,000"),
    ({"grades": [{"code": str(i), "students": 1, "min_class_size": 1, "max_class_size": 5}
                 for i in range(31)], "composites": []}, "grades", "30"),
    ({"composites": [{"grades": ["K", "1"]}] * 201}, "composites", "200"),
    ({"rules": [{"kind": "cap", "grades": ["K"], "size": 20}] * 1001}, "rules", "1,000"),
    ({"fixed": [{"grades": {"K": 15}}] * 1001}, "fixed", "1,000"),
    ({"rules": [{"kind": "cap", "grades": ["K"], "size": 20, "label": "y" * 201}]},
     "rules[0].label", "200"),
])
def test_beyond_the_limits_is_invalid_naming_field_and_limit(changes, field, limit):
    errors = errors_of(school(**changes))
    assert any(field in e and limit in e for e in errors), errors


def test_huge_values_are_described_not_echoed():
    errors = errors_of(school(teachers=10 ** 5000, name=[[[[]]]] ))
    assert all(len(e) < 300 for e in errors)
    assert any("teachers" in e for e in errors)


def test_solve_reports_invalid_without_raising():
    for data in (school(teachers="four"), None, [], "x", school(grades=[[[]]]),
                 school(rules=[{"kind": ["cap"]}]), school(fixed=[{"grades": {"K": [1]}}])):
        result = solve(data)
        assert result["status"] == "invalid"
        assert result["errors"]


def test_rule_labels_given_or_written_out():
    data = school(rules=[
        {"kind": "cap", "grades": ["K", "1"], "size": 23, "label": "Primary cap"},
        {"kind": "cap", "grades": ["1", "K"], "size": 23},
        {"kind": "share", "grades": ["K"], "size": 20, "share": 0.9},
        {"kind": "average", "grades": ["1"], "average": 24.5}])
    assert rule_labels(data) == [
        "Primary cap",
        "No class holding grades K or 1 above 23 students",
        "At least 90% of the classes holding grade K at 20 students or fewer",
        "Classes holding grade 1 average at most 24.5 students"]
