"""At the contract's limits the command line answers honestly and within 1 GiB.

Each problem of extremes.py is solved by the real command line (a fresh process) with
a one-second limit; its peak memory is read from the operating system. The answer's
time is the benchmark's to report (benchmarks/optimizer.py --limits): a test must not
depend on the machine's speed."""

import json
import subprocess
import sys

import pytest

from .extremes import extremes, with_limit
from .paths import REPO

CHOSEN = ["two grades of 10,000 and their composite", "30 grades of 10,000, 200 composites",
          "1,000 share rules"]  # the programme, the MIP, many rules; all in the benchmark
PROBLEMS = {name: problem for name, problem in with_limit(extremes(), 1.0).items()
            if name in CHOSEN}
MEASURE = """
import json, resource, runpy, sys
sys.argv = ["optimization", "solve", sys.argv[1], "-o", sys.argv[2]]
try:
    runpy.run_module("optimization", run_name="__main__")
except SystemExit as end:
    code = end.code
print(json.dumps({"exit": code, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""
GIB_KB = 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_at_the_limits_an_honest_answer_in_one_gib(name, tmp_path):
    problem, out = tmp_path / "problem.json", tmp_path / "result.json"
    problem.write_text(json.dumps(PROBLEMS[name]))
    run = subprocess.run([sys.executable, "-c", MEASURE, str(problem), str(out)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["exit"] == 0, run.stderr
    assert report["peak_kb"] < GIB_KB
    result = json.loads(out.read_text())
    assert result["status"] in ("optimal", "feasible", "timeout", "infeasible")
    if result["status"] in ("feasible", "timeout"):
        assert "time" in " ".join(result["diagnosis"])
    assert result["stats"]["engine"] in ("chain", "mip")
