"""database_api=async: the migration workflow through the real Alembic CLI on an async
driver (aiosqlite on a SQLite file; asyncpg and psycopg on a real PostgreSQL server), the
baked suite on each, programmatic use of env.py, and what baking writes and refuses.

The workflow and service tests each bake their own project: they add a resource to it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

from tests.helpers import (
    BAKED_PROJECT_TESTS,
    ENUM_ORDER_MODELS,
    INITIAL_REVISION,
    TEMPLATE_DIR,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_absent_server,
    baked_tests,
    cookiecutter_cli,
    current_revision,
    dotenv_without_compose_password,
    initial_revision,
    python,
    revision_files,
    revision_id,
    run,
    tree_snapshot,
)

# The enum resource with an identity key, as the migration review (squawk) asks.
IDENTITY_ORDER_MODELS = ENUM_ORDER_MODELS.replace(
    "from my_service.database.base import Base\n",
    "from my_service.database.base import Base\nfrom my_service.database.types import PrimaryKey\n",
).replace("id: Mapped[int] = mapped_column(primary_key=True)", "id: Mapped[PrimaryKey]")
assert IDENTITY_ORDER_MODELS.count("PrimaryKey") == 2

# What a SQLite project's seed workflow adds: a resource with a foreign key and an index.
SQLITE_ORDER_MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    reference: Mapped[str] = mapped_column(String(40), index=True)
"""


