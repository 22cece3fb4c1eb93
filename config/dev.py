"""What `make` prepares before the app or the tests run (settings themselves do nothing).

    python -m config.dev prepare   # var/ folders, the development secret key, the embedded
                                   # PostgreSQL (only when DATABASE_URL is unset)
    python -m config.dev stop-db   # stop the embedded PostgreSQL

The development secret key is random, generated on the first run and kept in var/secret-key
(readable by its owner only); it is never a constant in the code, so nobody who can reach a
developer's server can sign a school-switch link with a published key.
"""

import os
import secrets
import sys
from pathlib import Path

from config import embedded_postgres

ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("CLASSPLAN_VAR_DIR", ROOT / "var"))


def secret_key_ensure(path: Path) -> bool:
    """Write a random key to `path` unless a usable one is there; True when it wrote one."""
    try:
        if len(path.read_text().strip()) >= 50:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50) + "\n")
    os.chmod(path, 0o600)
    return True


def folders_ensure(var: Path) -> None:
    for sub in ("staticfiles", "reports", "broker/queue", "broker/processed", "broker/control"):
        (var / sub).mkdir(parents=True, exist_ok=True)


def prepare() -> None:
    var = var_dir()
    folders_ensure(var)
    if secret_key_ensure(var / "secret-key"):
        print(f"Generated a random development secret key in {var / 'secret-key'}.")
    if not os.environ.get("DATABASE_URL"):
        embedded_postgres.start(var / "pgdata")


def main(argv: list[str]) -> int:
    action = argv[0] if argv else ""
    if action == "prepare":
        prepare()
    elif action == "stop-db":
        stopped = embedded_postgres.stop(var_dir() / "pgdata")
        print("Stopped the embedded PostgreSQL." if stopped else "The embedded PostgreSQL is not running.")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
