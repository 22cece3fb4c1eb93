"""`make test`: the Django suite and the optimizer's suite (no Django at all), in parallel.

    python tests/run.py [--django-args "..."] [--optimizer-args "..."]

The optimizer's suite runs as its own pytest process with its own pytest.ini while the Django
suite runs in the foreground; its output is printed when it ends. Then the import-linter
contracts (when `.importlinter` exists), each part's wall time, and one closing line with the
counts of both suites ("Total: N passed, N failed, ..."). Exits non-zero when anything failed
or when no test ran at all.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
OPTIMIZER_DIR = "tests/optimization"
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")
SUMMARY = re.compile(r"^=+ .*\b(passed|failed|skipped|errors?|no tests ran)\b.* in [\d.]+s")


def django_command(args: list[str]) -> list[str]:
    return [PY, "-m", "pytest", "-c", "tests/pytest.ini", "--rootdir", ".", "--ds", "config.settings.test",
            "--ignore", OPTIMIZER_DIR, *args]


def optimizer_command(args: list[str]) -> list[str]:
    return [PY, "-m", "pytest", "-c", f"{OPTIMIZER_DIR}/pytest.ini", "--rootdir", ".",
            "--confcutdir", OPTIMIZER_DIR, "-p", "no:django", *(args or [OPTIMIZER_DIR])]


def counts(output: str) -> dict:
    """The counts on pytest's closing summary line."""
    for line in reversed(output.splitlines()):
        if SUMMARY.search(line):
            found = {}
            for number, word in COUNT.findall(line):
                word = "errors" if word.startswith("error") else word
                found[word] = found.get(word, 0) + int(number)
            return found
    return {}


def pytest_seconds(output: str) -> float | None:
    """The duration on pytest's closing summary line ("... in 41.20s")."""
    for line in reversed(output.splitlines()):
        if SUMMARY.search(line):
            found = re.search(r" in ([\d.]+)s", line)
            return float(found.group(1)) if found else None
    return None


def run_streamed(command: list[str], env: dict) -> tuple[int, str]:
    """Run in the foreground, printing as it goes; returns (exit code, output)."""
    lines = []
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, bufsize=1) as proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return proc.returncode, "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--django-args", default="")
    parser.add_argument("--optimizer-args", default="")
    options = parser.parse_args()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the Django suite names its own; the optimizer's has none
    started = time.monotonic()
    results = {}

    optimizer = None
    if (ROOT / OPTIMIZER_DIR / "pytest.ini").exists():
        log = tempfile.TemporaryFile("w+")
        # niced: it is pure CPU, while the Django suite often waits (browser, workers,
        # subprocesses) and should get the CPU whenever it has work
        optimizer = subprocess.Popen(optimizer_command(shlex.split(options.optimizer_args)), cwd=ROOT, env=env,
                                     stdout=log, stderr=subprocess.STDOUT, text=True,
                                     preexec_fn=lambda: os.nice(10))
        optimizer_started = time.monotonic()

    print("== Django suite", flush=True)
    code, output = run_streamed(django_command(shlex.split(options.django_args)), env)
    results["Django suite"] = (code, counts(output), pytest_seconds(output) or time.monotonic() - started)

    if optimizer is not None:
        code = optimizer.wait()
        log.seek(0)
        output = log.read()
        optimizer_time = pytest_seconds(output) or time.monotonic() - optimizer_started
        print(f"\n== Optimizer suite (ran in parallel, without Django: {OPTIMIZER_DIR}/pytest.ini)")
        print(output.rstrip())
        results["Optimizer suite"] = (code, counts(output), optimizer_time)

    if (ROOT / ".importlinter").exists():
        print("\n== Import contracts (lint-imports)", flush=True)
        linter = shutil.which("lint-imports", path=str(Path(PY).parent)) or shutil.which("lint-imports")
        lint_started = time.monotonic()
        if linter is None:
            print("lint-imports is not installed (tests/requirements.txt lists import-linter)")
            code = 1
        else:
            code = subprocess.run([linter], cwd=ROOT, env=env).returncode
        results["Import contracts"] = (code, {}, time.monotonic() - lint_started)

    total = {}
    failed = False
    print()
    for name, (code, found, seconds) in results.items():
        for word, number in found.items():
            total[word] = total.get(word, 0) + number
        # pytest's 5 is "no tests collected": fine for one part (e.g. PYTEST_ARGS picked none there)
        failed |= code not in (0, 5)
        shown = ", ".join(f"{n} {w}" for w, n in found.items()) or ("ok" if code == 0 else f"exit code {code}")
        print(f"{name}: {shown} in {seconds:.0f} s")
    print(f"Whole run: {time.monotonic() - started:.0f} s (wall time)")
    ran = sum(total.get(w, 0) for w in ("passed", "failed", "xfailed", "xpassed", "errors"))
    if ran == 0:
        print("No test ran.")
        failed = True
    line = f"{total.get('passed', 0)} passed, {total.get('failed', 0) + total.get('errors', 0)} failed"
    if total.get("skipped"):
        line += f", {total['skipped']} skipped"
    print(f"Total: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
