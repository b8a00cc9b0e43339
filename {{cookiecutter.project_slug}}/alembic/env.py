{%- set async_api = cookiecutter.database_api == "async" -%}
"""Alembic environment: the URL comes from the settings, the tables from the models.

Every resource's ``models`` module under ``{{ cookiecutter.package_name }}`` is imported
by ``import_models()``, so a new resource needs no edit here.
{%- if async_api %}

Online, the migrations run through the application's async driver: one connection of
an async engine, on which the (synchronous) migration code runs with ``run_sync``.
{%- endif %}
"""
{% if async_api %}
import asyncio
{%- endif %}
import sys
from contextlib import AbstractContextManager, nullcontext
from logging.config import fileConfig
{% if cookiecutter.__database_backend == "postgresql" %}
# Autogenerate support for PostgreSQL enum types: created and dropped with their
# columns, and their values kept in step with the models.
import alembic_postgresql_enum  # noqa: F401
{%- endif %}
from alembic import context
{%- if async_api %}
from sqlalchemy import URL, Connection, Engine, make_url, pool
from sqlalchemy.ext.asyncio import AsyncEngine
{%- else %}
from sqlalchemy import URL, Connection, Engine, make_url, pool
{%- endif %}

from {{ cookiecutter.package_name }}.database import autogenerate_filter, migrations, squashed
from {{ cookiecutter.package_name }}.database.discovery import ModelsLeftOut, import_models
from {{ cookiecutter.package_name }}.database.session import create_database_engine
from {{ cookiecutter.package_name }}.settings import (
    MigrationSettings,
    get_settings,
    normalise_database_url,
)

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

try:
    target_metadata = import_models()
except ModelsLeftOut as error:
    # One line, no traceback, and no revision written.
    sys.exit(f"error: {error}")


def database_url() -> URL:
    """A ``sqlalchemy.url`` set on Alembic's Config (by a script or test) wins over the settings."""
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return normalise_database_url(make_url(configured))
    return get_settings().database_url


def configure(dialect_name: str, **options) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=migrations.server_default_comparison(dialect_name),
        # Alembic's own comparisons, and the project's (JSON defaults on PostgreSQL).
        autogenerate_plugins=["alembic.autogenerate.*", migrations.AUTOGENERATE_PLUGIN],
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=dialect_name == "sqlite",
        render_item=migrations.render_item,
        # Which tables are ours to compare (database/autogenerate_filter.py).
        include_object=autogenerate_filter.include_object,
        process_revision_directives=migrations.process_revision_directives,
        # A revision may use what the one before it committed (on PostgreSQL, an enum
        # value added by ALTER TYPE ... ADD VALUE), and one that fails keeps those before it.
        transaction_per_migration=True,
        **options,
    )


def run_migrations_offline() -> None:
    """Write the SQL to stdout (``alembic upgrade head --sql``) instead of running it."""
    # The URL goes to Alembic directly: alembic.ini's interpolation would choke on
    # a percent-encoded password.
    url = database_url()
    configure(url.get_backend_name(), url=url, literal_binds=True)
    if url.get_backend_name() == "postgresql":
        migrations.set_postgresql_timeouts(MigrationSettings())
    with context.begin_transaction():
        context.run_migrations()


{% if async_api -%}
def run_migrations_online() -> None:
    # Tests (pytest-alembic) and scripts may hand over an AsyncEngine, an Engine or a
    # Connection; async code hands over its connection through
    # ``await async_connection.run_sync(...)``, already inside its event loop.
    connectable = config.attributes.get("connection")
    if isinstance(connectable, Connection):
        run_migrations(connectable)
    elif isinstance(connectable, Engine):
        with connectable.connect() as connection:
            run_locked_migrations(connection)
    else:
        asyncio.run(run_async_migrations(connectable))


async def run_async_migrations(engine: AsyncEngine | None) -> None:
    """Run the migrations on one connection of ``engine`` (a new one on the settings' URL
    when None, disposed of afterwards)."""
    owned = engine is None
    if owned:
        engine = create_database_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_locked_migrations)
    finally:
        if owned:
            await engine.dispose()
{%- else -%}
def run_migrations_online() -> None:
    # Tests (pytest-alembic) and scripts may hand over an Engine or a Connection.
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_database_engine(database_url(), poolclass=pool.NullPool)
    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            run_locked_migrations(connection)
    else:
        run_migrations(connectable)
{%- endif %}


def run_locked_migrations(connection: Connection) -> None:
    """On a connection of our own: other `alembic upgrade` runs wait while this one
    migrates. (A Connection handed in is the caller's, in the caller's transaction.)"""
    with migrations.migration_lock(connection):
        run_migrations(connection)


def run_migrations(connection: Connection) -> None:
    with (
        migrations.sqlite_foreign_keys_checked_per_revision(connection) as on_version_apply,
        migrations.failure_explained() as follow_the_run,
        migration_timeouts(connection),
    ):
        configure(
            connection.dialect.name,
            connection=connection,
            on_version_apply=[*on_version_apply, follow_the_run],
        )
        with context.begin_transaction():
            # A database left behind a squash: say so, rather than Alembic's bare "Can't
            # locate revision". One line, no traceback (an exit, which failure_explained
            # leaves alone: no revision ran); the version table was read, nothing written.
            current = context.get_context().get_current_heads()
            left_behind = squashed.left_behind(current, context.script)
            if left_behind:
                sys.exit(f"error: {left_behind}")
            context.run_migrations()


def migration_timeouts(connection: Connection) -> AbstractContextManager:
    # PostgreSQL migrations give up on a lock or a statement that takes too long rather
    # than block the service (MigrationSettings); other backends have no such setting.
    if connection.dialect.name == "postgresql":
        return migrations.postgresql_timeouts(connection, MigrationSettings())
    return nullcontext()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
