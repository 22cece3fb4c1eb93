"""Infeasible schools are explained in actionable sentences."""

import json
from pathlib import Path

from optimization import solve

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "contract" / "examples"


def grades(*rows):
    return [{"code": c, "students": n, "min_class_size": lo, "max_class_size": hi}
            for c, n, lo, hi in rows]


def test_small_grade_without_composite_is_named_with_the_fix():
    data = json.loads((EXAMPLES / "infeasible_primary_k6_350_small_grade6_no_composite.json")
                      .read_text())
    result = solve(data)
    assert result["status"] == "infeasible" and result["min_teachers"] is None
    text = " ".join(result["diagnosis"])
    assert "Grade 6 has 4 students, fewer than its minimum class size of 17" in text
    assert "5/6 composite" in text


def test_too_few_teachers_gives_the_numbers_with_and_without_composites():
    data = {"teachers": 4, "composites": [{"grades": ["1", "2"]}],
            "grades": grades(("1", 51, 10, 25), ("2", 49, 10, 25), ("3", 30, 10, 25))}
    result = solve(data)
    assert result["status"] == "infeasible"
    assert result["min_teachers"] == 6
    text = " ".join(result["diagnosis"])
    assert "at least 6 teachers" in text and "the school has 4" in text
    assert "Without composite classes it would need 7 teachers." in text


def test_extra_adjacent_composite_is_suggested():
    # grade 2 alone (30 students, classes 16..20) cannot be split; a 2/3 class can help
    data = {"teachers": 4,
            "grades": grades(("1", 40, 16, 20), ("2", 30, 16, 20), ("3", 25, 10, 25))}
    result = solve(data)
    assert result["status"] == "infeasible"
    text = " ".join(result["diagnosis"])
    assert "Grade 2's 30 students cannot be split into classes of 16 to 20" in text
    assert "Allowing a 2/3 composite class would make a plan possible" in text
