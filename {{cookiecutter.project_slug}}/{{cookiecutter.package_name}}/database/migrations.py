"""What Alembic needs beyond its defaults, used by ``alembic/env.py``.

Revisions never import this module: a revision runs with Alembic, SQLAlchemy and what
its own imports name, however the application is refactored later.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from alembic.autogenerate import renderers
from alembic.config import Config
from alembic.operations import MigrateOperation, ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import BigInteger, Connection, Enum, Identity, String, Text, text
from sqlalchemy.types import TypeDecorator


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Render the project's own column types (``TypeDecorator``) as the type they store.

    The database only knows the stored type; rendering ``sa.DateTime(timezone=True)``
    instead of ``{{ cookiecutter.package_name }}.database.types.UTCDateTime()`` keeps
    revisions free of application imports.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        stored = obj.impl_instance
        if type(stored).__module__.startswith("sqlalchemy.sql."):
            return f"sa.{stored!r}"
    return False


def server_default_comparison(dialect_name: str):
    """Alembic's own server default comparison, where the backend has identity columns
    (PostgreSQL); elsewhere (SQLite, MySQL) one that does not count ``Identity()`` as a
    default: the key auto-increments without one there."""
    return True if dialect_name == "postgresql" else _compare_all_but_identity


def _compare_all_but_identity(
    migration_context, inspected_column, metadata_column, inspected_default, metadata_default, _
) -> bool | None:
    if isinstance(metadata_column.server_default, Identity):
        return False
    return None  # Alembic compares as usual


def writes_a_revision_file(config: Config | None) -> bool:
    """Whether this run is ``alembic revision --autogenerate``, which writes a file, rather
    than ``alembic check``, which autogenerates too but writes nothing.

    As in Alembic's cookbook, the command line's options say so. Code calling
    ``command.revision(config, autogenerate=True)`` says so the same way, on its Config:
    ``config.cmd_opts = argparse.Namespace(autogenerate=True)``.
    """
    return config is not None and getattr(config.cmd_opts, "autogenerate", False) is True


def process_revision_directives(context: MigrationContext, revision, directives) -> None:
    """An autogenerate run that finds no change writes no revision file; one that destroys
    data says so, in the file and on the terminal."""
    if not directives or not writes_a_revision_file(context.config):
        return
    script = directives[0]
    if all(upgrade_ops.is_empty() for upgrade_ops in script.upgrade_ops_list):
        directives[:] = []
        print("No changes in the models: no revision written.")
        return
    for upgrade_ops in script.upgrade_ops_list:
        for warning in mark_data_loss(upgrade_ops):
            print(f"warning: revision {script.rev_id} {warning}")
        if context.dialect.name == "postgresql":
            acknowledge_longer_varchars(upgrade_ops)


class DataLossWarningOp(MigrateOperation):
    """A comment in the revision, just above an operation that destroys data."""

    def __init__(self, message: str) -> None:
        self.message = message


@renderers.dispatch_for(DataLossWarningOp)
def _render_data_loss_warning(autogen_context, operation: DataLossWarningOp) -> str:
    return f"# WARNING: {operation.message}"


class SquawkAcknowledgementOp(MigrateOperation):
    """A ``# squawk-ignore:`` comment in the revision, just above the operation it excuses
    (see tests/test_migration_review.py)."""

    def __init__(self, rule: str, target: str, reason: str) -> None:
        self.rule, self.target, self.reason = rule, target, reason


@renderers.dispatch_for(SquawkAcknowledgementOp)
def _render_squawk_acknowledgement(autogen_context, operation: SquawkAcknowledgementOp) -> str:
    return f"# squawk-ignore: {operation.rule}: {operation.target}: {operation.reason}"


def acknowledge_longer_varchars(container) -> None:
    """Acknowledge squawk's changing-column-type above each operation that only makes a
    VARCHAR longer: PostgreSQL rewrites no row for it, and its brief lock is bounded by
    the migrations' lock_timeout."""
    acknowledged = []
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps):
            acknowledge_longer_varchars(operation)
        if isinstance(operation, ops.AlterColumnOp) and lengthens_a_varchar(operation):
            acknowledged.append(
                SquawkAcknowledgementOp(
                    "changing-column-type",
                    f"{operation.table_name}.{operation.column_name}",
                    "a longer VARCHAR rewrites no row",
                )
            )
        acknowledged.append(operation)
    container.ops[:] = acknowledged


def lengthens_a_varchar(operation: ops.AlterColumnOp) -> bool:
    old, new = operation.existing_type, operation.modify_type
    if not all(
        isinstance(type_, String) and not isinstance(type_, (Text, Enum)) for type_ in (old, new)
    ):
        return False
    return old.length is not None and (new.length is None or new.length > old.length)


def mark_data_loss(container) -> list[str]:
    """Put a warning above each operation of ``container`` that destroys data; return them."""
    warnings = []
    marked = []
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps):
            warnings += mark_data_loss(operation)
        message = data_loss(operation)
        if message:
            marked.append(DataLossWarningOp(message))
            warnings.append(message)
        marked.append(operation)
    container.ops[:] = marked
    return warnings


def data_loss(operation) -> str | None:
    """What ``operation`` destroys, or None when it keeps every value."""
    if isinstance(operation, ops.DropTableOp):
        return f"drops table {operation.table_name} and every row in it."
    if isinstance(operation, ops.DropColumnOp):
        return (
            f"drops column {operation.table_name}.{operation.column_name} and its values"
            " (a renamed column shows up as a drop plus an add: use op.alter_column"
            " with new_column_name to keep them)."
        )
    if isinstance(operation, ops.AlterColumnOp) and operation.modify_type is not None:
        if may_truncate(operation.existing_type, operation.modify_type):
            return (
                f"changes the type of {operation.table_name}.{operation.column_name} from"
                f" {operation.existing_type} to {operation.modify_type}, which can cut or"
                " refuse existing values."
            )
    return None


