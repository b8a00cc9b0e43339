"""The whole way as a user: cookiecutter on its own (no Alembic or SQLAlchemy next to it),
Poetry on PATH, then the migration workflow through ``poetry run``."""

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest

from alembic_service_template.post_gen import fallback_command
from tests.helpers import (
    BAKED_PROJECT_TESTS,
    BIN_DIR,
    TEMPLATE_DIR,
    add_resource,
    assert_all_passed,
    cookiecutter_cli,
    initial_revision,
    revision_files,
    run,
)

# The command a bake with neither Alembic nor Poetry prints, for the default answers.
FALLBACK_COMMAND = fallback_command({"package_name": "my_service", "dialect": "sqlite"})

SHIPMENT_MODELS = """\
import enum

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base
from my_service.database.types import PrimaryKey


class Carrier(enum.StrEnum):
    POST = "post"
    COURIER = "courier"


class Shipment(Base):
    __tablename__ = "shipment"

    id: Mapped[PrimaryKey]
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
    """The URL to bake with, the one the workflow then runs against (None: .env's), and
    the one the baked tests run against (None: their own temporary SQLite file)."""
    if request.param == "sqlite":
        return SimpleNamespace(bake_url="sqlite:///my_service.db", run_url=None, test_url=None)
    server = request.getfixturevalue("postgres_server")
    # Baked while no server is at that address; run later against real empty databases.
    return SimpleNamespace(
        bake_url="postgresql+psycopg://app:secret@127.0.0.1:9/app",
        run_url=server.create_database("journey"),
        test_url=server.create_database("journey_tests"),
        server=server,
    )


def standalone_path(standalone_cookiecutter, with_poetry: bool) -> str:
    """PATH with the standalone cookiecutter, and Poetry (next to the test interpreter) or not."""
    directories = [standalone_cookiecutter.parent, *([BIN_DIR] if with_poetry else [])]
    return os.pathsep.join([*map(str, directories), "/usr/bin", "/bin"])


def bake_standalone(standalone_cookiecutter, output_dir, *answers, env):
    return run(
        [str(standalone_cookiecutter), "--no-input", str(TEMPLATE_DIR), "-o", str(output_dir)]
        + list(answers),
        cwd=output_dir,
        env=env,
    )


def printed_fallback(stdout: str, project) -> str:
    """The one command the hook printed for making the revision by hand."""
    (line,) = [line for line in stdout.splitlines() if FALLBACK_COMMAND in line]
    assert line.strip() == f"cd {project} && {FALLBACK_COMMAND}", stdout
    return line.strip()


def test_bake_install_and_migrate_through_poetry(standalone_cookiecutter, database, tmp_path):
    # Only the standalone cookiecutter and Poetry (installed next to the test interpreter).
    path = standalone_path(standalone_cookiecutter, with_poetry=True)
    baked = bake_standalone(
        standalone_cookiecutter, tmp_path, f"database_url={database.bake_url}", env={"PATH": path}
    )
    assert "Installing the project with Poetry" in baked.stdout
    project = tmp_path / "my-service"
    initial_revision(project)
    assert (project / "poetry.lock").exists()

    env = {"PATH": path} | ({"DATABASE_URL": database.run_url} if database.run_url else {})

    def poetry_run(*args, extra_env=None):
        return run(["poetry", "run", *args], cwd=project, env=env | (extra_env or {}))

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
    # The same step through the project's console script, which poetry install installed.
    added = poetry_run("my-service", "add-resource", "order")
    assert "Review its revision, alembic/versions/" in added.stdout
    poetry_run("alembic", "upgrade", "head")
    poetry_run("alembic", "check")

    test_env = {"TEST_DATABASE_URL": database.test_url} if database.test_url else {}
    suite = poetry_run("pytest", "-p", "no:cacheprovider", extra_env=test_env)
    assert_all_passed(suite, at_least=BAKED_PROJECT_TESTS)
    if database.test_url:
        # They ran on PostgreSQL, not on their SQLite fallback: Alembic's table is left there.
        assert "alembic_version" in database.server.tables(database.test_url)
    poetry_run("ruff", "check", ".")


@pytest.fixture(scope="module")
def fallback(standalone_cookiecutter, tmp_path_factory):
    """A bake with neither Alembic nor Poetry, then the command it printed, run as printed
    once Poetry is there."""
    out = tmp_path_factory.mktemp("fallback")
    bake = bake_standalone(
        standalone_cookiecutter,
        out,
        env={"PATH": standalone_path(standalone_cookiecutter, with_poetry=False)},
    )
    project = out / "my-service"
    after_bake = SimpleNamespace(
        revisions=revision_files(project),
        versions_dir=(project / "alembic" / "versions").is_dir(),
        env_py=(project / "alembic" / "env.py").is_file(),
        dotenv=(project / ".env").is_file(),
    )
    command = run(
        ["bash", "-c", printed_fallback(bake.stdout, project)],
        cwd=out,
        env={"PATH": standalone_path(standalone_cookiecutter, with_poetry=True)},
    )
    # No database is needed, and none was made.
    assert list(project.glob("*.db")) == []
    return SimpleNamespace(bake=bake, project=project, after_bake=after_bake, command=command)


def test_without_alembic_or_poetry_the_project_is_kept_with_the_command_to_run(fallback):
    assert (
        "The initial revision was not created: The Python running cookiecutter has no"
        " alembic, sqlalchemy, ruff, and Poetry is not on PATH."
    ) in fallback.bake.stdout, fallback.bake.stdout
    printed_fallback(fallback.bake.stdout, fallback.project)
    assert fallback.after_bake.revisions == []
    assert fallback.after_bake.versions_dir
    assert fallback.after_bake.env_py and fallback.after_bake.dotenv


def test_the_printed_command_makes_the_initial_revision(fallback):
    (revision,) = revision_files(fallback.project)
    text = revision.read_text()
    assert (
        'revision: str = "0001"' in text
        and "down_revision: str | Sequence[str] | None = None" in text
    )
    assert re.search(r'op\.create_table\(\s*"item",', text), text


def test_the_printed_command_writes_the_revision_a_bake_writes(fallback, tmp_path):
    made = initial_revision(fallback.project)
    assert cookiecutter_cli(tmp_path).returncode == 0
    assert made.read_bytes() == initial_revision(tmp_path / "my-service").read_bytes()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def empty_package_index(tmp_path):
    """A real simple index over HTTP that holds no package: every project page is a 404."""
    root = tmp_path / "empty-index"
    (root / "simple").mkdir(parents=True)
    (root / "simple" / "index.html").write_text("<!DOCTYPE html><html><body></body></html>\n")
    handler = functools.partial(QuietHandler, directory=str(root))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
        finally:
            server.shutdown()
            thread.join(timeout=10)


def test_failed_poetry_install_keeps_the_project_and_prints_the_command(
    standalone_cookiecutter, empty_package_index, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    result = bake_standalone(
        standalone_cookiecutter,
        out,
        env={
            "PATH": standalone_path(standalone_cookiecutter, with_poetry=True),
            # Resolution fails for real; an empty cache, so nothing resolves from earlier runs.
            "POETRY_PYPI_MIRROR_URL": empty_package_index,
            "POETRY_CACHE_DIR": str(tmp_path / "poetry-cache"),
        },
    )
    project = out / "my-service"
    assert "Installing the project with Poetry" in result.stdout
    assert re.search(
        r"The initial revision was not created: '\S*poetry install --no-interaction' failed",
        result.stdout,
    ), result.stdout
    assert "version solving failed" in result.stdout
    printed_fallback(result.stdout, project)
    assert revision_files(project) == []
    assert (project / "alembic" / "env.py").is_file() and (project / ".env").is_file()
    assert (project / "pyproject.toml").is_file() and (project / "README.md").is_file()
