"""Running real commands against baked projects."""

from __future__ import annotations

import hashlib
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


def cookiecutter_cli(output_dir, *args, env=None):
    """The cookiecutter CLI with --no-input; the result is returned, never checked."""
    command = [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        str(TEMPLATE_DIR),
        "-o",
        str(output_dir),
        *args,
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def tree_snapshot(root):
    """Every file and folder under ``root`` with its bytes (files) or None (folders)."""
    return {
        path.relative_to(root).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        )
        for path in sorted(root.rglob("*"))
        if "__pycache__" not in path.parts
    }


def file_tree(root):
    """Relative path -> bytes of every file under ``root`` (no bytecode caches)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and ".git" not in path.relative_to(root).parts
    }
