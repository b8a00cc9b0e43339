"""Alembic environment: the URL comes from the settings, the tables from the models.

Every ``models`` module under ``{{ cookiecutter.package_name }}`` is imported by
``import_models()``, so a new resource needs no edit here.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine, create_engine, make_url, pool

from {{ cookiecutter.package_name }}.database.discovery import import_models
from {{ cookiecutter.package_name }}.database.migrations import process_revision_directives
from {{ cookiecutter.package_name }}.settings import get_settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = import_models()


def configure(dialect_name: str, **options) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite alters tables by copying them; batch mode does that for us.
        render_as_batch=dialect_name == "sqlite",
        process_revision_directives=process_revision_directives,
        **options,
    )


def run_migrations_offline() -> None:
    """Write the SQL to stdout (``alembic upgrade head --sql``) instead of running it."""
    # The URL goes to Alembic directly: alembic.ini's interpolation would choke on
    # a percent-encoded password.
    url = make_url(get_settings().database_url)
    configure(url.get_backend_name(), url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Tests (pytest-alembic) and scripts may hand over an Engine or a Connection.
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_engine(get_settings().database_url, poolclass=pool.NullPool)
    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            run_migrations(connection)
    else:
        run_migrations(connectable)


def run_migrations(connection: Connection) -> None:
    configure(connection.dialect.name, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
