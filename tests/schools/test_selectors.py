"""The optimizer problem and the admin's totals, built from a school's saved data."""

import json

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from optimization import parse_problem, solve
from schools.models import CompositeRule, Enrolment, Grade
from schools.selectors import year_problem, year_totals
from tests import factories

pytestmark = pytest.mark.django_db


def test_year_problem_follows_the_contract(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(
        school_a, teachers=6, students={"2": 40, "K": 41, "1": 57},
        composites=[("1", "K"), ("1", "2")], min_per_grade=5,
    )
    with schema_context(school_a.schema_name):
        rule = CompositeRule.objects.filter(year=year).last()
        rule.max_class_size, rule.min_per_grade = 24, 4
        rule.save()
        problem = year_problem(year)
    json.dumps(problem)  # JSON-ready
    assert problem == {
        "name": "School A 2027",
        "teachers": 6,
        "composite_min_per_grade": 5,
        "grades": [
            {"code": "K", "name": "Kindergarten", "students": 41, "min_class_size": 15, "max_class_size": 22},
            {"code": "1", "students": 57, "min_class_size": 15, "max_class_size": 24},
            {"code": "2", "students": 40, "min_class_size": 15, "max_class_size": 24},
        ],
        "composites": [{"grades": ["K", "1"]}, {"grades": ["1", "2"], "max_class_size": 24, "min_per_grade": 4}],
        "alternatives": 3,
        "time_limit_s": settings.SOLVER_TIME_LIMIT_S,
        "ranking": ["composites", "classes", "spread"],  # the district's default: nobody chose
        "rules": [],  # the district's pack by default: "none"
        "fixed": [],
    }
    parsed = parse_problem(problem)
    assert [g.code for g in parsed.grades] == ["K", "1", "2"]


def test_grades_without_an_enrolment_row_are_not_taught_that_year(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, students={"K": 20, "1": 0}, composites=[("K", "1")])
    with schema_context(school_a.schema_name):
        problem = year_problem(year)
    assert [g["code"] for g in problem["grades"]] == ["K", "1"]
    assert problem["composites"] == [{"grades": ["K", "1"]}]
    parse_problem(problem)


def test_year_problem_is_solvable(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, teachers=4, students={"K": 30, "1": 20, "2": 18},
                                 composites=[("1", "2")])
    with schema_context(school_a.schema_name):
        problem = year_problem(year)
    problem["time_limit_s"] = 5
    result = solve(problem)
    assert result["status"] in ("optimal", "feasible"), result


def test_year_totals_count_students_and_straight_classes(school_a):
    factories.grades_create(school_a)
    year = factories.year_create(school_a, teachers=5, students={"K": 23, "1": 24, "2": 0, "3": 29})
    with schema_context(school_a.schema_name):
        totals = year_totals(year)
    # K: ceil(23/22)=2, 1: ceil(24/24)=1, 2: none, 3: ceil(29/28)=2
    assert totals["students"] == 76
    assert totals["min_straight_classes"] == 5
    assert totals["spare_teachers"] == 0
