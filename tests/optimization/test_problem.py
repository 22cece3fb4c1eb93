"""Validation: one sentence per mistake, naming the field; the CLI's exit status."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimization import ProblemError, parse_problem, solve

REPO = Path(__file__).resolve().parents[2]


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


@pytest.mark.parametrize("changes, field", [
    ({"teacher_count": 4}, "teacher_count"),
    ({"teachers": 4.0}, "teachers"),
    ({"teachers": -1}, "teachers"),
    ({"grades": [], "composites": []}, "grades"),
    ({"composites": [{"grades": ["K"]}]}, "composites[0].grades"),
    ({"composites": [{"grades": ["K", "7"]}]}, "7"),
    ({"composites": [{"grades": ["K", "1"]}, {"grades": ["1", "K"]}]}, "composites[1]"),
    ({"composites": [{"grades": ["K", "1"], "min_class_size": 30}]}, "min_class_size"),
    ({"alternatives": 0}, "alternatives"),
    ({"time_limit_s": 0}, "time_limit_s"),
])
def test_each_mistake_is_one_sentence_naming_the_field(changes, field):
    errors = errors_of(school(**changes))
    assert len(errors) == 1
    assert field in errors[0]


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


def test_solve_reports_invalid_without_raising():
    result = solve(school(teachers="four"))
    assert result["status"] == "invalid"
    assert "teachers" in result["errors"][0]


def test_cli_invalid_problem_exits_2_naming_the_field(tmp_path):
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(school(teacher_count=4)))
    run = subprocess.run([sys.executable, "-m", "optimization", "solve", str(path)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert json.loads(run.stdout)["status"] == "invalid"
    assert "teacher_count" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_cli_writes_output_file(tmp_path):
    path, out = tmp_path / "school.json", tmp_path / "out.json"
    path.write_text(json.dumps(school()))
    run = subprocess.run([sys.executable, "-m", "optimization", "solve", str(path),
                          "-o", str(out)], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and run.stdout == ""
    assert json.loads(out.read_text())["status"] == "optimal"