def sqlite_tables(database: Path) -> set[str]:
    """The tables of a SQLite file, read with sqlite3 rather than the project's code."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}


@pytest.fixture
def async_sqlite_project(bake):
    result = bake(database_api="async")
    assert result.exit_code == 0, result.exception
    return result.project_path


def test_async_sqlite_bake_uses_aiosqlite_and_the_async_engine(async_sqlite_project):
    project = async_sqlite_project
    assert (project / ".env").read_text() == "DATABASE_URL='sqlite+aiosqlite:///my_service.db'\n"
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    assert "sqlalchemy[asyncio] (>=2.1.5,<2.2)" in dependencies
    assert "aiosqlite (>=0.21,<1.0)" in dependencies
    session = (project / "my_service/database/session.py").read_text()
    assert "create_async_engine(" in session and "async_sessionmaker(" in session
    assert "async def get_session() -> AsyncIterator[AsyncSession]:" in session
    router = (project / "my_service/resources/item/router.py").read_text()
    # Every route, and the lookup they share, is a coroutine.
    routes = re.findall(r"^@router\.[^\n]+\n(async def|def) ", router, re.MULTILINE)
    assert routes == ["async def"] * 5, routes
    assert "async def get_or_404(session: AsyncSession, id: int) -> Item:" in router
    env = (project / "alembic/env.py").read_text()
    assert "await connection.run_sync(run_locked_migrations)" in env
    assert "create_engine(" not in env


def test_async_sqlite_seed_workflow_and_baked_suite(async_sqlite_project, tmp_path):
    project = async_sqlite_project
    database = tmp_path / "workflow.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}

    alembic(project, "upgrade", "head", env=env)
    assert sqlite_tables(database) == {"alembic_version", "item"}
    assert current_revision(project, env) == "0001 (head)"
    assert "No new upgrade operations detected" in alembic(project, "check", env=env).stdout

    add_resource(project, "my_service", "order", SQLITE_ORDER_MODELS)
    new_file = autogenerate(project, "add order", env=env)
    text = new_file.read_text()
    assert re.search(r'op\.create_table\(\s*"order",', text), text
    assert "batch_op.create_index" in text and 'op.drop_table("order")' in text
    new_id = revision_id(text)

    alembic(project, "upgrade", "head", env=env)
    assert sqlite_tables(database) == {"alembic_version", "item", "order"}
    assert current_revision(project, env) == f"{new_id} (head)"
    history = alembic(project, "history", env=env).stdout
    assert f"0001 -> {new_id} (head), add order" in history

    alembic(project, "downgrade", "-1", env=env)
    assert sqlite_tables(database) == {"alembic_version", "item"}
    assert current_revision(project, env) == "0001"
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "check", env=env)
    nothing = alembic(project, "revision", "--autogenerate", "-m", "nothing", env=env)
    assert "no revision written" in nothing.stdout
    assert len(revision_files(project)) == 2

    # The project's own suite, on throwaway SQLite files, with the new resource in it.
    assert_all_passed(baked_tests(project), at_least=BAKED_PROJECT_TESTS)


def test_env_py_accepts_an_async_engine_and_a_connection_from_run_sync(
    async_sqlite_project, tmp_path
):
    """Scripts and tests hand env.py what they hold: an AsyncEngine from sync code, or the
    sync face of an async connection from inside their own event loop."""
    project = async_sqlite_project
    database = tmp_path / "programmatic.db"
    url = f"sqlite+aiosqlite:///{database}"
    # DATABASE_URL points elsewhere: only what is handed over may be migrated.
    elsewhere = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'elsewhere.db'}"}
    python(
        project,
        f"""
        import asyncio

        from alembic import command
        from alembic.config import Config
        from sqlalchemy.ext.asyncio import create_async_engine

        def config(connection):
            config = Config("alembic.ini")
            config.attributes["connection"] = connection
            return config

        async def upgrade_in_a_running_loop():
            engine = create_async_engine({url!r})
            # connect(), not begin(): on SQLite, env.py commits to switch foreign keys off.
            async with engine.connect() as connection:
                await connection.run_sync(
                    lambda sync_connection: command.upgrade(config(sync_connection), "head")
                )
            await engine.dispose()

        asyncio.run(upgrade_in_a_running_loop())
        """,
        env=elsewhere,
    )
    assert sqlite_tables(database) == {"alembic_version", "item"}
    assert current_revision(project, {"DATABASE_URL": url}) == "0001 (head)"

    python(
        project,
        f"""
        import asyncio

        from alembic import command
        from alembic.config import Config
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine({url!r})
        config = Config("alembic.ini")
        config.attributes["connection"] = engine
        command.downgrade(config, "base")
        asyncio.run(engine.dispose())
        """,
        env=elsewhere,
    )
    assert sqlite_tables(database) == {"alembic_version"}
    assert not (tmp_path / "elsewhere.db").exists()


def test_offline_sql_from_an_async_project(async_sqlite_project, tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'offline.db'}"}
    sql = alembic(async_sqlite_project, "upgrade", "head", "--sql", env=env).stdout
    assert "CREATE TABLE item (" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
    assert not (tmp_path / "offline.db").exists()


# --- PostgreSQL, through asyncpg and through psycopg 3 ---------------------------------------


@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
def test_async_postgresql_seed_workflow_and_baked_suite(bake, postgres_server, driver):
    project = bake_for_absent_server(bake, f"postgresql+{driver}", database_api="async")
    requirement = {"asyncpg": "asyncpg (", "psycopg": "psycopg[binary] ("}[driver]
    pyproject = (project / "pyproject.toml").read_text()
    assert f'"{requirement}' in pyproject and '"sqlalchemy[asyncio] (' in pyproject
    database = f"async_{driver}_workflow"
    url = postgres_server.create_database(database).replace(
        "postgresql+psycopg://", f"postgresql+{driver}://"
    )
    env = {"DATABASE_URL": url}

    alembic(project, "upgrade", "head", env=env)
    assert postgres_server.tables(postgres_server.url(database)) == {"alembic_version", "item"}
    assert postgres_server.enum_types(postgres_server.url(database)) == {"item_status"}
    alembic(project, "check", env=env)

    add_resource(project, "my_service", "order", IDENTITY_ORDER_MODELS)
    new_file = autogenerate(project, "add order", env=env)
    text = new_file.read_text()
    assert re.search(r'sa\.Enum\(\s*"open",\s*"paid",\s*name="order_state"', text), text
    assert 'sa.Enum("open", "paid", name="order_state").drop(op.get_bind())' in text
    assert "item_status" not in text
    run([sys.executable, "-m", "ruff", "check", str(new_file)], cwd=project)
    new_id = revision_id(text)

    alembic(project, "upgrade", "head", env=env)
    checked = postgres_server.url(database)
    assert postgres_server.tables(checked) == {"alembic_version", "item", "order"}
    assert postgres_server.enum_types(checked) == {"item_status", "order_state"}
    assert current_revision(project, env) == f"{new_id} (head)"
    assert f"0001 -> {new_id} (head), add order" in alembic(project, "history", env=env).stdout

    alembic(project, "downgrade", "-1", env=env)
    assert postgres_server.enum_types(checked) == {"item_status"}
    assert current_revision(project, env) == "0001"
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "check", env=env)

    offline = alembic(project, "downgrade", f"{new_id}:0001", "--sql", env=env).stdout
    assert 'DROP TABLE "order";' in offline and "DROP TYPE order_state;" in offline

    # The baked suite makes its throwaway databases on the server of DATABASE_URL, through
    # the async driver; squawk reviews both revisions.
    result = baked_tests(project, env={"DATABASE_URL": url})
    assert_all_passed(result, at_least=BAKED_PROJECT_TESTS + 2)


# --- what baking writes and refuses ----------------------------------------------------------


def test_a_url_without_driver_gets_the_async_default_with_a_note(tmp_path):
    secret = "Sup3rS3cret"
    result = cookiecutter_cli(
        tmp_path, "database_api=async", f"database_url=postgresql://app:{secret}@db:5432/app"
    )
    assert result.returncode == 0, result.stderr
    assert (
        "note: database_url: 'postgresql://' names no driver, and database_api=async needs an"
        " async one; using 'postgresql+asyncpg://'"
    ) in result.stdout
    project = tmp_path / "my-service"
    assert dotenv_without_compose_password(project) == (
        f"DATABASE_URL='postgresql+asyncpg://app:{secret}@db:5432/app'\n"
    )
    assert "postgresql+asyncpg://app:***@db:5432/app" in (project / ".env.example").read_text()
    kept = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert kept["database_api"] == "async"
    assert kept["database_url"] == "postgresql+asyncpg://app@db:5432/app"
    for path in project.rglob("*"):
        if path.is_file() and path.name != ".env":
            assert secret not in path.read_text(errors="replace"), path
    initial_revision(project)


SYNC_ONLY = [
    ("postgresql+psycopg2://app:Sup3rS3cret@db/app", "postgresql+asyncpg, postgresql+psycopg"),
    ("postgresql+pg8000://app@db/app", "postgresql+asyncpg, postgresql+psycopg"),
    ("mysql+pymysql://app@db/app", "mysql+aiomysql, mysql+asyncmy"),
    ("mysql+mysqldb://app@db/app", "mysql+aiomysql, mysql+asyncmy"),
]


@pytest.mark.parametrize(("url", "allowed"), SYNC_ONLY, ids=[u.split(":")[0] for u, _ in SYNC_ONLY])
def test_a_sync_only_driver_with_async_is_refused_writing_nothing(tmp_path, url, allowed):
    result = cookiecutter_cli(tmp_path, "database_api=async", f"database_url={url}")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    driver = url.partition("+")[2].partition(":")[0]
    shown = url.replace("Sup3rS3cret", "***")
    assert errors == [
        f"error: database_url: {shown!r} has the sync-only driver {driver!r}, which"
        f" database_api=async cannot use; use one of: {allowed}"
    ], result.stderr
    assert "Sup3rS3cret" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_refused_async_rebake_leaves_the_project_as_it_was(tmp_path):
    first = cookiecutter_cli(tmp_path, "database_api=async")
    assert first.returncode == 0, first.stderr
    project = tmp_path / "my-service"
    before = tree_snapshot(project)
    result = cookiecutter_cli(
        tmp_path, "-f", "database_api=async", "database_url=sqlite+pysqlite:///x.db"
    )
    assert result.returncode != 0
    assert "error: database_url: 'sqlite+pysqlite:///x.db' has the sync-only driver" in (
        result.stderr
    )
    assert tree_snapshot(project) == before


# A sitecustomize that makes the async drivers and greenlet unimportable, as in an
# interpreter where cookiecutter was installed on its own with Alembic and SQLAlchemy.
WITHOUT_ASYNC_PACKAGES = """\
import importlib.abc
import sys

