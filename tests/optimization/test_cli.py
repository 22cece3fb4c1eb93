"""The command line answers every file with the contract's JSON and at most one line on
stderr: exit 0 with a result, exit 2 with status "invalid" naming the reason; never a
traceback, whatever the file holds."""

import json
import random
import subprocess
import sys

import pytest

from optimization.cli import main

from .paths import EXAMPLES, REPO

HILLVIEW = (EXAMPLES / "hillview.json").read_text()


def run_main(capsys, path):
    code = main(["solve", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_invalid(code, out, err):
    assert code == 2
    result = json.loads(out)
    assert result["status"] == "invalid" and result["errors"]
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


CONTENTS = {
    "latin-1": HILLVIEW.replace("Hillview", "Hillvi\u00e9w").encode("latin-1"),
    "utf-16": HILLVIEW.encode("utf-16"),
    "utf-8 with a byte order mark": b"\xef\xbb\xbf" + HILLVIEW.encode(),
    "binary": bytes(random.Random(0).randrange(256) for _ in range(4096)),
    "empty": b"",
    "whitespace": b"  \n ",
    "100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "deep inside a field": b'{"name": ' + b"[" * 50 + b"]" * 50 + b"}",
    "5,000-digit integer": b'{"teachers": ' + b"7" * 5000 + b', "grades": []}',
    "a number too large for a float": b'{"teachers": 1e400, "grades": []}',
    "NaN": b'{"teachers": NaN, "grades": []}',
    "Infinity time": HILLVIEW.replace('"time_limit_s": 10', '"time_limit_s": Infinity')
    .replace('"alternatives"', '"time_limit_s": Infinity, "alternatives"').encode(),
    "truncated": HILLVIEW[:len(HILLVIEW) // 2].encode(),
    "a list": b"[1, 2, 3]",
    "a string": b'"problem"',
    "null bytes": b'{"name": "a\x00b"}',
    "unpaired surrogate": b'{"name": "\\ud800", "teachers": 1, "grades": []}',
    "duplicate grades key": b'{"teachers": 1, "grades": [], "grades": 5}',
    "too large a file": b" " * 5_000_001 + b"{}",
}


@pytest.mark.parametrize("name", sorted(CONTENTS))
def test_unusable_files_are_invalid_in_one_line(name, tmp_path, capsys):
    path = tmp_path / "problem.json"
    path.write_bytes(CONTENTS[name])
    assert_invalid(*run_main(capsys, path))


def test_a_missing_file_and_a_folder(tmp_path, capsys):
    assert_invalid(*run_main(capsys, tmp_path / "absent.json"))
    assert_invalid(*run_main(capsys, tmp_path))


def _mutations(seed: int, count: int):
    """A valid problem with one value replaced by something strange, `count` times."""
    rng = random.Random(seed)
    strange = [None, True, -1, 0, 2 ** 70, 1.5, float("inf"), "", "x" * 300, [], {}, [[[]]],
               {"a": 1}, "NaN", -0.0, [1, 2], "K"]
    for _ in range(count):
        data = json.loads(HILLVIEW)
        target, key = rng.choice([(data, "teachers"), (data, "name"), (data, "alternatives"),
                                  (data["grades"][0], "students"), (data["grades"][1], "code"),
                                  (data["grades"][2], "max_class_size"),
                                  (data["composites"][1], "min_per_grade"),
                                  (data["composites"][0], "grades"), (data, "grades"),
                                  (data, "rules"), (data, "fixed"), (data, "ranking")])
        target[key] = rng.choice(strange)
        yield data


@pytest.mark.parametrize("seed", range(3))
def test_strange_values_give_a_result_or_one_line(seed, tmp_path, capsys):
    for number, data in enumerate(_mutations(seed, 25)):
        path = tmp_path / f"m{number}.json"
        path.write_text(json.dumps(data, allow_nan=True))
        code, out, err = run_main(capsys, path)
        result = json.loads(out)
        if code == 2:
            assert_invalid(code, out, err)
        else:
            assert code == 0 and err == ""
            assert result["status"] in ("optimal", "feasible", "timeout", "infeasible")


@pytest.mark.parametrize("name", ["100,000 deep", "binary", "5,000-digit integer"])
def test_the_real_command_line_never_prints_a_traceback(name, tmp_path):
    path = tmp_path / "problem.json"
    path.write_bytes(CONTENTS[name])
    run = subprocess.run([sys.executable, "-m", "optimization", "solve", str(path)],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert_invalid(run.returncode, run.stdout, run.stderr)


def test_writes_the_output_file(tmp_path, capsys):
    path, out = tmp_path / "school.json", tmp_path / "out.json"
    path.write_text(HILLVIEW)
    assert main(["solve", str(path), "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["status"] == "optimal"
