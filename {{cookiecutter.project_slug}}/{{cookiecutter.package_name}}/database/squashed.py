"""What ``squash`` left behind, read by every build: the revisions it replaced.

``squash`` (a development command, left out of the image) moves the revisions it replaces
to ``alembic/squashed/<baseline id>/``. A database still at one of them cannot be upgraded
by this build: this module tells env.py{% if cookiecutter.web_framework == "fastapi" %} and ``/ready``{% endif %} so, and why.
"""

import ast
from collections.abc import Iterable

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT

SQUASHED_DIR = PROJECT_ROOT / "alembic" / "squashed"


def left_behind(current: Iterable[str], scripts: ScriptDirectory) -> str | None:
    """What to tell a database at a revision that ``squash`` replaced, or None.

    Alembic alone says only "Can't locate revision". The files under ``alembic/squashed/``
    are read only for a revision that ``alembic/versions`` does not know.
    """
    unknown = [revision for revision in current if not known(scripts, revision)]
    baselines = squashed_revisions() if unknown else {}
    for revision in unknown:
        if revision in baselines:
            baseline = baselines[revision]
            return (
                f"the database is at revision {revision}, which squash replaced: it was"
                f" squashed into baseline {baseline} (the old revisions are in"
                f" alembic/squashed/{baseline}/), and this build cannot upgrade from it."
                f" Upgrade this database to {baseline} with a build from before the squash,"
                " or recreate it (README: Squash old revisions into one baseline)"
            )
    return None


def known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def squashed_revisions() -> dict[str, str]:
    """The id of each revision under ``alembic/squashed/``, with the baseline it went into
    (its folder's name). Read from the files' text: their code is not run."""
    found = {}
    for path in sorted(SQUASHED_DIR.glob("*/*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(name, ast.Name) and name.id == "revision" for name in targets):
                    if isinstance(node.value, ast.Constant):
                        found[node.value.value] = path.parent.name
    return found
