"""The whole way as a user: cookiecutter on its own (no Alembic or SQLAlchemy next to it),
Poetry on PATH, then the migration workflow through ``poetry run``."""

import os
import subprocess
import sys

import pytest

from tests.helpers import BIN_DIR, TEMPLATE_DIR, add_resource, revision_files, run

SHIPMENT_MODELS = """\
import enum

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Carrier(enum.StrEnum):
    POST = "post"
    COURIER = "courier"


class Shipment(Base):
    __tablename__ = "shipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    carrier: Mapped[Carrier] = mapped_column(Enum(Carrier, name="carrier"))
"""


@pytest.fixture(scope="session")
def standalone_cookiecutter(tmp_path_factory):
    """A virtualenv holding cookiecutter alone, as ``pipx install cookiecutter`` gives."""
    venv = tmp_path_factory.mktemp("cookiecutter-alone") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "cookiecutter==2.7.1"],
        cwd=venv,
    )
    for module in ("alembic", "sqlalchemy"):
        probe = run([str(venv / "bin" / "python"), "-c", f"import {module}"], cwd=venv, check=False)
        assert probe.returncode != 0, f"{module} must not be importable next to cookiecutter"
    return venv / "bin" / "cookiecutter"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """The URL to bake with, and the one the workflow then runs against."""
    if request.param == "sqlite":
        return "sqlite:///my_service.db", None
    server = request.getfixturevalue("postgres_server")
    # Baked while no server is at that address; run later against a real empty database.
    return "postgresql+psycopg://app:secret@127.0.0.1:9/app", server.create_database("journey")


def test_bake_install_and_migrate_through_poetry(standalone_cookiecutter, database, tmp_path):
    bake_url, run_url = database
    # Only the standalone cookiecutter and Poetry (installed next to the test interpreter).
    path = os.pathsep.join([str(standalone_cookiecutter.parent), str(BIN_DIR), "/usr/bin", "/bin"])
    baked = run(
        [
            str(standalone_cookiecutter),
            "--no-input",
            str(TEMPLATE_DIR),
            "-o",
            str(tmp_path),
            f"database_url={bake_url}",
        ],
        cwd=tmp_path,
        env={"PATH": path},
    )
    assert "Installing the project with Poetry" in baked.stdout
    project = tmp_path / "my-service"
    assert [p.name for p in revision_files(project)] == ["0001_initial.py"], baked.stdout
    assert (project / "poetry.lock").exists()

    env = {"PATH": path} | ({"DATABASE_URL": run_url} if run_url else {})

    def poetry_run(*args):
        return run(["poetry", "run", *args], cwd=project, env=env)

    poetry_run("alembic", "upgrade", "head")
    assert "0001 (head)" in poetry_run("alembic", "current").stdout

    add_resource(project, "my_service", "shipment", SHIPMENT_MODELS)
    poetry_run("alembic", "revision", "--autogenerate", "-m", "add shipment")
    (revision,) = [p for p in revision_files(project) if p.name != "0001_initial.py"]
    assert '"shipment"' in revision.read_text()
    poetry_run("alembic", "upgrade", "head")
    assert "add shipment" in poetry_run("alembic", "history").stdout
    poetry_run("alembic", "downgrade", "-1")
    assert poetry_run("alembic", "current").stdout.strip().endswith("0001")
    poetry_run("alembic", "upgrade", "head")
    poetry_run("alembic", "check")

    assert "passed" in poetry_run("pytest", "-q").stdout
    poetry_run("ruff", "check", ".")


def test_without_alembic_or_poetry_the_project_is_kept_with_the_command_to_run(
    standalone_cookiecutter, tmp_path
):
    path = os.pathsep.join([str(standalone_cookiecutter.parent), "/usr/bin", "/bin"])
    result = run(
        [str(standalone_cookiecutter), "--no-input", str(TEMPLATE_DIR), "-o", str(tmp_path)],
        cwd=tmp_path,
        env={"PATH": path},
    )
    project = tmp_path / "my-service"
    assert "Poetry is not on PATH" in result.stdout
    assert "poetry run alembic revision --autogenerate --rev-id 0001 -m initial" in result.stdout
    assert revision_files(project) == []
    assert (project / "alembic" / "versions").is_dir()
    assert (project / "alembic" / "env.py").is_file() and (project / ".env").is_file()
