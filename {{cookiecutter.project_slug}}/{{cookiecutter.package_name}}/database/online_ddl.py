"""Autogenerate writes PostgreSQL changes to existing tables in their online form.

A plain ``CREATE INDEX`` or ``ADD FOREIGN KEY`` on a table in use blocks its writes for as
long as the index is built or every row is checked. Revisions written by
``alembic revision --autogenerate`` build such an index ``CONCURRENTLY`` and add such a key
``NOT VALID``, validating it afterwards, each outside the revision's transaction
(PostgreSQL refuses the first inside one, and the second is only short there). A unique
constraint is added over a unique index built the same way; ``NOT NULL`` on a column is
set once a ``NOT VALID`` check, validated the same way, vouches for every row (PostgreSQL
then skips its own scan). Tables the same revision creates are empty: their indexes, keys
and constraints stay as Alembic writes them. A value added to an enum type names its
place, and may be added again.

Only the written revision changes; what runs it is plain Alembic (``op`` and
``autocommit_block``), so revisions still import nothing of the application.
"""

import hashlib

from alembic.autogenerate import renderers
from alembic.operations import MigrateOperation, ops
{%- if cookiecutter.__database_backend == "postgresql" %}
from alembic_postgresql_enum.operations import AddEnumValuesOp
{%- endif %}
from sqlalchemy import Float, Numeric
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import conv

# How PostgreSQL quotes a name that needs it (a reserved word, capitals).
quote = postgresql.dialect().identifier_preparer.quote
# PostgreSQL's longest name, in bytes.
NAME_LIMIT = 63


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
    table = _qualified(operation.table_name, operation.schema)
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
    if any(_has_steps_outside_transaction(change) for change in changes):
        # Work outside the transaction is committed as it goes: if a later step fails, the
        # revision is run again from the top, so every step must be safe to repeat, those
        # on the tables it creates too.
        for step in _in_render_order(container):
            _make_repeatable(step)
    for operation in existing:
        if isinstance(operation, ops.ModifyTableOps):
            operation.ops[:] = [online for inner in operation.ops for online in _online(inner)]
    container.ops[:] = [
        online
        for operation in container.ops
        for online in (_online(operation) if operation in existing else [operation])
    ]
    _acknowledge_committed_alters(container)


def _acknowledge_committed_alters(container: ops.OpContainer) -> None:
    """An ``ALTER COLUMN`` followed by an autocommit block is committed before the revision
    ends, and runs again if the revision is run again: squawk's prefer-robust-stmts says
    so. Setting a type, a default or NOT NULL a second time changes nothing."""
    in_order = list(_in_render_order(container))
    outside = [
        index for index, step in enumerate(in_order) if isinstance(step, OutsideTransactionOp)
    ]
    if not outside:
        return
    committed = {
        id(step)
        for step in in_order[: outside[-1]]
        if isinstance(step, ops.AlterColumnOp) and _repeats_harmlessly(step)
    }
    for parent in (container, *_tables(container)):
        parent.ops[:] = [
            acknowledged
            for step in parent.ops
            for acknowledged in (
                [*_prefer_robust_acknowledgements(step), step] if id(step) in committed else [step]
            )
        ]


def _tables(container: ops.OpContainer) -> list[ops.ModifyTableOps]:
    return [step for step in container.ops if isinstance(step, ops.ModifyTableOps)]


def _in_render_order(container: ops.OpContainer):
    for step in container.ops:
        if isinstance(step, ops.ModifyTableOps):
            yield from step.ops
        else:
            yield step


def _repeats_harmlessly(operation: ops.AlterColumnOp) -> bool:
    # A rename, or a type change that converts values (USING), does not.
    return operation.modify_name is None and "postgresql_using" not in operation.kw


