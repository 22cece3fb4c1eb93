"""`make` and the embedded PostgreSQL survive what an interrupted run leaves, and Ctrl-C of the
app stops it cleanly (trust issue, item 14).

Stopping `make run` once left pgserver's handle file `var/pgdata/.handle_pids.json` empty, after
which `make stop-db`, `make run`, `make test` and `make clean` all crashed while PostgreSQL kept
running. These tests damage the file (and postmaster.pid) in a private var/ folder and run the
real make targets against it; `make run` and `make test` start through `make prepare`.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import embedded_postgres

ROOT = Path(__file__).resolve().parents[2]


def make(target: str, var: Path, timeout=180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MAKEFLAGS", "MFLAGS")}
    env["CLASSPLAN_VAR_DIR"] = str(var)
    result = subprocess.run(["make", "-s", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 0, output
    return result


def running(pgdata: Path) -> bool:
    return embedded_postgres.running_postmaster(pgdata) is not None


@pytest.fixture
def var(tmp_path_factory):
    var = tmp_path_factory.mktemp("make") / "var"
    yield var
    if (var / "pgdata").exists():
        embedded_postgres.stop(var / "pgdata")


def test_every_make_target_recovers_from_damaged_or_stale_handle_and_pid_files(var):
    pgdata = var / "pgdata"
    handle = pgdata / embedded_postgres.HANDLE_FILE
    pid_file = pgdata / embedded_postgres.PID_FILE
    make("prepare", var)  # what `make run`, `make test` and `make migrate` start with
    assert running(pgdata) and (var / "secret-key").exists()

    handle.write_text("")  # what an interrupted `make run` left behind
    assert "Stopped the embedded PostgreSQL" in make("stop-db", var).stdout
    assert not running(pgdata)
    assert "not running" in make("stop-db", var).stdout  # stopping twice is fine too

    handle.write_text('[12, "')  # cut off mid-write
    make("prepare", var)
    assert running(pgdata) and isinstance(json.loads(handle.read_text()), list)

    handle.write_text(json.dumps([2**22 + 7, 2**22 + 9]))  # processes that ended long ago
    make("prepare", var)
    assert json.loads(handle.read_text()) == []

    pid_file.write_text(pid_file.read_text().splitlines()[0] + "\n")  # damaged while the server runs
    make("stop-db", var)
    assert not running(pgdata)

    pid_file.write_text(f"{2**22 + 11}\n{pgdata}\n0\n\n{pgdata}\n\n0 0\nready\n")  # a server that is gone
    handle.write_text("null")
    make("prepare", var)
    assert running(pgdata)

    handle.write_text("{}")
    make("clean", var)
    assert not var.exists() and not running(pgdata)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_ctrl_c_stops_the_web_server_and_the_worker_cleanly(tmp_path):
    """`make run`'s processes (config/Procfile.dev under honcho) get Ctrl-C as a terminal sends it:
    SIGINT to the whole foreground process group. Everything stops, with no traceback."""
    from django.db import connection

    db = connection.settings_dict
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", SECRET_KEY="c" * 60, RUN_PORT=str(port),
               CLASSPLAN_VAR_DIR=str(tmp_path / "var"), CELERY_BROKER_URL="filesystem://",
               CELERY_BROKER_FILESYSTEM_DIR=str(tmp_path / "broker"), PYTHONUNBUFFERED="1",
               DATABASE_URL=f"postgres://{db['USER']}@/{db['NAME']}" if str(db["HOST"]).startswith("/")
               else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}")
    if str(db["HOST"]).startswith("/"):
        env["PGHOST"] = str(db["HOST"])
    log = tmp_path / "run.log"
    with log.open("w") as out:
        app = subprocess.Popen([str(Path(sys.executable).parent / "honcho"), "-f", "config/Procfile.dev", "start"],
                               cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            text = log.read_text()
            if "Quit the server with CONTROL-C" in text and "ready." in text:
                break
            assert app.poll() is None, text
            time.sleep(0.2)
        else:
            raise AssertionError(log.read_text())
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # it serves, on 127.0.0.1
        os.killpg(app.pid, signal.SIGINT)
        app.wait(timeout=60)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
    text = log.read_text()
    assert "Traceback" not in text and "Error" not in text, text
    children = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", text)]
    assert len(children) == 3, text  # the web server and the two workers, each in its own process group
    deadline = time.monotonic() + 30
    for group in [app.pid, *children]:
        while time.monotonic() < deadline and group_alive(group):
            time.sleep(0.2)
        assert not group_alive(group), text  # nothing is left running


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
