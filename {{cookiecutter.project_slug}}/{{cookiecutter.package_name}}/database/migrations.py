"""What Alembic needs beyond its defaults, used by ``alembic/env.py``.

Revisions never import this module: a revision runs with Alembic, SQLAlchemy and what
its own imports name, however the application is refactored later.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.operations import MigrateOperation, Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
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


def writes_a_revision_file(context: MigrationContext) -> bool:
    """Whether this run is ``revision --autogenerate`` (from the CLI or ``command.revision``)
    rather than ``check``, which autogenerates too but writes nothing."""
    revision_context = context.opts.get("revision_context")
    if revision_context is None or not revision_context.command_args.get("autogenerate"):
        return False
    # Nothing else tells the two apart: look for command.check on the call stack.
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code is command.check.__code__:
            return False
        frame = frame.f_back
    return True


def process_revision_directives(context: MigrationContext, revision, directives) -> None:
    """An autogenerate run that finds no change writes no revision file."""
    if not directives or not writes_a_revision_file(context):
        return
    if all(ops.is_empty() for ops in directives[0].upgrade_ops_list):
        directives[:] = []
        print("No changes in the models: no revision written.")


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


# Revisions written by earlier versions of this project call op.drop_enum_type();
# newer ones drop enum types with SQLAlchemy alone. Kept so those revisions still run.
@Operations.register_operation("drop_enum_type")
class DropEnumTypeOp(MigrateOperation):
    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    @classmethod
    def drop_enum_type(cls, operations: Operations, type_name: str) -> None:
        operations.invoke(cls(type_name))


@Operations.implementation_for(DropEnumTypeOp)
def _drop_enum_type(operations: Operations, operation: DropEnumTypeOp) -> None:
    dialect = operations.get_context().dialect
    if dialect.name == "postgresql":
        type_name = dialect.identifier_preparer.quote(operation.type_name)
        operations.execute(f"DROP TYPE IF EXISTS {type_name}")