def _prefer_robust_acknowledgements(operation: ops.AlterColumnOp) -> list:
    """One for each statement the alter renders (type, NOT NULL, default)."""
    statements = [
        operation.modify_type is not None,
        operation.modify_nullable is not None,
        operation.modify_server_default is not False,
    ]
    return [
        SquawkAcknowledgementOp(
            "prefer-robust-stmts",
            f"{operation.table_name}.{operation.column_name}",
            "run again, it changes nothing",
        )
    ] * sum(statements)


def _has_steps_outside_transaction(operation: MigrateOperation) -> bool:
    return isinstance(operation, ONLINE_FORMS) or _sets_not_null(operation)


def _table(operation: MigrateOperation) -> tuple[str | None, str | None]:
    """(schema, table) that ``operation`` changes; a foreign key names its source's."""
    if isinstance(operation, ops.CreateForeignKeyOp):
        return operation.kw.get("source_schema"), operation.source_table
    return getattr(operation, "schema", None), getattr(operation, "table_name", None)


def _make_repeatable(operation: MigrateOperation) -> None:
    if isinstance(operation, ops.AddColumnOp | ops.CreateIndexOp | ops.CreateTableOp):
        operation.if_not_exists = True
    elif isinstance(
        operation, ops.DropColumnOp | ops.DropIndexOp | ops.DropConstraintOp | ops.DropTableOp
    ):
        operation.if_exists = True


def _online(operation: MigrateOperation) -> list[MigrateOperation]:
    """``operation`` in the form that does not block writes for long."""
    if isinstance(operation, ops.CreateIndexOp):
        operation.kw["postgresql_concurrently"] = True
        # A build that failed (a timeout, a duplicate value) leaves its index behind,
        # INVALID, and IF NOT EXISTS would keep it: it is dropped first.
        leftover = ops.DropIndexOp(
            operation.index_name,
            operation.table_name,
            schema=operation.schema,
            if_exists=True,
            postgresql_concurrently=True,
        )
        return [OutsideTransactionOp(leftover, operation)]
    if isinstance(operation, ops.DropIndexOp):
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
    if isinstance(operation, ops.CreateUniqueConstraintOp):
        return _unique_over_a_concurrent_index(operation)
    if _sets_not_null(operation):
        return _not_null_vouched_by_a_check(operation)
{%- if cookiecutter.__database_backend == "postgresql" %}
    if isinstance(operation, AddEnumValuesOp):
        return _enum_values_in_place(operation)
{%- endif %}
    return [operation]


def _unique_over_a_concurrent_index(operation: ops.CreateUniqueConstraintOp) -> list:
    """``ADD CONSTRAINT ... UNIQUE`` builds its index with writes blocked; ``UNIQUE USING
    INDEX`` takes over one built ``CONCURRENTLY`` (and renames it: same name here)."""
    name, table, schema = operation.constraint_name, operation.table_name, operation.schema
    return [
        SquawkAcknowledgementOp(
            "ban-drop-constraint", table, "only what a failed run of this revision added"
        ),
        # What an earlier, failed run left: the constraint (with its index), or an index
        # whose build failed (on duplicate values, say), which PostgreSQL keeps, invalid.
        ops.DropConstraintOp(name, table, "unique", schema=schema, if_exists=True),
        OutsideTransactionOp(
            ops.DropIndexOp(
                name, table, schema=schema, if_exists=True, postgresql_concurrently=True
            ),
            ops.CreateIndexOp(
                name,
                table,
                list(operation.columns),
                schema=schema,
                unique=True,
                if_not_exists=True,
                postgresql_concurrently=True,
            ),
        ),
        ops.ExecuteSQLOp(
            f"ALTER TABLE {_qualified(table, schema)} ADD CONSTRAINT {quote(str(name))}"
            f" UNIQUE USING INDEX {quote(str(name))}"
        ),
    ]


def _sets_not_null(operation: MigrateOperation) -> bool:
    # A change of type rewrites the table anyway: that alter is left as it is.
    return (
        isinstance(operation, ops.AlterColumnOp)
        and operation.modify_nullable is False
        and operation.existing_nullable is not False
        and operation.modify_type is None
    )