ABSENT = {"greenlet", "asyncpg", "aiosqlite", "aiomysql", "asyncmy"}


class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Absent())
"""


@pytest.mark.parametrize(
    "url", ["sqlite+aiosqlite:///service.db", "postgresql+asyncpg://app:secret@db:5432/app"]
)
def test_the_initial_revision_needs_no_async_driver_at_bake_time(tmp_path, url):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WITHOUT_ASYNC_PACKAGES)
    env = {"PYTHONPATH": str(site)}
    probe = run([sys.executable, "-c", "import greenlet"], cwd=tmp_path, env=env, check=False)
    assert "No module named 'greenlet'" in probe.stderr, "the packages are still importable"

    out = tmp_path / "out"
    result = cookiecutter_cli(out, "database_api=async", f"database_url={url}", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Created the initial revision {INITIAL_REVISION}." in result.stdout
    revision = initial_revision(out / "my-service").read_text()
    assert 'op.create_table(\n        "item",' in revision

    # The same revision as a bake whose interpreter has every package.
    full = tmp_path / "full"
    assert cookiecutter_cli(full, "database_api=async", f"database_url={url}").returncode == 0
    assert initial_revision(full / "my-service").read_text() == revision


def test_an_async_project_rebakes_from_its_kept_answers(tmp_path):
    """The replay the baked README teaches: the kept answers (database_api=async, the URL
    without its password) bake the same project again."""
    first = cookiecutter_cli(
        tmp_path, "database_api=async", "database_url=postgres://app:Sup3rS3cret@db/app"
    )
    assert first.returncode == 0, first.stderr
    project = tmp_path / "my-service"
    before = tree_snapshot(project)

    def replay(*flags: str):
        # As the baked README writes it (a replay file takes no --no-input).
        command = [sys.executable, "-m", "cookiecutter", "--replay-file"]
        command += [str(project / ".cookiecutter.json"), *flags, "-o", str(tmp_path)]
        return run([*command, str(TEMPLATE_DIR)], cwd=tmp_path)

    skip_existing = replay("-f", "-s")
    assert "already holds 1 revision file(s)" in skip_existing.stdout
    assert tree_snapshot(project) == before

    replay("-f")
    after = tree_snapshot(project)
    # Every file as it was, but .env: written again from the answers, which keep no password.
    assert {path: digest for path, digest in after.items() if path != ".env"} == {
        path: digest for path, digest in before.items() if path != ".env"
    }
    assert (
        dotenv_without_compose_password(project)
        == "DATABASE_URL='postgresql+asyncpg://app@db/app'\n"
    )


def test_an_async_project_reads_urls_without_driver_with_its_async_default(
    async_sqlite_project, tmp_path
):
    """DATABASE_URL as hosting platforms hand it out, set after the bake: the settings give
    the async engine an async driver, and the Alembic CLI migrates through it."""
    read = python(
        async_sqlite_project,
        """
        from my_service.settings import Settings

        for url in ("postgres://app@db/app", "postgresql://app@db/app", "mysql://app@db/app"):
            print(Settings(database_url=url).database_url.drivername)
        """,
    ).stdout.split()
    assert read == ["postgresql+asyncpg", "postgresql+asyncpg", "mysql+aiomysql"]

    database = tmp_path / "plain.db"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    alembic(async_sqlite_project, "upgrade", "head", env=env)
    assert sqlite_tables(database) == {"alembic_version", "item"}
    assert current_revision(async_sqlite_project, env) == "0001 (head)"
