"""The contract's examples: the acceptance check, and the expected figures via solve()."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimization import check_plan, plan_figures, solve

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
EXAMPLES = SHARED / "contract" / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text())


def test_contract_check_passes():
    run = subprocess.run([sys.executable, str(SHARED / "contract" / "check.py"),
                          "--python", sys.executable], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 failed" in run.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_figures(name):
    data = json.loads((EXAMPLES / name).read_text())
    want = EXPECTED[name]
    result = solve(data)
    assert result["status"] == want["status"]
    if want["status"] == "invalid":
        assert len(result["errors"]) == want["errors"]
        return
    assert result["min_teachers"] == want["min_teachers"]
    if want["status"] != "optimal":
        assert result["plans"] == [] and result["diagnosis"]
        return
    figures = [f"{p['composites']}/{len(p['classes'])}/{p['spread']}" for p in result["plans"]]
    assert figures == want["plans"]
    for plan in result["plans"]:
        assert check_plan(data, plan) == []
        assert plan_figures(plan)["spread"] == plan["spread"]
