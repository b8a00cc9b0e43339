{%- set async_api = cookiecutter.database_api == "async" -%}
"""Throwaway databases next to the one in ``DATABASE_URL``, never that one itself: the
tests' (``tests/conftest.py``) and ``add-resource``'s, which compares the models there."""

{% if async_api -%}
import asyncio
{% endif -%}
import time
import uuid
from collections.abc import Iterator

{% if async_api -%}
from sqlalchemy import URL, pool
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
{%- else -%}
from sqlalchemy import URL, create_engine, pool
from sqlalchemy.exc import DBAPIError
{%- endif %}

# The database to connect to on a server while creating or dropping another one: one
# that always exists (``url.set(database=None)`` would keep the URL's own database).
ADMIN_DATABASE = {"postgresql": "postgres", "mysql": "information_schema"}
DROP_ATTEMPTS = 10


def server_url(url: URL) -> URL:
    """A URL on the server of ``url`` (PostgreSQL or MySQL) from which to create databases."""
    return url.set(database=ADMIN_DATABASE[url.get_backend_name()])


{% if async_api -%}
def run_on_server(server: URL, statement: str) -> None:
    """Run ``statement`` outside a transaction (as CREATE DATABASE must be) on ``server``."""

    async def run() -> None:
        engine = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    asyncio.run(run())
{%- else -%}
def run_on_server(server: URL, statement: str) -> None:
    """Run ``statement`` outside a transaction (as CREATE DATABASE must be) on ``server``."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
{%- endif %}


def unreachable(server: URL) -> str | None:
    """Why ``server`` cannot be reached (the driver's first line), or None when it answers."""
    try:
        run_on_server(server, "SELECT 1")
{%- if async_api %}
    # asyncpg reports a refused connection as a plain OSError, which SQLAlchemy passes on.
    except (DBAPIError, OSError) as error:
        return str(getattr(error, "orig", error)).strip().splitlines()[0]
{%- else %}
    except DBAPIError as error:
        return str(error.orig).strip().splitlines()[0]
{%- endif %}
    return None


def throwaway_database(server: URL, url: URL, purpose: str = "test") -> Iterator[URL]:
    """Create an empty database next to the one in ``url``, yield its URL, then drop it."""
    name = f"{url.database[:40]}_{purpose}_{uuid.uuid4().hex[:12]}"
    dialect = server.get_dialect()()
    quoted = dialect.identifier_preparer.quote(name)
    run_on_server(server, f"CREATE DATABASE {quoted}")
    try:
        yield url.set(database=name)
    finally:
        drop_database(server, quoted)


def drop_database(server: URL, quoted_name: str) -> None:
    if server.get_backend_name() != "postgresql":
        run_on_server(server, f"DROP DATABASE {quoted_name}")
        return
    # FORCE ends the connections a test left open, but not an autovacuum worker that
    # happens to be in the database (a superuser's process): it is gone within moments.
    for attempt in range(DROP_ATTEMPTS):
        try:
            run_on_server(server, f"DROP DATABASE {quoted_name} WITH (FORCE)")
            return
        except DBAPIError:
            if attempt == DROP_ATTEMPTS - 1:
                raise
            time.sleep(0.5)
