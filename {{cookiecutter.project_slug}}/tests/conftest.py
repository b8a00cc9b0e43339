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
from collections.abc import Iterator

import pytest
{%- if async_api %}
from sqlalchemy import URL, make_url, pool
from sqlalchemy.ext.asyncio import AsyncEngine
{%- else %}
from sqlalchemy import URL, Engine, make_url
{%- endif %}

from {{ cookiecutter.package_name }}.database.session import create_database_engine
from {{ cookiecutter.package_name }}.database.throwaway import (
    server_url,
    throwaway_database,
    unreachable,
)
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


@pytest.fixture
def test_database_url(database_server: URL | None, tmp_path) -> Iterator[URL]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield normalise_database_url(make_url(given))
    elif database_server is None:
        yield make_url(f"{{ "sqlite+aiosqlite" if async_api else "sqlite" }}:///{tmp_path / 'test.db'}")
    else:
        yield from throwaway_database(database_server, get_settings().database_url)


{% if async_api -%}
@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[AsyncEngine]:
    """The async engine pytest-alembic migrates, with the application's rules (SQLite foreign
    keys); pytest-alembic runs each step in an event loop of its own."""
    engine = create_database_engine(test_database_url, poolclass=pool.NullPool)
    yield engine
    asyncio.run(engine.dispose())
{%- else -%}
@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[Engine]:
    """The engine pytest-alembic migrates, with the application's rules (SQLite foreign keys)."""
    engine = create_database_engine(test_database_url)
    yield engine
    engine.dispose()
{%- endif %}
