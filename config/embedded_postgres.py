"""A private PostgreSQL for development and tests when no database is configured.

pgserver (PyPI) bundles PostgreSQL 16 binaries, so a newcomer with no PostgreSQL installed
still gets real schemas. The server lives under `var/pgdata` and keeps running between
commands. Only `make` starts or stops it (`python -m config.dev prepare` / `stop-db`, which
call `start` and `stop` here); settings only name it (`database_settings`).

Both recover from what an interrupted run can leave behind: pgserver's handle file
(`.handle_pids.json`) empty, unreadable or listing dead processes, and a `postmaster.pid` that
is damaged or names a server that is gone.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DATABASE_NAME = "classplan"
HANDLE_FILE = ".handle_pids.json"
PID_FILE = "postmaster.pid"


def database_settings(pgdata: Path) -> dict:
    """Django DATABASES settings for the server in `pgdata` (reads files only; starts nothing)."""
    return {
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(_socket_dir(Path(pgdata))),  # pgserver listens on a unix socket only
        "PORT": "",
    }


def _socket_dir(pgdata: Path) -> Path:
    """Where the running server's socket is: its data folder, unless that path was too long for
    a unix socket and pgserver chose another (line 5 of postmaster.pid says which)."""
    try:
        lines = (pgdata / PID_FILE).read_text().splitlines()
        if len(lines) >= 5 and lines[4].strip().startswith("/"):
            return Path(lines[4].strip())
    except (OSError, UnicodeDecodeError):
        pass
    return pgdata


def repair_handle_file(pgdata: Path) -> str | None:
    """Make pgserver's handle file a JSON list of live process ids again; says what it fixed.

    pgserver rewrites the file (non-atomically) whenever a process takes or drops a handle;
    a process killed mid-write leaves it empty or truncated, and pgserver then fails on every
    later start and stop.
    """
    path = Path(pgdata) / HANDLE_FILE
    if not path.exists():
        return None
    try:
        pids = json.loads(path.read_text())
        if not isinstance(pids, list) or not all(isinstance(p, int) for p in pids):
            raise ValueError(pids)
    except (ValueError, OSError, UnicodeDecodeError):
        path.write_text("[]")
        return f"{path} was damaged: reset"
    live = [pid for pid in pids if _alive(pid)]
    if live != pids:
        path.write_text(json.dumps(live))
        return f"{path} listed processes that have ended: removed them"
    return None


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


def _postmaster_from_pid_file(pgdata: Path) -> tuple[int | None, bool]:
    """(pid, readable): the pid postmaster.pid names, and whether the file is complete."""
    try:
        lines = (pgdata / PID_FILE).read_text().splitlines()
        return int(lines[0]), len(lines) >= 8
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None, False


def running_postmaster(pgdata: Path) -> int | None:
    """The pid of the server running on `pgdata`, whatever state its postmaster.pid is in."""
    import psutil

    pgdata = Path(pgdata).resolve()
    pid, _ = _postmaster_from_pid_file(pgdata)
    if pid and _alive(pid):
        try:
            if psutil.Process(pid).name() == "postgres":
                return pid
        except psutil.Error:
            pass
    for proc in psutil.process_iter(["name", "cmdline", "ppid"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.info.get("name") == "postgres" and str(pgdata) in cmdline:
            try:
                if psutil.Process(proc.info["ppid"]).name() == "postgres":
                    continue  # a backend, not the postmaster
            except psutil.Error:
                pass
            return proc.pid
    return None


def _signal_stop(pid: int, timeout: float = 20) -> None:
    """Fast shutdown by signal (SIGINT), then SIGKILL if it does not end in time."""
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _pid_file_repair(pgdata: Path, notes: list) -> int | None:
    """Remove a postmaster.pid that names no running server; restart-proof a damaged one."""
    pid_file = pgdata / PID_FILE
    running = running_postmaster(pgdata)
    if not pid_file.exists():
        return running
    _, readable = _postmaster_from_pid_file(pgdata)
    if running is None:
        pid_file.unlink(missing_ok=True)
        notes.append(f"{pid_file} named a server that is not running: removed")
    elif not readable:  # a server we cannot describe to pgserver: stop it and start afresh
        _signal_stop(running)
        pid_file.unlink(missing_ok=True)
        notes.append(f"{pid_file} was damaged: stopped the server (pid {running}) to start it again")
        running = None
    return running


def _quiet_pgserver():
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")


def start(pgdata: Path) -> dict:
    """Start (or reuse) the server in `pgdata`, create the database; its Django settings."""
    pgdata = Path(pgdata).resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    notes = []
    if pgdata.exists():
        notes += [n for n in [repair_handle_file(pgdata)] if n]
        _pid_file_repair(pgdata, notes)
    for note in notes:
        print(f"embedded PostgreSQL: {note}", file=sys.stderr)
    _quiet_pgserver()
    import pgserver

    server = pgserver.get_server(pgdata, cleanup_mode=None)  # keeps running after we exit
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return database_settings(pgdata)


def stop(pgdata: Path) -> bool:
    """Stop the server if it runs; True when one was stopped."""
    pgdata = Path(pgdata).resolve()
    if not pgdata.exists():
        return False
    notes = [n for n in [repair_handle_file(pgdata)] if n]
    running = _pid_file_repair(pgdata, notes)
    for note in notes:
        print(f"embedded PostgreSQL: {note}", file=sys.stderr)
    if running is None:
        return False
    _quiet_pgserver()
    from pgserver._commands import pg_ctl

    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except (subprocess.CalledProcessError, OSError):
        _signal_stop(running)
    deadline = time.monotonic() + 20
    while running_postmaster(pgdata) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    return True


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "start"
    folder = Path(argv[1] if len(argv) > 1 else "var/pgdata").resolve()
    if action == "start":
        print(start(folder)["HOST"])
    elif action == "stop":
        print("stopped" if stop(folder) else "not running")
    elif action == "status":
        pid = running_postmaster(folder)
        print(f"running (pid {pid})" if pid else "not running")
    else:
        print("usage: python -m config.embedded_postgres start|stop|status [PGDATA]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
