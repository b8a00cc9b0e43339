"""The baked CI workflow, run here: every ``run:`` step of a PostgreSQL and of a SQLite
project's workflow, in order, as GitHub's runner would (``bash -eo pipefail``), the
PostgreSQL job's service database swapped for the test PostgreSQL. The ``uses:`` steps
have local equivalents: the baked folder is the checkout, and a fresh virtualenv of the
project's Python is setup-python's interpreter (its Poetry cache starts empty).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.helpers import (
    BIN_DIR,
    TEMPLATE_DIR,
    child_environment,
    find_interpreter,
    package_index_url,
)

PYTHON_VERSION = "3.12"
ACTIONS = {"actions/checkout", "actions/setup-python"}
STEP_TIMEOUT = 900


@pytest.fixture
def pg_project(tmp_path) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={
                "database_url": "postgresql+psycopg://app:secret@127.0.0.1:9/app",
                "python_version": PYTHON_VERSION,
            },
            output_dir=str(tmp_path / "checkout"),
        )
    )


def job_environment(workflow_env: dict, postgres_server, database: str) -> dict[str, str]:
    """The job's variables, each pointed at the test server instead of the service container."""
    test_database = f"{database}_test"
    assert workflow_env["DATABASE_URL"].endswith(f"/{database}")
    assert workflow_env["TEST_DATABASE_URL"].endswith(f"/{test_database}")
    replaced = {
        "DATABASE_URL": postgres_server.create_database(database),
        # Created by the workflow's own step.
        "TEST_DATABASE_URL": postgres_server.url(test_database),
        "PGHOST": postgres_server.host,
        "PGPORT": str(postgres_server.port),
        "PGUSER": postgres_server.role,
        "PGPASSWORD": postgres_server.password,
    }
    assert set(workflow_env) == set(replaced), "a variable of the job this test does not know"
    return replaced


def runner_environment(tmp_path: Path) -> dict[str, str]:
    """setup-python's interpreter first on PATH, pipx's programs next, then the system's."""
    interpreter = find_interpreter(PYTHON_VERSION)
    assert interpreter, f"no Python {PYTHON_VERSION} on this machine"
    setup_python = tmp_path / "setup-python"
    subprocess.run([interpreter, "-m", "venv", str(setup_python)], check=True)
    pipx_bin = tmp_path / "pipx-bin"
    return {
        "PATH": os.pathsep.join(
            [str(setup_python / "bin"), str(pipx_bin), str(BIN_DIR), "/usr/bin", "/bin"]
        ),
        "PIPX_HOME": str(tmp_path / "pipx-home"),
        "PIPX_BIN_DIR": str(pipx_bin),
        "PIP_INDEX_URL": package_index_url(),
        "POETRY_PYPI_MIRROR_URL": package_index_url(),
        "POETRY_NO_INTERACTION": "1",
        "CI": "true",
    }


def run_steps(project: Path, job: dict, environment: dict[str, str]) -> list[str]:
    """Run every ``run:`` step of ``job`` in ``project``, in order; return the scripts run."""
    ran = []
    for step in job["steps"]:
        if "uses" in step:
            assert step["uses"].partition("@")[0] in ACTIONS, f"no local equivalent of {step}"
            continue
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        assert result.returncode == 0, (
            f"step {step.get('name', step['run'])!r} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}"
        )
        ran.append(step["run"].strip())
        if step["run"].startswith("pipx install poetry"):
            # This network may serve PyPI's simple index only: Poetry resolves through it
            # with this plugin (as the template's own tests do); GitHub needs none.
            subprocess.run(
                ["pipx", "inject", "poetry", "poetry-plugin-pypi-mirror==0.6.5"],
                env=environment,
                check=True,
                capture_output=True,
            )
    assert "poetry run alembic check" in ran
    assert "poetry run pytest" in ran
    assert any(script.startswith("kubectl kustomize k8s/") for script in ran)
    return ran


def test_every_run_step_passes_against_postgresql(pg_project, postgres_server, tmp_path):
    workflow = yaml.safe_load((pg_project / ".github/workflows/ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    environment = child_environment(
        {
            **runner_environment(tmp_path),
            **job_environment(job["env"], postgres_server, "my_service"),
        }
    )
    ran = run_steps(pg_project, job, environment)
    assert "poetry run pytest tests/test_migration_review.py" in ran
    # The round trip left the database at head.
    assert postgres_server.tables(environment["DATABASE_URL"]) == {"alembic_version", "item"}


def test_every_run_step_passes_on_sqlite(tmp_path):
    """The SQLite workflow's databases are files in the checkout: its variables stay."""
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"python_version": PYTHON_VERSION},
            output_dir=str(tmp_path / "checkout"),
        )
    )
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert job["env"] == {
        "DATABASE_URL": "sqlite:///my_service.db",
        "TEST_DATABASE_URL": "sqlite:///my_service_test.db",
    }
    run_steps(project, job, child_environment({**runner_environment(tmp_path), **job["env"]}))
    assert (project / "my_service.db").exists() and (project / "my_service_test.db").exists()
