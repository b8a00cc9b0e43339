"""Formats a new revision file with ruff: Alembic's post-write hook (see alembic.ini).

Ruff is a development dependency. Where it is not installed (a production install),
the revision is kept as Alembic wrote it and a note says so, instead of failing the
``alembic revision`` command after the file was written.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path


def ruff_binary() -> str | None:
    if importlib.util.find_spec("ruff") is None:
        return None
    from ruff import find_ruff_bin

    try:
        return find_ruff_bin()
    except FileNotFoundError:
        return None


def format_revision(*paths: Path) -> bool:
    """Sort the imports and format ``paths`` (one ruff run of each kind for them all);
    False when ruff is not installed."""
    ruff = ruff_binary()
    if ruff is None:
        return False
    for arguments in (["check", "--fix", "--select", "I", "--quiet"], ["format", "--quiet"]):
        subprocess.run([ruff, *arguments, "--no-cache", *map(str, paths)], check=True)
    return True


if __name__ == "__main__":
    for name in sys.argv[1:]:
        if not format_revision(Path(name)):
            print(f"note: ruff is not installed; {name} was left unformatted.")
