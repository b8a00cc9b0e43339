"""Every test gets a throwaway database on the project's own backend, never the one in
DATABASE_URL itself.

- ``TEST_DATABASE_URL``, when set, names an empty database the tests use as it is.
- Otherwise a SQLite project uses a temporary file, and a PostgreSQL or MySQL project
  creates a database for each test on the server of ``DATABASE_URL`` and drops it
  afterwards (the role needs the right to create databases).
"""

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import URL, Engine, make_url

from {{ cookiecutter.package_name }}.database.session import create_database_engine
from {{ cookiecutter.package_name }}.database.throwaway import (
    server_engine,
    throwaway_database,
    unreachable,
)
from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT, get_settings, normalise_database_url


@pytest.fixture(scope="session")
def alembic_config() -> dict[str, str]:
    # alembic.ini by its full path, so the tests run from any working directory.
    return {"file": str(PROJECT_ROOT / "alembic.ini")}


@pytest.fixture(scope="session")
def database_server() -> Iterator[Engine | None]:
    """An engine on the server that hosts the throwaway databases (None: no server needed)."""
    url = None if os.environ.get("TEST_DATABASE_URL") else get_settings().database_url
    if url is None or url.get_backend_name() == "sqlite":
        yield None
        return
    engine = server_engine(url)
    reason = unreachable(engine)
    if reason:
        pytest.exit(
            f"cannot reach {url.render_as_string(hide_password=True)} to create test databases"
            f" ({reason}); start that server, or set TEST_DATABASE_URL to an empty database",
            returncode=1,
        )
    yield engine
    engine.dispose()


@pytest.fixture
def test_database_url(database_server: Engine | None, tmp_path) -> Iterator[URL]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield normalise_database_url(make_url(given))
    elif database_server is None:
        yield make_url(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        yield from throwaway_database(database_server, get_settings().database_url)


@pytest.fixture
def alembic_engine(test_database_url: URL) -> Iterator[Engine]:
    """The engine pytest-alembic migrates, with the application's rules (SQLite foreign keys)."""
    engine = create_database_engine(test_database_url)
    yield engine
    engine.dispose()
