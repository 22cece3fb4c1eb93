"""Fault injection with real processes: a Redis of the test's own, table locks, killed processes."""

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from django.db import connection

from tests.workers import wait_for

# short intervals for the worker processes of these tests (settings read from the environment)
FAST_JOBS = {"JOB_HEARTBEAT_S": "0.3", "JOB_DEAD_AFTER_S": "3", "JOB_REDISPATCH_AFTER_S": "1",
             "JOB_DISPATCH_INTERVAL_S": "0.5", "JOB_SAVE_RETRY_S": "0.3,0.5,1,2,4"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test only (never the machine's), stopped and started at will."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="test-redis-"))
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=20, every=0.05)

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def stop(self):
        """Gone at once, without saving anything (a crash, or a restart that loses its data)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def dsn() -> str:
    db = connection.settings_dict
    host = db["HOST"] or ""
    return f"host={host} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"


@contextlib.contextmanager
def table_locked(schema: str, table: str):
    """Hold an ACCESS EXCLUSIVE lock on `schema.table` from another connection: whoever touches
    the table waits until the block ends. Yields a function listing the backends waiting for it."""
    holder = psycopg.connect(dsn())
    holder.execute(f'LOCK TABLE "{schema}"."{table}" IN ACCESS EXCLUSIVE MODE')

    def waiting() -> list[int]:
        rows = holder.execute(
            "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
            [f'"{schema}"."{table}"']).fetchall()
        return [pid for (pid,) in rows]

    try:
        yield waiting
    finally:
        holder.rollback()
        holder.close()


def terminate_backend(pid: int) -> None:
    """`pg_terminate_backend`: the connection of a process is cut by the database."""
    with psycopg.connect(dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def kill_tree(pid: int) -> None:
    """SIGKILL a worker's main process and its pool processes at once (nothing can clean up)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(p) for p in (task / "children").read_text().split()]
    for victim in [pid, *children]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
