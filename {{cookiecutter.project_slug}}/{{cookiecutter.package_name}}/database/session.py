"""Engine and sessions for the application, built on first use from the settings."""

from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

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


def create_database_engine(url=None) -> Engine:
    """An engine for ``url`` (the settings' by default), with the project's rules applied."""
    engine = create_engine(url or get_settings().database_url, pool_pre_ping=True)
    enforce_sqlite_foreign_keys(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    return create_database_engine()


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    # Every model is imported before the first session, so relationships named by
    # string resolve whichever module the application imported first.
    import_models()
    configure_mappers()
    return sessionmaker(get_engine(), expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """One session per unit of work (for example a web framework dependency)."""
    with get_sessionmaker()() as session:
        yield session
