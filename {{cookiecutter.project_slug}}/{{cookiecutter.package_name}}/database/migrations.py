"""What Alembic needs beyond its defaults, used by ``alembic/env.py``.

* PostgreSQL keeps enum types apart from tables, and autogenerate does not drop them:
  a downgrade would leave ``item_status`` behind and the next upgrade would fail with
  'type "item_status" already exists'. Revisions that drop a table (or column) also
  drop the enum types nothing else uses, through ``op.drop_enum_type()``.
* An autogenerate run that finds no change writes no revision file.
"""

from alembic.autogenerate import renderers
from alembic.operations import MigrateOperation, Operations, ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Enum, MetaData


@Operations.register_operation("drop_enum_type")
class DropEnumTypeOp(MigrateOperation):
    """Drop a PostgreSQL enum type; other backends keep enums inside their tables."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    @classmethod
    def drop_enum_type(cls, operations: Operations, type_name: str) -> None:
        operations.invoke(cls(type_name))


@Operations.implementation_for(DropEnumTypeOp)
def _drop_enum_type(operations: Operations, operation: DropEnumTypeOp) -> None:
    dialect = operations.get_context().dialect
    if dialect.name == "postgresql":
        # SQLAlchemy's DropEnumType has no IF EXISTS; quote the name as the dialect does.
        type_name = dialect.identifier_preparer.quote(operation.type_name)
        operations.execute(f"DROP TYPE IF EXISTS {type_name}")


@renderers.dispatch_for(DropEnumTypeOp)
def _render_drop_enum_type(autogen_context, operation: DropEnumTypeOp) -> str:
    return f"op.drop_enum_type({operation.type_name!r})"


def _enum_type_names(columns) -> set[str]:
    return {
        column.type.name
        for column in columns
        if isinstance(column, Column) and isinstance(column.type, Enum) and column.type.name
    }


def drop_enum_types_with_their_tables(script: ops.MigrationScript, metadata: MetaData) -> None:
    """Append ``drop_enum_type`` to each direction that drops the last user of a type."""
    for container in (*script.upgrade_ops_list, *script.downgrade_ops_list):
        dropped_tables = [op for op in container.ops if isinstance(op, ops.DropTableOp)]
        dropped_columns = [
            (table_ops.table_name, op)
            for table_ops in container.ops
            if isinstance(table_ops, ops.ModifyTableOps)
            for op in table_ops.ops
            if isinstance(op, ops.DropColumnOp)
        ]
        released = _enum_type_names(
            [column for op in dropped_tables for column in op.to_table().columns]
            + [op.to_column() for _, op in dropped_columns]
        )
        gone = {op.table_name for op in dropped_tables}
        gone_columns = {(table, op.column_name) for table, op in dropped_columns}
        still_used = _enum_type_names(
            column
            for table in metadata.tables.values()
            if table.name not in gone
            for column in table.columns
            if (table.name, column.name) not in gone_columns
        )
        container.ops.extend(DropEnumTypeOp(name) for name in sorted(released - still_used))


def process_revision_directives(context: MigrationContext, revision, directives) -> None:
    script = directives[0]
    autogenerate = getattr(context.config.cmd_opts, "autogenerate", False)
    if autogenerate and all(upgrade_ops.is_empty() for upgrade_ops in script.upgrade_ops_list):
        directives[:] = []
        print("No changes in the models: no revision written.")
        return
    drop_enum_types_with_their_tables(script, context.opts["target_metadata"])
