{%- set async_api = cookiecutter.database_api == "async" -%}
{%- set fastapi = cookiecutter.web_framework == "fastapi" -%}
"""The tests run on throwaway databases on the project's own backend, never on the one in
DATABASE_URL itself.

- ``TEST_DATABASE_URL``, when set, names an empty database the tests use as it is, for
  both kinds of test below.
- Otherwise a SQLite project uses temporary files, and a PostgreSQL or MySQL project
  creates databases on the server of ``DATABASE_URL`` and drops them afterwards (the
  role needs the right to create databases).

The migration checks (test_migrations.py), and any test that takes ``alembic_engine``
(pytest-alembic's ``alembic_runner`` included), get an empty database each. The other
tests share one database, migrated to head once per session, and each runs in a
transaction that is rolled back at its end: what a test writes, commits included, is gone
for the next one, however many revisions and tests there are.
{%- if async_api %}

Engines here never pool connections: each Alembic command (env.py), pytest-alembic's
steps, FastAPI's TestClient and ``asyncio.run`` run their own event loop, and a driver's
connection belongs to the loop that opened it.
{%- endif %}
"""
{% if async_api %}
import asyncio
{%- endif %}
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
{%- if fastapi %}
from fastapi.testclient import TestClient
{%- endif %}
from pytest_alembic import runner
from pytest_alembic.config import Config as PytestAlembicConfig
{%- if async_api %}
from sqlalchemy import URL, Engine, event, make_url, pool
from sqlalchemy.ext.asyncio import {% if fastapi %}AsyncConnection, {% endif %}AsyncEngine
{%- else %}
from sqlalchemy import URL, Connection, Engine, event, make_url
{%- endif %}

from {{ cookiecutter.package_name }}.database.session import create_database_engine
{%- if fastapi %}, get_sessionmaker{% endif %}
from {{ cookiecutter.package_name }}.database.throwaway import (
    server_url,
    throwaway_database,
    unreachable,
)
{%- if fastapi %}
from {{ cookiecutter.package_name }}.main import create_app
{%- endif %}
from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT, get_settings, normalise_database_url


@pytest.fixture(scope="session")
def alembic_config() -> dict[str, str]:
    # alembic.ini by its full path, so the tests run from any working directory.
    return {"file": str(PROJECT_ROOT / "alembic.ini")}


@pytest.fixture(scope="session")
def database_server() -> URL | None:
    """A URL on the server that hosts the throwaway databases (None: no server needed)."""
    url = None if os.environ.get("TEST_DATABASE_URL") else get_settings().database_url
    if url is None or url.get_backend_name() == "sqlite":
        return None
    server = server_url(url)
    reason = unreachable(server)
    if reason:
        pytest.exit(
            f"cannot reach {url.render_as_string(hide_password=True)} to create test databases"
            f" ({reason}); start that server, or set TEST_DATABASE_URL to an empty database",
            returncode=1,
        )
    return server


def empty_database(database_server: URL | None, folder: Path) -> Iterator[URL]:
    """TEST_DATABASE_URL's database, else a new SQLite file in ``folder`` or a new database
    on ``database_server`` (dropped afterwards)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield normalise_database_url(make_url(given))
    elif database_server is None:
        yield make_url(f"{{ "sqlite+aiosqlite" if async_api else "sqlite" }}:///{folder / 'test.db'}")
    else:
        yield from throwaway_database(database_server, get_settings().database_url)


def alembic_config_on(engine: {{ "AsyncEngine" if async_api else "Engine" }}) -> Config:
    """The project's Alembic config, migrating the database of ``engine`` (env.py uses it).
    One ``command.upgrade`` runs the whole history in one go, where pytest-alembic's runner
    takes a command per revision."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["connection"] = engine
    return config


@pytest.fixture
def test_database_url(database_server: URL | None, tmp_path) -> Iterator[URL]:
    """An empty database for one test (``alembic_engine``)."""
    yield from empty_database(database_server, tmp_path)


{% if async_api -%}
@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[AsyncEngine]:
    """The async engine of an empty database, with the application's rules (SQLite foreign
    keys), for the migration checks and pytest-alembic's ``alembic_runner``, which runs each
    step in an event loop of its own."""
    engine = create_database_engine(test_database_url, poolclass=pool.NullPool)
    skip_sqlite_durability(engine.sync_engine)
    yield from starting_empty(engine)
    asyncio.run(engine.dispose())
{%- else -%}
@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[Engine]:
    """The engine of an empty database, with the application's rules (SQLite foreign keys),
    for the migration checks and pytest-alembic's ``alembic_runner``."""
    engine = create_database_engine(test_database_url)
    skip_sqlite_durability(engine)
    yield from starting_empty(engine)
    engine.dispose()
{%- endif %}


