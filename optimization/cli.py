"""python -m optimization solve PROBLEM.json [-o OUT.json]

Only the result JSON goes to stdout. Exit 0 when a result was produced (infeasible
included), 2 when the problem is invalid (with a one-line reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import solve


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
        with open(args.problem, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        print(f"Cannot read {args.problem}: {error.strerror}.", file=sys.stderr)
        return 2
    except json.JSONDecodeError as error:
        result = {"name": "", "status": "invalid", "errors": [f"Not valid JSON: {error}."]}
    else:
        result = solve(data, started=started)

    text = json.dumps(result, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if result["status"] == "invalid":
        errors = result["errors"]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        print(f"Invalid problem: {errors[0]}{more}", file=sys.stderr)
        return 2
    return 0