def may_truncate(old, new) -> bool:
    """Whether values of type ``old`` may not fit ``new`` (a narrower or different type)."""
    if old is None or old._type_affinity is not new._type_affinity:
        return True
    if isinstance(old, BigInteger) and not isinstance(new, BigInteger):
        return True
    for attribute in ("length", "precision", "scale"):
        before, after = getattr(old, attribute, None), getattr(new, attribute, None)
        if after is not None and (before is None or after < before):
            return True
    return False


def set_postgresql_timeouts(timeouts) -> None:
    """``--sql``: the script sets the lock and statement timeouts first, for its whole
    session (not ``SET LOCAL``: see ``postgresql_timeouts``)."""
    for name, value in timeout_settings(timeouts).items():
        context.execute(f"SET {name} = '{value}'")


@contextmanager
def postgresql_timeouts(connection: Connection, timeouts) -> Iterator[None]:
    """Hold the lock and statement timeouts on ``connection`` for every statement of the run,
    then give it its own values back: a connection handed in is the caller's, and one of a
    caller's engine goes back to its pool.

    They are session settings, not ``SET LOCAL``: each revision runs in a transaction of
    its own, and an ``autocommit_block()`` commits in the middle of one.
    """
    in_callers_transaction = connection.in_transaction()
    previous = {
        name: connection.execute(text("SELECT current_setting(:name)"), {"name": name}).scalar()
        for name in timeout_settings(timeouts)
    }
    # Committed, unless the caller's transaction is open, so that Alembic finds no
    # transaction of ours and runs each revision in one of its own.
    set_session(connection, timeout_settings(timeouts), commit=not in_callers_transaction)
    try:
        yield
    except BaseException:
        # Inside the caller's transaction, the caller's rollback takes them back too.
        if not in_callers_transaction and not connection.invalidated:
            connection.rollback()
            set_session(connection, previous, commit=True)
        raise
    set_session(connection, previous, commit=not in_callers_transaction)


def timeout_settings(timeouts) -> dict[str, str]:
    return {"lock_timeout": timeouts.lock_timeout, "statement_timeout": timeouts.statement_timeout}


def set_session(connection: Connection, settings: dict[str, str], commit: bool) -> None:
    for name, value in settings.items():
        connection.execute(
            text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value}
        )
    if commit:
        connection.commit()


# The key of the migration lock among PostgreSQL's advisory locks (which are per
# database): any fixed number that the application does not use for locks of its own.
POSTGRESQL_MIGRATION_LOCK = int.from_bytes(b"alembic")
# How long an `alembic upgrade` on MySQL waits for another one to finish.
MYSQL_MIGRATION_LOCK_WAIT_SECONDS = 3600


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold a lock on the database while the migrations run.

    Two ``alembic upgrade head`` at once (two deploys, a retry racing the first attempt)
    would otherwise both read the same current revision and both apply the next one. With
    the lock the second waits, then finds the database at head and does nothing. It is a
    session lock taken before the migration transaction begins, so the migrations'
    ``lock_timeout`` does not apply to the wait; it ends with the connection at the latest.
    SQLite has no such lock: its database is a file on one machine, migrated from there.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        acquire = text("SELECT pg_advisory_lock(:key)").bindparams(key=POSTGRESQL_MIGRATION_LOCK)
        release = text("SELECT pg_advisory_unlock(:key)").bindparams(key=POSTGRESQL_MIGRATION_LOCK)
    elif dialect == "mysql":
        # MySQL's named locks are server-wide: the name says which database.
        name = f"alembic:{connection.exec_driver_sql('SELECT DATABASE()').scalar()}"[:64]
        acquire = text("SELECT GET_LOCK(:name, :wait)").bindparams(
            name=name, wait=MYSQL_MIGRATION_LOCK_WAIT_SECONDS
        )
        release = text("SELECT RELEASE_LOCK(:name)").bindparams(name=name)
    else:
        yield
        return
    acquired = connection.execute(acquire).scalar()
    # The lock outlives this transaction; Alembic begins its own for the migrations.
    connection.commit()
    if dialect == "mysql" and acquired != 1:
        raise RuntimeError(
            f"another migration held the lock for {MYSQL_MIGRATION_LOCK_WAIT_SECONDS}s; try again"
        )
    try:
        yield
    finally:
        if not connection.invalidated:
            connection.rollback()
            connection.execute(release)
            connection.commit()


@contextmanager
def sqlite_foreign_keys_checked_per_revision(connection: Connection) -> Iterator:
    """Run migrations with SQLite's foreign keys off, checking them after each revision.

    SQLite's own procedure for altering tables turns the keys off: batch mode copies and
    drops tables, and with the keys on, dropping a referenced table would delete (or
    cascade to) the rows pointing at it. Each revision is checked instead, and one that
    leaves a broken reference fails. Yields the ``on_version_apply`` callback that checks.
    """
    if connection.dialect.name != "sqlite":
        yield []
        return
    was_on = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield [check_sqlite_foreign_keys]
    finally:
        if was_on:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def check_sqlite_foreign_keys(ctx: MigrationContext, step, heads, run_args) -> None:
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        references = ", ".join(sorted({f"{row[0]} -> {row[2]}" for row in broken}))
        raise RuntimeError(
            f"revision {step.up_revision_id or step.down_revision_ids} left rows whose"
            f" foreign keys point nowhere: {references}"
        )
