"""Optimizer speed: the contract examples and generated schools of three sizes.

    .venv/bin/python benchmarks/optimizer.py [--seeds 3] [--cli]

For each problem: the engine (chain programme or MIPs), model-build seconds (MIP models,
or the programme's class-count tables), solver seconds (HiGHS with Pyomo's translation,
or the programme's passes), the whole solve (min_teachers, plans, checks included), and
the figures of every plan. --cli also times the command line's whole run (Python start,
imports, solve) on a K-6 school.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT.parent / "shared" / "contract" / "examples"


def school(grades: list[str], per_grade: tuple[int, int], teachers_slack: int,
           composites: str, seed: int, name: str) -> dict:
    """A generated school. composites: "adjacent" (every adjacent pair) or "none"."""
    rng = random.Random(seed)
    rows = []
    for code in grades:
        low = rng.randint(14, 18)
        high = rng.randint(max(low + 6, 22), 30)
        rows.append({"code": code, "students": rng.randint(*per_grade),
                     "min_class_size": low, "max_class_size": high})
    pairs = [{"grades": [a["code"], b["code"]]} for a, b in zip(rows, rows[1:])]
    problem = {"name": name, "teachers": 0, "composite_min_per_grade": 3, "grades": rows,
               "composites": pairs if composites == "adjacent" else [],
               "alternatives": 3, "time_limit_s": 30}
    from optimization import solve  # imported late on purpose: main() times the import itself

    probe = solve({**problem, "teachers": 10_000, "alternatives": 1})
    least = probe["min_teachers"]
    problem["teachers"] = (least or 0) + teachers_slack
    return problem


def generated() -> list[tuple[str, dict]]:
    k6 = ["K", "1", "2", "3", "4", "5", "6"]
    k12 = k6 + ["7", "8", "9", "10", "11", "12"]
    cases = []
    for seed in range(3):
        cases.append((f"3 grades ~100 (seed {seed})",
                      school(["K", "1", "2"], (25, 45), 1, "adjacent", seed, "small")))
    for seed in range(3):
        cases.append((f"K-6 ~650 (seed {seed})",
                      school(k6, (80, 105), 1, "adjacent", seed, "k6")))
    for seed in range(3):
        cases.append((f"K-12 ~2400 tight, adjacent composites (seed {seed})",
                      school(k12, (165, 205), 0, "adjacent", seed, "k12")))
    return cases


def measure(label: str, problem: dict) -> dict:
    from optimization import solve  # imported late on purpose: main() times the import itself

    started = time.monotonic()
    result = solve(problem)
    seconds = time.monotonic() - started
    stats = result.get("stats", {})
    figures = [f"{p['composites']}/{len(p['classes'])}/{p['spread']}"
               for p in result.get("plans", [])]
    print(f"{label:48s} {result['status']:10s} {stats.get('engine', '-'):5s} "
          f"build {stats.get('build_s', 0):6.3f}  solve {stats.get('solver_s', 0):6.3f}  "
          f"total {seconds:6.3f}  {' '.join(figures)}")
    return result


def cli_run(problem: dict) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(problem, handle)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "optimization", "solve", handle.name],
                   cwd=ROOT, check=False, capture_output=True)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    args = parser.parse_args()
    started = time.monotonic()
    import optimization  # noqa: F401  (timed: that is why the optimizer is imported here)
    import pyomo.environ  # noqa: F401  (imports timed separately from the solves)

    print(f"imports: {time.monotonic() - started:.3f} s")
    if EXAMPLES.is_dir():
        for path in sorted(EXAMPLES.glob("*.json")):
            if path.name != "expected.json":
                measure(path.name, json.loads(path.read_text()))
    cases = generated()
    for label, problem in cases:
        measure(label, problem)
    if args.cli:
        k6 = next(problem for label, problem in cases if label.startswith("K-6"))
        runs = [cli_run(k6) for _ in range(3)]
        print(f"command line, K-6 school: {min(runs):.3f} s (best of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