def _not_null_vouched_by_a_check(operation: ops.AlterColumnOp) -> list:
    """``SET NOT NULL`` alone scans the table with reads and writes blocked; after a
    validated ``CHECK (column IS NOT NULL)`` PostgreSQL (12 and later) skips the scan."""
    table, column, schema = operation.table_name, operation.column_name, operation.schema
    # As it is: the naming convention would put its ck_<table>_ in front again.
    check = conv(_name(f"ck_{table}_{column}_not_null"))
    return [
        SquawkAcknowledgementOp(
            "ban-drop-constraint", table, "only what a failed run of this revision added"
        ),
        ops.DropConstraintOp(check, table, "check", schema=schema, if_exists=True),
        ops.ExecuteSQLOp(
            f"ALTER TABLE {_qualified(table, schema)} ADD CONSTRAINT {quote(check)}"
            f" CHECK ({quote(column)} IS NOT NULL) NOT VALID"
        ),
        OutsideTransactionOp(ValidateConstraintOp(table, check, schema)),
        operation,
        SquawkAcknowledgementOp(
            "ban-drop-constraint", table, f"NOT NULL on {column} now says what {check} did"
        ),
        ops.DropConstraintOp(check, table, "check", schema=schema, if_exists=True),
    ]
{%- if cookiecutter.__database_backend == "postgresql" %}


def _enum_values_in_place(operation: AddEnumValuesOp) -> list:
    """alembic-postgresql-enum's ``add_enum_value`` appends a value (or puts one meant for
    the middle after the value it should precede); each value here is added next to its
    neighbour in the model's order, and only if it is not there yet."""
    enum_type = _qualified(operation.name, operation.schema)
    added = []
    for position, value in enumerate(operation.new_values):
        if value in operation.old_values:
            continue
        if position > 0:
            place = f" AFTER {_literal(operation.new_values[position - 1])}"
        elif operation.old_values:
            place = f" BEFORE {_literal(operation.old_values[0])}"
        else:
            place = ""
        added.append(
            ops.ExecuteSQLOp(
                f"ALTER TYPE {enum_type} ADD VALUE IF NOT EXISTS {_literal(value)}{place}"
            )
        )
    return added
{%- endif %}


def wider_numeric_acknowledgement(operation) -> SquawkAcknowledgementOp | None:
    """Squawk's changing-column-type, acknowledged for an operation that only widens a
    NUMERIC (see ``a_wider_numeric``)."""
    if not isinstance(operation, ops.AlterColumnOp):
        return None
    if not a_wider_numeric(operation.existing_type, operation.modify_type):
        return None
    return SquawkAcknowledgementOp(
        "changing-column-type",
        f"{operation.table_name}.{operation.column_name}",
        "a wider NUMERIC of the same scale rewrites no row",
    )


def a_wider_numeric(old, new) -> bool:
    """Whether ``old`` to ``new`` only raises a NUMERIC's precision, scale unchanged, or
    lifts its limits: PostgreSQL checks no value and rewrites no row."""
    if not all(isinstance(type_, Numeric) and not isinstance(type_, Float) for type_ in (old, new)):
        return False
    unconstrained = new.precision is None and new.scale is None
    wider = (
        old.precision is not None
        and new.precision is not None
        and new.precision >= old.precision
        and (new.scale or 0) == (old.scale or 0)
    )
    return unconstrained or wider


def _qualified(name: str, schema: str | None) -> str:
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def _literal(value: str) -> str:
    return "'{}'".format(value.replace("'", "''"))


def _name(name: str) -> str:
    """``name``, shortened with a stable hash past PostgreSQL's limit."""
    if len(name.encode()) <= NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name.encode()[: NAME_LIMIT - 9].decode(errors='ignore')}_{digest}"


# What the online forms rewrite with steps outside the revision's transaction.
ONLINE_FORMS = (
    ops.CreateIndexOp,
    ops.DropIndexOp,
    ops.CreateForeignKeyOp,
    ops.CreateUniqueConstraintOp,
)
