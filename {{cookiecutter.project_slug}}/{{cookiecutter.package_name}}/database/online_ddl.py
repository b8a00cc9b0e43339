"""Autogenerate writes PostgreSQL changes to existing tables in their online form.

A plain ``CREATE INDEX`` or ``ADD FOREIGN KEY`` on a table in use blocks its writes for as
long as the index is built or every row is checked. Revisions written by
``alembic revision --autogenerate`` build such an index ``CONCURRENTLY`` and add such a key
``NOT VALID``, validating it afterwards, each outside the revision's transaction
(PostgreSQL refuses the first inside one, and the second is only short there). Tables the
same revision creates are empty: their indexes and keys stay as Alembic writes them.

Only the written revision changes; what runs it is plain Alembic (``op`` and
``autocommit_block``), so revisions still import nothing of the application.
"""

from alembic.autogenerate import renderers
from alembic.operations import MigrateOperation, ops


class OutsideTransactionOp(MigrateOperation):
    """Operations run in autocommit mode, between the revision's transactions."""

    def __init__(self, *operations: MigrateOperation) -> None:
        self.operations = operations


class SquawkAcknowledgementOp(MigrateOperation):
    """A ``# squawk-ignore:`` comment in the revision, just above the operation it excuses
    (see tests/test_migration_review.py)."""

    def __init__(self, rule: str, target: str, reason: str) -> None:
        self.rule, self.target, self.reason = rule, target, reason


class ValidateConstraintOp(MigrateOperation):
    """``ALTER TABLE ... VALIDATE CONSTRAINT``: checks the rows with writes still allowed."""

    def __init__(self, table_name: str, constraint_name: str, schema: str | None) -> None:
        self.table_name = table_name
        self.constraint_name = constraint_name
        self.schema = schema


@renderers.dispatch_for(OutsideTransactionOp)
def _render_outside_transaction(autogen_context, operation: OutsideTransactionOp) -> str:
    body = "\n".join(
        renderers.dispatch(inner)(autogen_context, inner) for inner in operation.operations
    )
    indented = "\n".join(f"    {line}" if line else line for line in body.splitlines())
    return f"with op.get_context().autocommit_block():\n{indented}"


@renderers.dispatch_for(SquawkAcknowledgementOp)
def _render_squawk_acknowledgement(autogen_context, operation: SquawkAcknowledgementOp) -> str:
    return f"# squawk-ignore: {operation.rule}: {operation.target}: {operation.reason}"


@renderers.dispatch_for(ValidateConstraintOp)
def _render_validate_constraint(autogen_context, operation: ValidateConstraintOp) -> str:
    quote = autogen_context.dialect.identifier_preparer.quote
    table = quote(operation.table_name)
    if operation.schema:
        table = f"{quote(operation.schema)}.{table}"
    statement = f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(operation.constraint_name)}"
    return f"op.execute({statement!r})"


def write_online_ddl(script: ops.MigrationScript, dialect_name: str) -> None:
    """Rewrite ``script``'s upgrade and downgrade for a database in use (PostgreSQL only;
    MySQL's InnoDB builds indexes and keys online by itself)."""
    if dialect_name != "postgresql":
        return
    for container in (*script.upgrade_ops_list, *script.downgrade_ops_list):
        _rewrite(container)


def _rewrite(container: ops.OpContainer) -> None:
    # A table created or dropped by the same operations is not in use by them.
    new_or_gone = {
        (operation.schema, operation.table_name)
        for operation in container.ops
        if isinstance(operation, ops.CreateTableOp | ops.DropTableOp)
    }
    existing = [operation for operation in container.ops if _table(operation) not in new_or_gone]
    changes = [
        inner
        for operation in existing
        for inner in (operation.ops if isinstance(operation, ops.ModifyTableOps) else [operation])
    ]
    if not any(isinstance(change, ONLINE_FORMS) for change in changes):
        return
    # Work outside the transaction is committed as it goes: if a later step fails, the
    # revision is run again from the top, so every step must be safe to repeat.
    for change in changes:
        _make_repeatable(change)
    for operation in existing:
        if isinstance(operation, ops.ModifyTableOps):
            operation.ops[:] = [online for inner in operation.ops for online in _online(inner)]
    container.ops[:] = [
        online
        for operation in container.ops
        for online in (_online(operation) if operation in existing else [operation])
    ]


def _table(operation: MigrateOperation) -> tuple[str | None, str | None]:
    """(schema, table) that ``operation`` changes; a foreign key names its source's."""
    if isinstance(operation, ops.CreateForeignKeyOp):
        return operation.kw.get("source_schema"), operation.source_table
    return getattr(operation, "schema", None), getattr(operation, "table_name", None)


def _make_repeatable(operation: MigrateOperation) -> None:
    if isinstance(operation, ops.AddColumnOp | ops.CreateIndexOp):
        operation.if_not_exists = True
    elif isinstance(operation, ops.DropColumnOp | ops.DropIndexOp | ops.DropConstraintOp):
        operation.if_exists = True


def _online(operation: MigrateOperation) -> list[MigrateOperation]:
    """``operation`` in the form that does not block writes for long."""
    if isinstance(operation, ops.CreateIndexOp | ops.DropIndexOp):
        operation.kw["postgresql_concurrently"] = True
        return [OutsideTransactionOp(operation)]
    if isinstance(operation, ops.CreateForeignKeyOp):
        operation.kw["postgresql_not_valid"] = True
        schema = operation.kw.get("source_schema")
        name, table = operation.constraint_name, operation.source_table
        return [
            SquawkAcknowledgementOp(
                "ban-drop-constraint", table, "only what a failed run of this revision added"
            ),
            # What an earlier, failed run of this revision left.
            ops.DropConstraintOp(name, table, "foreignkey", schema=schema, if_exists=True),
            operation,
            OutsideTransactionOp(ValidateConstraintOp(table, str(name), schema)),
        ]
    return [operation]


# What the online forms rewrite.
ONLINE_FORMS = (ops.CreateIndexOp, ops.DropIndexOp, ops.CreateForeignKeyOp)
