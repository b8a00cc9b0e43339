{%- set async_api = cookiecutter.database_api == "async" -%}
"""Engine and sessions for the application, built on first use from the settings."""

{% if async_api -%}
from collections.abc import AsyncIterator
from functools import lru_cache

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import configure_mappers
{%- else -%}
from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
{%- endif %}

from {{ cookiecutter.package_name }}.database.discovery import import_models
from {{ cookiecutter.package_name }}.settings import get_settings


def enforce_sqlite_foreign_keys(engine: Engine) -> None:
    """SQLite ignores foreign keys unless each connection turns them on."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _foreign_keys_on(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def use_utc_on_mysql(engine: Engine) -> None:
    """MySQL keeps DATETIMEs without a zone, and fills ``func.now()`` /
    ``CURRENT_TIMESTAMP`` defaults in the session's time zone (the server's, unless told
    otherwise). UTCDateTime reads every stored time as UTC, so each connection runs in UTC."""
    if engine.dialect.name != "mysql":
        return

    @event.listens_for(engine, "connect")
    def _time_zone_utc(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET time_zone = '+00:00'")
        cursor.close()


{% if async_api -%}
def create_database_engine(url=None, **options) -> AsyncEngine:
    """An async engine for ``url`` (the settings' by default), with the project's rules
    applied; ``options`` go to ``create_async_engine``."""
    engine = create_async_engine(url or get_settings().database_url, pool_pre_ping=True, **options)
    # Connection events belong to the sync engine the async one drives.
    enforce_sqlite_foreign_keys(engine.sync_engine)
    use_utc_on_mysql(engine.sync_engine)
    return engine
{%- else -%}
def create_database_engine(url=None, **options) -> Engine:
    """An engine for ``url`` (the settings' by default), with the project's rules applied;
    ``options`` go to ``create_engine``."""
    engine = create_engine(url or get_settings().database_url, pool_pre_ping=True, **options)
    enforce_sqlite_foreign_keys(engine)
    use_utc_on_mysql(engine)
    return engine
{%- endif %}


# The application's pool: up to POOL_SIZE connections, each opened when first needed and
# then kept. No overflow: SQLAlchemy closes an overflow connection as soon as the pool
# has pool_size idle ones, so a load hovering around that size would open a new one (a
# server process, on PostgreSQL) for many of its requests. A request that finds none free
# within POOL_TIMEOUT seconds gets a 503.
POOL_SIZE = 10
POOL_TIMEOUT = 30


@lru_cache
def get_engine() -> {{ "AsyncEngine" if async_api else "Engine" }}:
    return create_database_engine(pool_size=POOL_SIZE, max_overflow=0, pool_timeout=POOL_TIMEOUT)


@lru_cache
def get_sessionmaker() -> {{ "async_sessionmaker[AsyncSession]" if async_api else "sessionmaker[Session]" }}:
    # Every model is imported before the first session, so relationships named by
    # string resolve whichever module the application imported first.
    import_models()
    configure_mappers()
{%- if async_api %}
    # Attributes stay loaded after a commit: reading one must not start hidden I/O.
{%- endif %}
    return {{ "async_" if async_api }}sessionmaker(get_engine(), expire_on_commit=False)


{% if async_api -%}
async def get_session() -> AsyncIterator[AsyncSession]:
    """One session per unit of work (for example a web framework dependency)."""
    async with get_sessionmaker()() as session:
        yield session
{%- else -%}
def get_session() -> Iterator[Session]:
    """One session per unit of work (for example a web framework dependency)."""
    with get_sessionmaker()() as session:
        yield session
{%- endif %}
