"""Running real commands against baked projects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# Console scripts installed next to the interpreter running the tests (cookiecutter, poetry, ruff).
BIN_DIR = Path(sys.executable).parent
# Poetry resolves through PyPI's simple index (poetry-plugin-pypi-mirror): some networks'
# proxies serve only that. Each baked project keeps its virtualenv inside it, so nothing
# outlives the test's temporary folder.
POETRY_ENV = {
    "POETRY_PYPI_MIRROR_URL": os.environ.get("POETRY_PYPI_MIRROR_URL", "https://pypi.org/simple/"),
    "POETRY_VIRTUALENVS_IN_PROJECT": "true",
    "POETRY_NO_INTERACTION": "1",
}


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True):
    """Run ``command``; on an unexpected exit, fail with everything it printed."""
    full_env = {
        **os.environ,
        **POETRY_ENV,
        "PATH": f"{BIN_DIR}{os.pathsep}{os.environ['PATH']}",
        **(env or {}),
    }
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def alembic(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    """The real Alembic CLI in ``project``, as ``poetry run alembic`` would run it."""
    return run([sys.executable, "-m", "alembic", *args], cwd=project, env=env, check=check)


def revision_files(project: Path) -> list[Path]:
    return sorted((project / "alembic" / "versions").rglob("*.py"))


def add_resource(project: Path, package: str, name: str, body: str) -> Path:
    """Add ``<package>/api/resources/<name>/models.py``, as a user adding a resource would."""
    resource = project / package / "api" / "resources" / name
    resource.mkdir(parents=True)
    (resource / "__init__.py").write_text("")
    models = resource / "models.py"
    models.write_text(body)
    return models
