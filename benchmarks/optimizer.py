"""Optimizer speed: the contract examples, generated schools, version-2 rule packs, the
command line, and the contract's limits. Prints figures; not a test.

    .venv/bin/python benchmarks/optimizer.py [--cli] [--limits] [--only v1|v2|examples]

For each problem (best of --repeat solves, 3 by default: the machine may be shared):
the status, the engine (chain programme or MIP), model-build seconds
(MIP models and their translation, or the programme's class-count tables), solver
seconds (HiGHS, or the programme's passes), the whole solve (min_teachers, plans,
checks included) and the figures of every plan in ranking order. Imports (numpy,
Pyomo) are done first and timed apart. Then the median and the worst of each group.

Version 2 (targets: every K-6 case proven optimal, median under 1 s, none over 5 s, 3
alternatives): K-6 schools of 300-700 students with
  * an Ontario-like pack: no K-3 class above 23 (a 3/4 class included), 90% of them at
    20 or fewer;
  * a BC-like pack: K 22, grades 1-3 24, grades 4-7 30;
  * an average rule: grades 4-6 average at most 24.5;
  * fixed classes: a 5/6 and a K class locked;
  * tight teachers: the fewest that work, with the Ontario pack;
  * classes first: the ranking classes, composites, largest, spread.
--cli times the whole command line (Python start, imports, solve) on a version-1 K-6
school; --limits solves the problems at the contract's limits with a one-second limit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.optimization.extremes import extremes, with_limit  # noqa: E402
from tests.optimization.paths import EXAMPLES  # noqa: E402

K6 = ["K", "1", "2", "3", "4", "5", "6"]
K12 = K6 + ["7", "8", "9", "10", "11", "12"]
PRIMARY = ["K", "1", "2", "3"]


def school(grades: list[str], per_grade: tuple[int, int], teachers_slack: int,
           composites: str, seed: int, name: str, **extra) -> dict:
    """A generated school with the fewest teachers that work plus `teachers_slack`.
    composites: "adjacent" (every adjacent pair) or "none"."""
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
               "alternatives": 3, "time_limit_s": 30, **extra}
    return _with_teachers(problem, teachers_slack)


def _with_teachers(problem: dict, slack: int) -> dict:
    from optimization import solve  # imported late on purpose: main() times the import itself

    probe = solve({**problem, "teachers": 5000, "alternatives": 1, "fixed": []}
                  if "fixed" in problem else {**problem, "teachers": 5000, "alternatives": 1})
    least = probe["min_teachers"]
    problem["teachers"] = (least or 0) + slack + len(problem.get("fixed", []))
    return problem


def k6_school(seed: int, name: str, pack: dict, slack: int = 1) -> dict:
    """A K-6 school of 300-700 students, sizes 15 to the jurisdiction's maxima."""
    rng = random.Random(seed)
    total = rng.randint(300, 700)
    weights = [rng.uniform(0.8, 1.2) for _ in K6]
    rows = []
    for code, weight in zip(K6, weights):
        students = max(15, round(total * weight / sum(weights)))
        high = 29 if code == "K" else 25 if code in PRIMARY else 30
        rows.append({"code": code, "students": students, "min_class_size": 15,
                     "max_class_size": high})
    composites = [{"grades": [a, b]} for a, b in zip(K6, K6[1:]) if rng.random() < 0.6]
    if not any(c["grades"] == ["3", "4"] for c in composites):
        composites.append({"grades": ["3", "4"]})
    problem = {"name": f"{name} (seed {seed}, {total} students)", "teachers": 0,
               "composite_min_per_grade": 4, "grades": rows, "composites": composites,
               "alternatives": 3, "time_limit_s": 30, **pack}
    if "fixed" in pack:
        problem["fixed"] = _fixed_classes(problem, rng)
    return _with_teachers(problem, slack)


def _fixed_classes(problem: dict, rng: random.Random) -> list[dict]:
    grades = {g["code"]: g for g in problem["grades"]}
    fixed = [{"grades": {"K": min(20, grades["K"]["students"])}, "label": "Ms Ortiz's K"}]
    if any(c["grades"] == ["5", "6"] for c in problem["composites"]):
        fixed.append({"grades": {"5": rng.randint(8, 12), "6": rng.randint(10, 14)},
                      "label": "Mr Lee's 5/6"})
    return fixed


ONTARIO = {"rules": [
    {"kind": "cap", "grades": PRIMARY, "size": 23, "label": "No primary class above 23"},
    {"kind": "share", "grades": PRIMARY, "size": 20, "share": 0.9,
     "label": "90% of primary classes at 20 or fewer"}]}
BC = {"rules": [
    {"kind": "cap", "grades": ["K"], "size": 22, "label": "K at most 22"},
    {"kind": "cap", "grades": ["1", "2", "3"], "size": 24, "label": "Grades 1-3 at most 24"},
    {"kind": "cap", "grades": ["4", "5", "6"], "size": 30, "label": "Grades 4-7 at most 30"}]}
