"""Where the shared contract lives: $CLASSPLAN_SHARED, else a `shared` folder beside the
repository or beside any folder above it (a git worktree sits deeper than the main
checkout)."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _shared() -> Path:
    given = os.environ.get("CLASSPLAN_SHARED")
    if given:
        return Path(given)
    for folder in REPO.parents:
        if (folder / "shared" / "contract").is_dir():
            return folder / "shared"
    return REPO.parent / "shared"


SHARED = _shared()
CONTRACT = SHARED / "contract"
EXAMPLES = CONTRACT / "examples"
