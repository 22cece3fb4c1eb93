"""The contract's examples: every result verified by the contract's own checker
(shared/contract/verify.py, in process) and its figures compared with expected.json, on
each engine that applies; the command line's exit status on one of each kind."""

import importlib.util
import json
import subprocess
import sys

import pytest

from optimization import parse_problem, solve
from optimization.engines import chain_applies

from .paths import CONTRACT, EXAMPLES, REPO

EXPECTED = json.loads((EXAMPLES / "expected.json").read_text())


def _verify_module():
    sys.path.insert(0, str(CONTRACT))  # verify.py imports contract.py beside it
    spec = importlib.util.spec_from_file_location("contract_verify", CONTRACT / "verify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify = _verify_module().verify


def _figures(plan, ranking):
    figures = {"composites": plan["composites"], "classes": len(plan["classes"]),
               "largest": plan["largest"], "spread": plan["spread"]}
    return "/".join(str(figures[c]) for c in ranking)


def _engines(data):
    """The default engine; the MIP forced too on version-2 examples and on those the
    chain programme does not take (test_engines_agree compares the two on version 1)."""
    try:
        problem = parse_problem(data)
    except Exception:
        return [None]
    if not chain_applies(problem):
        return ["mip"]
    return ["chain", "mip"] if problem.version == 2 else ["chain"]


CASES = [(name, engine) for name in sorted(EXPECTED)
         for engine in _engines(json.loads((EXAMPLES / name).read_text()))]


@pytest.mark.parametrize("name, engine", CASES)
def test_example(name, engine):
    data = json.loads((EXAMPLES / name).read_text())
    want = EXPECTED[name]
    result = solve(data, engine=engine)
    report = verify(data, result)
    assert report["valid"], report["errors"]
    assert result["status"] == want["status"]
    if want["status"] == "invalid":
        assert len(result["errors"]) == want["errors"]
        return
    assert result["min_teachers"] == want["min_teachers"]
    if want["status"] != "optimal":
        assert result["plans"] == [] and result["diagnosis"]
        return
    ranking = want.get("ranking", ["composites", "classes", "spread"])
    assert [_figures(p, ranking) for p in result["plans"]] == want["plans"]


@pytest.mark.parametrize("name, exit_status", [
    ("hillview.json", 0), ("v2_infeasible_by_rule.json", 0), ("v2_invalid.json", 2)])
def test_command_line(name, exit_status):
    run = subprocess.run([sys.executable, "-m", "optimization", "solve",
                          str(EXAMPLES / name)], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == exit_status
    result = json.loads(run.stdout)
    assert verify(json.loads((EXAMPLES / name).read_text()), result)["valid"]
    assert len(run.stderr.strip().splitlines()) == (1 if exit_status == 2 else 0)
