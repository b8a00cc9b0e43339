{%- set async_api = cookiecutter.database_api == "async" -%}
"""Every test gets a throwaway database on the project's own backend, never the one in
DATABASE_URL itself.

- ``TEST_DATABASE_URL``, when set, names an empty database the tests use as it is.
- Otherwise a SQLite project uses a temporary file, and a PostgreSQL or MySQL project
  creates a database for each test on the server of ``DATABASE_URL`` and drops it
  afterwards (the role needs the right to create databases).
{%- if async_api %}

Engines here never pool connections: pytest-alembic and FastAPI's TestClient each run
their own event loop, and a driver's connection belongs to the loop that opened it.
{%- endif %}
"""
{% if async_api %}
import asyncio
{%- endif %}
import os
import uuid
from collections.abc import Iterator

import pytest
{%- if async_api %}
from sqlalchemy import URL, make_url, pool
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
{%- else %}
from sqlalchemy import URL, Engine, create_engine, make_url, pool
from sqlalchemy.exc import DBAPIError
{%- endif %}

from {{ cookiecutter.package_name }}.database.session import create_database_engine
from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT, get_settings, normalise_database_url

# The database to connect to on a server while creating or dropping another one: one
# that always exists (``url.set(database=None)`` would keep the URL's own database).
ADMIN_DATABASE = {"postgresql": "postgres", "mysql": "information_schema"}


@pytest.fixture(scope="session")
def alembic_config() -> dict[str, str]:
    # alembic.ini by its full path, so the tests run from any working directory.
    return {"file": str(PROJECT_ROOT / "alembic.ini")}


{% if async_api -%}
@pytest.fixture(scope="session")
def database_server() -> URL | None:
    """The URL of a database on the server that hosts the throwaway databases (None: no
    server needed)."""
    url = None if os.environ.get("TEST_DATABASE_URL") else get_settings().database_url
    if url is None or url.get_backend_name() == "sqlite":
        return None
    admin_url = url.set(database=ADMIN_DATABASE[url.get_backend_name()])
    try:
        run_on_server(admin_url, "SELECT 1")
    except (DBAPIError, OSError) as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        pytest.exit(
            f"cannot reach {url.render_as_string(hide_password=True)} to create test databases"
            f" ({reason}); start that server, or set TEST_DATABASE_URL to an empty database",
            returncode=1,
        )
    return admin_url


def run_on_server(admin_url: URL, statement: str) -> None:
    """Run ``statement`` outside a transaction (as CREATE DATABASE must be) on ``admin_url``."""

    async def run() -> None:
        engine = create_async_engine(
            admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
        )
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    asyncio.run(run())
{%- else -%}
@pytest.fixture(scope="session")
def database_server() -> Iterator[Engine | None]:
    """An engine on the server that hosts the throwaway databases (None: no server needed)."""
    url = None if os.environ.get("TEST_DATABASE_URL") else get_settings().database_url
    if url is None or url.get_backend_name() == "sqlite":
        yield None
        return
    admin_url = url.set(database=ADMIN_DATABASE[url.get_backend_name()])
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        engine.connect().close()
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0]
        pytest.exit(
            f"cannot reach {url.render_as_string(hide_password=True)} to create test databases"
            f" ({reason}); start that server, or set TEST_DATABASE_URL to an empty database",
            returncode=1,
        )
    yield engine
    engine.dispose()
{%- endif %}


@pytest.fixture
def test_database_url(database_server: {{ "URL" if async_api else "Engine" }} | None, tmp_path) -> Iterator[URL]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield normalise_database_url(make_url(given))
    elif database_server is None:
        yield make_url(f"{{ "sqlite+aiosqlite" if async_api else "sqlite" }}:///{tmp_path / 'test.db'}")
    else:
        yield from throwaway_database(database_server, get_settings().database_url)


{% if async_api -%}
def throwaway_database(admin_url: URL, url: URL) -> Iterator[URL]:
    """Create an empty database next to the one in ``url``, yield its URL, then drop it."""
    name = f"{url.database[:40]}_test_{uuid.uuid4().hex[:12]}"
    dialect = admin_url.get_dialect()()
    quoted = dialect.identifier_preparer.quote(name)
    run_on_server(admin_url, f"CREATE DATABASE {quoted}")
    try:
        yield url.set(database=name)
    finally:
        force = " WITH (FORCE)" if dialect.name == "postgresql" else ""
        run_on_server(admin_url, f"DROP DATABASE {quoted}{force}")


@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[AsyncEngine]:
    """The async engine pytest-alembic migrates, with the application's rules (SQLite foreign
    keys); pytest-alembic runs each step in an event loop of its own."""
    engine = create_database_engine(test_database_url, poolclass=pool.NullPool)
    yield engine
    asyncio.run(engine.dispose())
{%- else -%}
def throwaway_database(server: Engine, url: URL) -> Iterator[URL]:
    """Create an empty database next to the one in ``url``, yield its URL, then drop it."""
    name = f"{url.database[:40]}_test_{uuid.uuid4().hex[:12]}"
    quoted = server.dialect.identifier_preparer.quote(name)
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    try:
        yield url.set(database=name)
    finally:
        force = " WITH (FORCE)" if server.dialect.name == "postgresql" else ""
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {quoted}{force}")


@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[Engine]:
    """The engine pytest-alembic migrates, with the application's rules (SQLite foreign keys)."""
    engine = create_database_engine(test_database_url)
    yield engine
    engine.dispose()
{%- endif %}
