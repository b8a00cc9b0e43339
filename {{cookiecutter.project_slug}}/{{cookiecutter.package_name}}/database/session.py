{%- set async_api = cookiecutter.database_api == "async" -%}
"""Engine and sessions for the application, built on first use from the settings."""

{% if async_api -%}
import math
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import configure_mappers
{%- else -%}
import math
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
{%- endif %}

from {{ cookiecutter.package_name }}.database.discovery import import_models
from {{ cookiecutter.package_name }}.settings import Settings, get_settings


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


def time_limits(settings: Settings) -> dict[str, Any]:
    """The driver's connect arguments for CONNECT_TIMEOUT and STATEMENT_TIMEOUT: each driver
    names them its own way. SQLite, a local file, has neither; on MySQL the statement
    limit is set on each new connection instead (``limit_mysql_statement_time``)."""
    url = settings.database_url
    statement_ms = str(round(settings.statement_timeout * 1000))
    driver = url.get_driver_name()
    if url.get_backend_name() == "postgresql":
        if driver == "asyncpg":
            return {
                "timeout": settings.connect_timeout,
                "server_settings": {"statement_timeout": statement_ms},
            }
        if driver == "pg8000":
            return {
                "timeout": settings.connect_timeout,
                "startup_params": {"statement_timeout": statement_ms},
            }
        # psycopg and psycopg2 (libpq): whole seconds, of which libpq takes at least 2.
        return {
            "connect_timeout": max(2, math.ceil(settings.connect_timeout)),
            "options": f"-c statement_timeout={statement_ms}",
        }
    if url.get_backend_name() == "mysql":
        # mysqlclient takes whole seconds; PyMySQL, aiomysql and asyncmy take them too.
        limits: dict[str, Any] = {"connect_timeout": max(1, math.ceil(settings.connect_timeout))}
        if driver == "pymysql":
            # PyMySQL's connect_timeout covers the TCP connection only: a server that
            # takes it and never sends its greeting would hold the request forever. So
            # every read has a limit, past STATEMENT_TIMEOUT (where MariaDB stops any
            # statement, MySQL a SELECT): a server that stopped answering reaches it.
            limits["read_timeout"] = settings.statement_timeout + settings.connect_timeout
        return limits
    return {}


def limit_mysql_statement_time(engine: Engine, seconds: float) -> None:
    """MariaDB stops any statement after ``max_statement_time`` (seconds); MySQL stops a
    SELECT after ``max_execution_time`` (milliseconds) and has no limit for the others."""
    if engine.dialect.name != "mysql":
        return

    @event.listens_for(engine, "connect")
    def _limit_statement_time(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.is_mariadb:
            cursor.execute(f"SET SESSION max_statement_time = {seconds:.3f}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {round(seconds * 1000)}")
        cursor.close()


# The application's pool: up to POOL_SIZE connections, each opened when first needed and
# then kept. No overflow: SQLAlchemy closes an overflow connection as soon as the pool
# has pool_size idle ones, so a load hovering around that size would open a new one (a
# server process, on PostgreSQL) for many of its requests. A request that finds none free
# within POOL_TIMEOUT seconds gets a 503.
@lru_cache
def get_engine() -> {{ "AsyncEngine" if async_api else "Engine" }}:
    settings = get_settings()
    engine = create_database_engine(
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_timeout=settings.pool_timeout,
        connect_args=time_limits(settings),
    )
    limit_mysql_statement_time(engine{{ ".sync_engine" if async_api }}, settings.statement_timeout)
    return engine


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