AVERAGE = {"rules": [{"kind": "average", "grades": ["4", "5", "6"], "average": 24.5,
                      "label": "Junior average at most 24.5"}]}
FIXED = {"fixed": [], "ranking": ["composites", "classes", "largest", "spread"]}
CLASSES_FIRST = {"ranking": ["classes", "composites", "largest", "spread"]}


def v2_cases() -> list[tuple[str, str, dict]]:
    cases = []
    for seed in range(3):
        cases.append(("Ontario pack", "K-6", k6_school(seed, "ontario", ONTARIO)))
        cases.append(("BC pack", "K-6", k6_school(10 + seed, "bc", BC)))
        cases.append(("average rule", "K-6", k6_school(20 + seed, "average", AVERAGE)))
        cases.append(("fixed classes", "K-6", k6_school(30 + seed, "fixed", FIXED)))
        cases.append(("tight, Ontario", "K-6", k6_school(40 + seed, "tight", ONTARIO, 0)))
        cases.append(("classes first", "K-6", k6_school(50 + seed, "classes first",
                                                       CLASSES_FIRST)))
    return cases


def v1_cases() -> list[tuple[str, str, dict]]:
    cases = []
    for seed in range(3):
        cases.append(("3 grades ~100", "small",
                      school(["K", "1", "2"], (25, 45), 1, "adjacent", seed, "small")))
    for seed in range(5):
        cases.append(("K-6 ~650", "K-6", school(K6, (80, 105), 1, "adjacent", seed, "k6")))
    for seed in range(3):
        cases.append(("K-12 ~2400 tight, adjacent", "K-12",
                      school(K12, (165, 205), 0, "adjacent", seed, "k12")))
    return cases


def example_cases() -> list[tuple[str, str, dict]]:
    return [(path.name, "example", json.loads(path.read_text()))
            for path in sorted(EXAMPLES.glob("*.json")) if path.name != "expected.json"]


def measure(label: str, problem: dict, repeat: int = 1) -> tuple[float, dict]:
    """Solves `repeat` times; the time is the best (the machine may be shared)."""
    from optimization import parse_problem, solve  # late on purpose: main() times the import itself

    times = []
    for _ in range(repeat):
        started = time.monotonic()
        result = solve(problem)
        times.append(time.monotonic() - started)
    seconds = min(times)
    stats = result.get("stats", {})
    try:
        ranking = parse_problem(problem).ranking
    except Exception:
        ranking = ()
    figures = ["/".join(str(len(p["classes"]) if c == "classes" else p[c]) for c in ranking)
               for p in result.get("plans", [])]
    print(f"{label[:58]:58s} {result['status']:10s} {stats.get('engine', '-'):5s} "
          f"build {stats.get('build_s', 0):6.3f}  solver {stats.get('solver_s', 0):6.3f}  "
          f"total {seconds:6.3f}  {' '.join(figures)}", flush=True)
    return seconds, result


def summary(title: str, runs: list[tuple[float, dict]]) -> None:
    times = [t for t, _ in runs]
    statuses = {}
    for _, result in runs:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    print(f"  -> {title}: {len(times)} problems, median {statistics.median(times):.3f} s, "
          f"worst {max(times):.3f} s, statuses {statuses}\n", flush=True)


def cli_run(problem: dict, bytecode: bool = True) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(problem, handle)
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "optimization", "solve", handle.name],
                   cwd=ROOT, check=False, capture_output=True, env=env)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="also time the command line")
    parser.add_argument("--limits", action="store_true", help="also the contract's limits")
    parser.add_argument("--only", choices=["v1", "v2", "examples"])
    parser.add_argument("--repeat", type=int, default=3, help="solves per problem (best)")
    args = parser.parse_args()
    started = time.monotonic()
    import numpy  # noqa: F401
    import pyomo.environ  # noqa: F401  (imports timed apart from the solves)

    import optimization  # noqa: F401
    import optimization.mip  # noqa: F401

    print(f"imports: {time.monotonic() - started:.3f} s\n")
    groups = {"examples": example_cases, "v1": v1_cases, "v2": v2_cases}
    for name, make in groups.items():
        if args.only and args.only != name:
            continue
        print(f"== {name}")
        by_size: dict[str, list] = {}
        for label, size, problem in make():
            by_size.setdefault(size, []).append(measure(label, problem, args.repeat))
        for size, runs in by_size.items():
            summary(f"{name} {size}", runs)
    if args.cli:
        k6 = school(K6, (80, 105), 1, "adjacent", 0, "k6")
        with_cache = [cli_run(k6) for _ in range(7)]
        without = [cli_run(k6, bytecode=False) for _ in range(5)]
        print(f"command line, v1 K-6 school, end to end: median {statistics.median(with_cache):.3f} s"
              f" (best {min(with_cache):.3f} s); without bytecode cache "
              f"(PYTHONDONTWRITEBYTECODE=1): median {statistics.median(without):.3f} s")
    if args.limits:
        print("== limits (time_limit_s 1; the answer is due within 2 s of solve time)")
        for name, problem in with_limit(extremes(), 1.0).items():
            measure(name, problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
