"""What the post-generation hook leaves behind besides the revision: file modes, next steps,
and what it says when the Python running cookiecutter cannot make the revision itself."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from alembic_service_template.post_gen import (
    IN_PROCESS_MINIMUMS,
    missing_for_in_process,
    next_steps,
)
from tests.helpers import BIN_DIR, TEMPLATE_DIR, cookiecutter_cli, initial_revision, run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dot_env_is_private_on_every_bake(tmp_path):
    url = "database_url=postgresql+psycopg://app:s3cret@localhost/app"
    assert cookiecutter_cli(tmp_path, url).returncode == 0
    project = tmp_path / "my-service"
    assert mode(project / ".env") == 0o600
    assert mode(project / ".env.example") == 0o644

    (project / ".env").chmod(0o644)
    rebake = cookiecutter_cli(tmp_path, url, "-f", "-s")
    assert rebake.returncode == 0, rebake.stdout + rebake.stderr
    assert mode(project / ".env") == 0o600


def test_next_steps_skip_an_install_the_bake_already_did():
    project = Path("/srv/my-service")
    assert next_steps(project, installed=False) == [
        "cd /srv/my-service",
        "poetry install",
        "poetry run alembic upgrade head",
    ]
    assert next_steps(project, installed=True) == [
        "cd /srv/my-service",
        "poetry run alembic upgrade head",
    ]


RECENT = {"alembic": "1.20.1", "sqlalchemy": "2.1.9", "alembic_postgresql_enum": "1.11.0"}


@pytest.mark.parametrize(
    ("dialect", "installed", "lacking"),
    [
        ("sqlite", {**RECENT, "ruff": "0.17.6"}, []),
        ("sqlite", {**RECENT, "alembic_postgresql_enum": None, "ruff": "0.17.6"}, []),
        ("postgresql", {**RECENT, "alembic_postgresql_enum": None, "ruff": None},
         ["alembic_postgresql_enum", "ruff"]),
        ("sqlite", {**RECENT, "alembic": "1.17.2", "ruff": "0.17.6"}, ["alembic>=1.20"]),
        ("sqlite", {**RECENT, "alembic": "1.9.0", "ruff": "0.17.6"}, ["alembic>=1.20"]),
        ("sqlite", {**RECENT, "sqlalchemy": "2.0.44", "ruff": "0.17.6"}, ["sqlalchemy>=2.1.5"]),
        ("sqlite", {**RECENT, "sqlalchemy": "1.4.54", "ruff": "0.17.6"}, ["sqlalchemy>=2.1.5"]),
        # unmapped_column, which the README's contract step uses, came with 2.1.5.
        ("sqlite", {**RECENT, "sqlalchemy": "2.1.4", "ruff": "0.17.6"}, ["sqlalchemy>=2.1.5"]),
        ("sqlite", {**RECENT, "sqlalchemy": "2.1.5", "ruff": "0.17.6"}, []),
        ("postgresql", {**RECENT, "alembic_postgresql_enum": "1.10.3", "ruff": "0.17.6"},
         ["alembic_postgresql_enum>=1.11"]),
        ("sqlite", {"alembic": None, "sqlalchemy": None, "ruff": None},
         ["alembic", "sqlalchemy", "ruff"]),
    ],
)  # fmt: skip
def test_the_in_process_path_needs_each_module_recent_enough(dialect, installed, lacking):
    assert missing_for_in_process(dialect, installed) == lacking


def test_the_in_process_minimums_are_the_baked_projects_lower_bounds():
    pyproject = (TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "pyproject.toml").read_text()
    for module, minimum in IN_PROCESS_MINIMUMS.items():
        distribution = module.replace("_", "-")
        bound = re.search(rf'"{distribution}(?:\[\w+\])? \(>=([\d.]+),', pyproject)
        assert bound, f"{distribution} has no lower bound in the baked pyproject.toml"
        assert bound.group(1) == minimum


@pytest.fixture(scope="module")
def cookiecutter_without_ruff(tmp_path_factory):
    """cookiecutter in a virtualenv that has SQLAlchemy and an Alembic older than the
    project's, and neither ruff nor alembic-postgresql-enum."""
    venv = tmp_path_factory.mktemp("cookiecutter-no-ruff") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    packages = ["cookiecutter==2.7.1", "alembic==1.17.2", "sqlalchemy==2.1.9"]
    run([python, "-m", "pip", "install", "-q", *packages], cwd=venv)
    for module in ("ruff", "alembic_postgresql_enum"):
        probe = run([python, "-c", f"import {module}"], cwd=venv, check=False)
        assert probe.returncode != 0, f"{module} must not be importable next to cookiecutter"
    return venv / "bin" / "cookiecutter"


@pytest.mark.parametrize(
    ("database_url", "lacking"),
    [
        ("sqlite:///my_service.db", "alembic>=1.20, ruff"),
        (
            "postgresql+psycopg://app@127.0.0.1:9/app",
            "alembic>=1.20, alembic_postgresql_enum, ruff",
        ),
    ],
)
def test_a_python_without_ruff_bakes_through_poetry_and_says_what_it_lacks(
    cookiecutter_without_ruff, tmp_path, database_url, lacking
):
    # Poetry (next to the test interpreter) is on PATH; ruff's binary there too, but the
    # Python running cookiecutter cannot import it.
    path = os.pathsep.join(
        [str(cookiecutter_without_ruff.parent), str(BIN_DIR), "/usr/bin", "/bin"]
    )
    bake = run(
        [
            str(cookiecutter_without_ruff),
            "--no-input",
            str(TEMPLATE_DIR),
            "-o",
            str(tmp_path),
            f"database_url={database_url}",
        ],
        cwd=tmp_path,
        env={"PATH": path},
    )
    assert (
        f"The Python running cookiecutter has no {lacking}."
        " Installing the project with Poetry to create the initial revision..."
    ) in bake.stdout, bake.stdout
    assert "Alembic is not importable" not in bake.stdout
    project = tmp_path / "my-service"
    initial_revision(project)
    poetry = str(BIN_DIR / "poetry")
    run([poetry, "run", "ruff", "format", "--check", "."], cwd=project)
    run([poetry, "run", "ruff", "check", "."], cwd=project)
