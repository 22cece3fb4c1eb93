"""python -m optimization solve PROBLEM.json [-o OUT.json]

Only the result JSON goes to stdout. Exit 0 when a result was produced (infeasible
included), 2 when the problem is invalid: then the result has status "invalid" and one
line goes to stderr. Whatever the file holds (another encoding, binary, JSON nested
100,000 deep, a 5,000-digit number, NaN), the answer is one of these, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

from . import solve

MAX_BYTES = 5_000_000
MAX_DEPTH = 4  # a problem's deepest values: rules[i].grades, fixed[i].grades
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")


class Unreadable(Exception):
    """The file is not a problem's JSON; the message is the one sentence to show."""


def read_problem(path: str):
    """The parsed JSON of a problem file, or Unreadable."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise Unreadable(f"{path} is larger than {MAX_BYTES:,} bytes; a problem is "
                             f"much smaller.")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise Unreadable(f"Cannot read {path}: {error.strerror or error}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{path} is not UTF-8 text; save the problem as UTF-8 JSON.") \
            from None
    depth = deepest(text)
    if depth > MAX_DEPTH:
        raise Unreadable(f"The JSON is nested {depth} levels deep; a problem is at most "
                         f"{MAX_DEPTH} deep.")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise Unreadable("The JSON is nested too deeply.") from None
    except ValueError as error:  # JSONDecodeError, a number too long, NaN
        reason = str(error).splitlines()[0][:200] if str(error) else "unreadable"
        raise Unreadable(f"Not valid JSON: {reason}.") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def deepest(text: str) -> int:
    """How deep brackets nest outside strings (a JSON syntax error may fool it; the
    parser reports those)."""
    depth = most = 0
    for bracket in BRACKETS.findall(STRINGS.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        most = max(most, depth)
    return most


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optimization",
                                     description="Plan a school's classes.")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve", help="solve a problem JSON file")
    solve_command.add_argument("problem", help="the problem JSON file")
    solve_command.add_argument("-o", "--output", help="write the result here, not stdout")
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        result = solve(read_problem(args.problem), started=started)
    except Unreadable as error:
        result = {"name": "", "status": "invalid", "errors": [str(error)]}
    except Exception as error:  # a bug: still one line, never a traceback
        print(f"Internal error ({type(error).__name__}): {str(error)[:200]}", file=sys.stderr)
        return 1

    text = json.dumps(result, indent=2) + "\n"
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as error:
            print(f"Cannot write {args.output}: {error.strerror or error}.", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    if result["status"] == "invalid":
        errors = result["errors"]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        print(f"Invalid problem: {errors[0]}{more}".replace("\n", " "), file=sys.stderr)
        return 2
    return 0
