"""A private PostgreSQL for development and tests when no database is configured.

pgserver (PyPI) bundles PostgreSQL 16 binaries, so a newcomer with no PostgreSQL
installed still gets real schemas. The server lives under `var/pgdata` and keeps
running between commands (`make stop-db` stops it).
"""

from pathlib import Path

DATABASE_NAME = "classplan"


def embedded_database(pgdata: Path) -> dict:
    """Start (or reuse) the server in `pgdata` and return Django DATABASES settings for it."""
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(pgdata),  # pgserver listens on a unix socket in its data folder
        "PORT": "",
    }


def stop(pgdata: Path) -> None:
    """Stop the server if it runs (for `make stop-db`)."""
    if not (pgdata / "postmaster.pid").exists():
        return
    import pgserver
    from pgserver._commands import pg_ctl

    server = pgserver.get_server(pgdata, cleanup_mode=None)
    pg_ctl(["-w", "stop"], pgdata=pgdata, user=server.system_user)


if __name__ == "__main__":
    import sys

    folder = Path(sys.argv[2] if len(sys.argv) > 2 else "var/pgdata").resolve()
    if sys.argv[1:2] == ["stop"]:
        stop(folder)
    else:
        print(embedded_database(folder))
