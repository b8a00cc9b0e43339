"""Throwaway databases next to the one in ``DATABASE_URL``, never that one itself: the
tests' (``tests/conftest.py``) and ``add-resource``'s, which compares the models there."""

import uuid
from collections.abc import Iterator

from sqlalchemy import URL, Engine, create_engine, pool
from sqlalchemy.exc import DBAPIError

# The database to connect to on a server while creating or dropping another one: one
# that always exists (``url.set(database=None)`` would keep the URL's own database).
ADMIN_DATABASE = {"postgresql": "postgres", "mysql": "information_schema"}


def server_engine(url: URL) -> Engine:
    """An engine on the server of ``url`` (PostgreSQL or MySQL) that can create databases."""
    admin_url = url.set(database=ADMIN_DATABASE[url.get_backend_name()])
    return create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)


def unreachable(server: Engine) -> str | None:
    """Why ``server`` cannot be reached (the driver's first line), or None when it answers."""
    try:
        server.connect().close()
    except DBAPIError as error:
        return str(error.orig).strip().splitlines()[0]
    return None


def throwaway_database(server: Engine, url: URL, purpose: str = "test") -> Iterator[URL]:
    """Create an empty database next to the one in ``url``, yield its URL, then drop it."""
    name = f"{url.database[:40]}_{purpose}_{uuid.uuid4().hex[:12]}"
    quoted = server.dialect.identifier_preparer.quote(name)
    with server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    try:
        yield url.set(database=name)
    finally:
        force = " WITH (FORCE)" if server.dialect.name == "postgresql" else ""
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE {quoted}{force}")
