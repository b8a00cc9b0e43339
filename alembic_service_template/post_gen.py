"""After the files are written: the initial revision, then a summary and the next steps.

Nothing here fails the bake for a recoverable reason: cookiecutter would leave a
half-written project over the user's files (``-f``). When the revision cannot be made
the project is kept and the one command that makes it is printed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from . import initial_revision

# Poetry must build the project's own environment, not reuse one that is active.
_FOREIGN_ENVIRONMENT = ("VIRTUAL_ENV", "POETRY_ACTIVE", "PYTHONPATH")


class RevisionNotMade(Exception):
    pass


def fallback_command(plan: dict) -> str:
    """What makes the initial revision by hand, once Poetry is there: the bake's own
    builder, so the file is the one a bake writes (no database needed)."""
    builder = Path(initial_revision.__file__).resolve()
    return (
        f"poetry install && poetry run python {shlex.quote(str(builder))}"
        f" . {plan['package_name']} {plan['dialect']}"
    )


def existing_revisions(versions_dir: Path) -> list[Path]:
    return sorted(versions_dir.rglob("*.py"))


# The lowest version of each module the in-process path imports, as the baked
# pyproject.toml asks for it (tests/test_post_gen.py keeps the two in step).
IN_PROCESS_MINIMUMS = {"alembic": "1.20", "sqlalchemy": "2.1.5", "alembic_postgresql_enum": "1.11"}


def missing_for_in_process(dialect: str, installed: Mapping[str, str | None]) -> list[str]:
    """What an interpreter with ``installed`` (module: version, None when absent) lacks to
    make the revision itself, as the Poetry path would: Alembic, SQLAlchemy,
    alembic-postgresql-enum for PostgreSQL, each recent enough, and ruff, which formats the
    revision (without it the bake would fail its own ``ruff format --check``)."""
    needed = [
        "alembic",
        "sqlalchemy",
        *(["alembic_postgresql_enum"] if dialect == "postgresql" else []),
        "ruff",
    ]
    missing = []
    for module in needed:
        minimum = IN_PROCESS_MINIMUMS.get(module)
        if installed.get(module) is None:
            missing.append(module)
        elif minimum and release(installed[module]) < release(minimum):
            missing.append(f"{module}>={minimum}")
    return missing


def release(version: str) -> tuple[int, ...]:
    """``"1.20.1"`` → ``(1, 20, 1)``: the numbers a minimum is compared on."""
    return tuple(int(part) for part in re.findall(r"\d+", version.partition("+")[0])[:3])


def installed_versions(modules: Iterable[str]) -> dict[str, str | None]:
    """The installed version of each module's distribution in this interpreter, or None."""
    versions: dict[str, str | None] = {}
    for module in modules:
        try:
            versions[module] = importlib.metadata.version(module)
        except importlib.metadata.PackageNotFoundError:
            versions[module] = None
    return versions


def make_in_process(project_dir: Path, plan: dict) -> Path:
    try:
        return initial_revision.write_initial_revision(
            project_dir, plan["package_name"], plan["dialect"]
        )
    except Exception as error:  # any failure leaves a usable project and a command to run
        raise RevisionNotMade(f"{type(error).__name__}: {error}") from error


def make_through_poetry(project_dir: Path, plan: dict, poetry: str) -> Path:
    environment = {
        key: value for key, value in os.environ.items() if key not in _FOREIGN_ENVIRONMENT
    }
    commands = [
        [poetry, "install", "--no-interaction", "--no-ansi"],
        [
            poetry,
            "run",
            "python",
            initial_revision.__file__,
            str(project_dir),
            plan["package_name"],
            plan["dialect"],
        ],
    ]
    for command in commands:
        result = subprocess.run(
            command, cwd=project_dir, env=environment, capture_output=True, text=True
        )
        if result.returncode != 0:
            last_lines = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
            raise RevisionNotMade(f"'{' '.join(command[:3])}' failed:\n{last_lines}")
    return Path(result.stdout.strip().splitlines()[-1])


def make_initial_revision(project_dir: Path, plan: dict) -> tuple[Path, bool]:
    """The new revision, and whether the project was installed to make it."""
    installed = installed_versions([*IN_PROCESS_MINIMUMS, "ruff"])
    missing = missing_for_in_process(plan["dialect"], installed)
    if not missing:
        return make_in_process(project_dir, plan), False
    lacks = f"The Python running cookiecutter has no {', '.join(missing)}"
    poetry = shutil.which("poetry")
    if poetry is None:
        raise RevisionNotMade(f"{lacks}, and Poetry is not on PATH.")
    print(f"{lacks}.", "Installing the project with Poetry to create the initial revision...")
    return make_through_poetry(project_dir, plan, poetry), True


def next_steps(project_dir: Path, installed: bool) -> list[str]:
    return [
        f"cd {project_dir}",
        *([] if installed else ["poetry install"]),
        "poetry run alembic upgrade head",
    ]


# SQLite is a file on one machine: said after the next steps of a SQLite project.
SQLITE_REPLICAS_NOTE = (
    "Note: SQLite is a file on one machine. Several replicas of the service need a server\n"
    "database (PostgreSQL or MySQL), and the Kubernetes manifests in k8s/ assume one\n"
    '(README.md, "Deploy to Kubernetes").'
)


def main(plan: dict) -> int:
    project_dir = Path.cwd()
    # .env holds the database password: readable by its owner only, on every (re-)bake.
    (project_dir / ".env").chmod(0o600)
    versions_dir = project_dir / "alembic" / "versions"
    existing = existing_revisions(versions_dir)
    installed = False
    if existing:
        print(f"alembic/versions already holds {len(existing)} revision file(s); kept as they are.")
    else:
        try:
            revision, installed = make_initial_revision(project_dir, plan)
        except RevisionNotMade as reason:
            print(f"The initial revision was not created: {reason}")
            print("The project is complete otherwise. To create it, run:")
            print(f"  cd {shlex.quote(str(project_dir))} && {fallback_command(plan)}")
            return 0
        print(f"Created the initial revision {revision.relative_to(project_dir)}.")
    (versions_dir / ".gitkeep").unlink(missing_ok=True)
    print(f"\n{plan['project_slug']} is ready. Next steps:")
    for step in next_steps(project_dir, installed):
        print(f"  {step}")
    if plan["dialect"] == "sqlite":
        print(f"\n{SQLITE_REPLICAS_NOTE}")
    return 0