@pytest.fixture
def empty_database_alembic(alembic_engine) -> Config:
    """Alembic's config on ``alembic_engine``'s empty database, for ``alembic.command``."""
    return alembic_config_on(alembic_engine)


def starting_empty(engine) -> Iterator:
    """Yield ``engine``. TEST_DATABASE_URL's single database is also the one the other tests
    share at head: it is taken down to base for a test that starts from an empty database,
    and back to head afterwards if it was there."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield engine
        return
    config = alembic_config_on(engine)
    with runner(config=PytestAlembicConfig.from_raw_config(config), engine=engine) as alembic:
        found = alembic.current
    command.downgrade(config, "base")
    yield engine
    if found != "base":
        command.upgrade(config, "heads")


@pytest.fixture(scope="session")
def shared_database_url(database_server: URL | None, tmp_path_factory) -> Iterator[URL]:
    """The database the tests other than the migration checks share."""
    yield from empty_database(database_server, tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="session")
def migrated_engine(shared_database_url: URL) -> Iterator[{{ "AsyncEngine" if async_api else "Engine" }}]:
    """The shared database's engine; the database is migrated to head once for the session
    (TEST_DATABASE_URL's back to base at its end)."""
{%- if async_api %}
    engine = create_database_engine(shared_database_url, poolclass=pool.NullPool)
    skip_sqlite_durability(engine.sync_engine)
    begin_sqlite_transactions_explicitly(engine.sync_engine)
{%- else %}
    engine = create_database_engine(shared_database_url)
    skip_sqlite_durability(engine)
    begin_sqlite_transactions_explicitly(engine)
{%- endif %}
    command.upgrade(alembic_config_on(engine), "heads")
    yield engine
    if os.environ.get("TEST_DATABASE_URL"):
        # Given empty, left empty; a throwaway database is simply dropped.
        command.downgrade(alembic_config_on(engine), "base")
{%- if async_api %}
    asyncio.run(engine.dispose())
{%- else %}
    engine.dispose()
{%- endif %}


def skip_sqlite_durability(engine: Engine) -> None:
    """A test database is thrown away: SQLite keeps its rollback journal in memory and
    does not wait for each commit to reach the disk. Every revision commits, so that
    waiting would grow with the history."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _journal_in_memory(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def begin_sqlite_transactions_explicitly(engine: Engine) -> None:
    """Let SQLAlchemy, not SQLite's driver, begin transactions, so that a test's savepoints
    nest inside its transaction.

    The driver begins a transaction only before a write; a SAVEPOINT before that begins
    one of its own, which the session's commit (RELEASE) would commit for good. This is
    SQLAlchemy's documented remedy: the driver begins nothing, SQLAlchemy emits BEGIN.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _driver_begins_nothing(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN")
{%- if not async_api %}


@pytest.fixture
def connection(migrated_engine: Engine) -> Iterator[Connection]:
    """A connection to the shared database in a transaction that ends with the test,
    rolled back. Sessions on it use ``join_transaction_mode="create_savepoint"``: their
    commit releases a savepoint, and the test's writes still vanish with the transaction."""
    with migrated_engine.connect() as connection:
        connection.begin()
        yield connection
    # Closing the connection rolled its transaction back.
{%- endif %}
{%- if fastapi %}


@pytest.fixture
def app_sessions():
    """The application's own session factory, the one every request's session comes from,
    for the test to bind to its database; made afresh for the next test."""
    yield get_sessionmaker()
    get_sessionmaker.cache_clear()
{%- if async_api %}


async def connection_in_a_transaction(engine: AsyncEngine) -> AsyncConnection:
    connection = await engine.connect()
    await connection.begin()
    return connection


@pytest.fixture
def client(migrated_engine: AsyncEngine, app_sessions) -> Iterator[TestClient]:
    """A client of the application (its lifespan run), whose own sessions join a transaction
    on the shared database that is rolled back at the test's end."""
    with TestClient(create_app()) as client:
        # Opened in the client's event loop, where the application will use it.
        connection = client.portal.call(connection_in_a_transaction, migrated_engine)
        app_sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
        yield client
        # Closing the connection rolls its transaction back.
        client.portal.call(connection.close)
{%- else %}


@pytest.fixture
def client(connection: Connection, app_sessions) -> Iterator[TestClient]:
    """A client of the application (its lifespan run), whose own sessions join the test's
    transaction (see ``connection``)."""
    app_sessions.configure(bind=connection, join_transaction_mode="create_savepoint")
    with TestClient(create_app()) as client:
        yield client
{%- endif %}
{%- endif %}
