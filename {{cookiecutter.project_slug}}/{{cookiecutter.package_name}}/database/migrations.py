"""What Alembic needs beyond its defaults, used by ``alembic/env.py``.

Revisions never import this module: a revision runs with Alembic, SQLAlchemy and what
its own imports name, however the application is refactored later.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy.types
from alembic import context
from alembic.autogenerate import render as alembic_render
from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.operations import MigrateOperation, ops
from alembic.runtime.migration import MigrationContext
from alembic.runtime.plugins import Plugin
from alembic.util import DispatchPriority, PriorityDispatchResult
{%- if cookiecutter.__database_backend == "postgresql" %}
from alembic_postgresql_enum.operations import SyncEnumValuesOp
{%- endif %}
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DefaultClause,
    Enum,
    ForeignKeyConstraint,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from {{ cookiecutter.package_name }}.database.online_ddl import (
    SquawkAcknowledgementOp,
    a_wider_numeric,
    wider_numeric_acknowledgement,
    write_online_ddl,
)


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Render a ``TypeDecorator`` (the project's ``UTCDateTime``, a GUID recipe) as the type
    it stores on the revision's database, the way Alembic renders that type.

    The database only knows the stored type; rendering ``sa.DateTime(timezone=True)``
    instead of ``{{ cookiecutter.package_name }}.database.types.UTCDateTime()`` keeps
    revisions free of application imports.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        stored = stored_type(obj, autogen_context.dialect)
        if stored is not None:
            # Alembic's own type rendering: dialect types get their import
            # (``from sqlalchemy.dialects import postgresql``), ARRAY its item type.
            return alembic_render._repr_type(stored, autogen_context)
    return False


def stored_type(decorator: TypeDecorator, dialect: Dialect) -> TypeEngine | None:
    """The SQLAlchemy type ``decorator`` stores on ``dialect`` (``load_dialect_impl``), as
    a class a revision can name; None when it is an application's own class."""
    loaded = decorator.load_dialect_impl(dialect)
    # Drivers adapt types to private subclasses (psycopg's _PGString for a String): the
    # nearest public SQLAlchemy class makes the same DDL.
    for cls in type(loaded).__mro__:
        if not cls.__module__.startswith("sqlalchemy."):
            return None
        if _is_public_sqlalchemy_type(cls):
            return loaded if cls is type(loaded) else loaded.adapt(cls)
    return None


def _is_public_sqlalchemy_type(cls: type) -> bool:
    """Whether ``sqlalchemy.types`` or a ``sqlalchemy.dialects.<name>`` package exports ``cls``."""
    module = cls.__module__
    if module.startswith("sqlalchemy.dialects."):
        namespace = importlib.import_module(".".join(module.split(".")[:3]))
    else:
        namespace = sqlalchemy.types
    return getattr(namespace, cls.__name__, None) is cls


def refuse_unrenderable_types(upgrade_ops, dialect: Dialect) -> None:
    """Stop autogenerate, writing nothing, when a column's ``TypeDecorator`` stores an
    application class: the revision could only name it by importing the application."""
    columns = [
        f"{table_name}.{column_name}"
        for table_name, column_name, column_type in column_types(upgrade_ops)
        if isinstance(column_type, TypeDecorator) and stored_type(column_type, dialect) is None
    ]
    if columns:
        raise SystemExit(
            f"error: the type of {', '.join(columns)} stores an application class on"
            f" {dialect.name}, which a revision cannot name without importing the application;"
            " make load_dialect_impl return a SQLAlchemy type. No revision written."
        )


def column_types(container) -> Iterator[tuple[str, str, TypeEngine]]:
    """(table, column, type) of each column type that ``container``'s operations write."""
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps):
            yield from column_types(operation)
        elif isinstance(operation, ops.CreateTableOp):
            for column in operation.columns:
                if isinstance(column, Column):
                    yield operation.table_name, column.name, column.type
        elif isinstance(operation, ops.AddColumnOp):
            yield operation.table_name, operation.column.name, operation.column.type
        elif isinstance(operation, ops.AlterColumnOp) and operation.modify_type is not None:
            yield operation.table_name, operation.column_name, operation.modify_type


def server_default_comparison(dialect_name: str):
    """How autogenerate compares server defaults (``compare_server_default``).

    PostgreSQL: Alembic's own comparison (with ``compare_json_server_default`` in front
    of it, through ``AUTOGENERATE_PLUGIN``); a function there would break on identity
    columns, whose default Alembic hands it as if it were a plain one. SQLite and MySQL:
    ``compare_server_default``.
    """
    return True if dialect_name == "postgresql" else compare_server_default


def compare_server_default(
    migration_context,
    inspected_column,
    metadata_column,
    inspected_default,
    metadata_default,
    rendered_metadata_default,
) -> bool | None:
    """SQLite and MySQL: True when the defaults differ, False when they are the same,
    None for Alembic's own comparison."""
    if isinstance(metadata_default, Identity):
        return False  # no identity columns here: the key auto-increments without one
    if (
        migration_context.dialect.name == "mysql"
        and inspected_default is not None
        and rendered_metadata_default is not None
        and not isinstance(metadata_default.arg, str)
        and "on update" not in inspected_default.lower()
    ):
        # An expression, which MySQL reports its own way: false() as 0, now() as
        # current_timestamp(). Evaluated in one statement, equal ones (times too) are equal.
        return not _server_says_equal(
            migration_context.connection, inspected_default, rendered_metadata_default
        )
    return None


def compare_json_server_default(
    autogen_context,
    alter_column_op,
    schema,
    table_name,
    column_name,
    inspected_column,
    metadata_column,
) -> PriorityDispatchResult:
    """PostgreSQL: compare the server defaults of a json or jsonb column as documents.

    Alembic asks the server whether ``inspected = declared``, and json has no ``=``
    operator; cast to jsonb, whitespace and key order do not count either.
    """
    inspected, declared = inspected_column.server_default, metadata_column.server_default
    if not (
        isinstance(inspected_column.type, JSON)
        and isinstance(inspected, DefaultClause)
        and isinstance(declared, DefaultClause)
    ):
        return PriorityDispatchResult.CONTINUE  # Alembic's own comparison
    alter_column_op.existing_server_default = inspected
    if not _server_says_equal(
        autogen_context.connection,
        f"CAST({inspected.arg.text} AS jsonb)",
        f"CAST({_default_sql(declared, autogen_context.dialect)} AS jsonb)",
    ):
        alter_column_op.modify_server_default = declared
    return PriorityDispatchResult.STOP


def _default_sql(default: DefaultClause, dialect: Dialect) -> str:
    """The SQL of a server default: ``server_default="text"`` is a string literal."""
    if isinstance(default.arg, str):
        return "'{}'".format(default.arg.replace("'", "''"))
    return str(default.arg.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _server_says_equal(connection: Connection, left: str, right: str) -> bool:
    equal = literal_column(f"({left})") == literal_column(f"({right})")
    return bool(connection.scalar(select(equal)))


# This project's autogenerate comparisons, which env.py runs besides Alembic's own.
AUTOGENERATE_PLUGIN = "{{ cookiecutter.package_name }}.migrations"
Plugin(AUTOGENERATE_PLUGIN).add_autogenerate_comparator(
    compare_json_server_default,
    "column",
    "server_default",
    qualifier="postgresql",
    priority=DispatchPriority.FIRST,
)


def writes_a_revision_file(config: Config | None) -> bool:
    """Whether this run is ``alembic revision --autogenerate``, which writes a file, rather
    than ``alembic check``, which autogenerates too but writes nothing.

    As in Alembic's cookbook, the command line's options say so. Code calling
    ``command.revision(config, autogenerate=True)`` says so the same way, on its Config:
    ``config.cmd_opts = argparse.Namespace(autogenerate=True)``.
    """
    return config is not None and getattr(config.cmd_opts, "autogenerate", False) is True


def process_revision_directives(context: MigrationContext, revision, directives) -> None:
    """An autogenerate run that finds no change writes no revision file; one with an
    operation that has no safe form (it destroys data, or locks a table in use for long)
    says so, with the safe way, in the file and on the terminal."""
    if not directives or not writes_a_revision_file(context.config):
        return
    script = directives[0]
    if all(upgrade_ops.is_empty() for upgrade_ops in script.upgrade_ops_list):
        directives[:] = []
        print("No changes in the models: no revision written.")
        return
    for upgrade_ops, downgrade_ops in zip(
        script.upgrade_ops_list, script.downgrade_ops_list, strict=True
    ):
        refuse_unrenderable_types(upgrade_ops, context.dialect)
        autogen_context = AutogenContext(context)
        rename_tables(upgrade_ops, downgrade_ops, autogen_context)
        rename_columns(upgrade_ops, downgrade_ops, autogen_context)
        if context.dialect.name != "sqlite":
            add_use_alter_foreign_keys_after_tables(upgrade_ops, downgrade_ops)
        drop_tables_with_their_indexes(downgrade_ops)
        note_for = unsafe_change_warnings(upgrade_ops, context.dialect.name)
        for warning in annotate(upgrade_ops, note_for):
            print(f"warning: revision {script.rev_id} {warning.report}")
        if context.dialect.name == "postgresql":
            annotate(upgrade_ops, longer_varchar_acknowledgement)
            annotate(upgrade_ops, wider_numeric_acknowledgement)
    write_online_ddl(script, context.dialect.name)


class DataLossWarningOp(MigrateOperation):
    """Comments in the revision, just above an operation that has no safe form: what it
    risks, then the safe way to make the change."""

    def __init__(self, message: str, safe_way: str) -> None:
        self.message, self.safe_way = message, safe_way

    @property
    def report(self) -> str:
        """Both, on one line of the terminal."""
        return f"{self.message} Safe way: {self.safe_way}"


class RenameWarningOp(DataLossWarningOp):
    """A ``DataLossWarningOp`` above a rename that autogenerate only guessed, which also
    shows the operations to write instead if it is not a rename."""

    def __init__(self, message: str, safe_way: str, rename: MigrateOperation) -> None:
        super().__init__(message, safe_way)
        self.not_a_rename = rename.not_a_rename
        steps = 1 + len(getattr(rename, "followed_by", []))
        self.replaces = "operation" if steps == 1 else f"{steps} operations"


@renderers.dispatch_for(DataLossWarningOp)
def _render_data_loss_warning(autogen_context, operation: DataLossWarningOp) -> list[str]:
    return [f"# WARNING: {operation.message}", f"# Safe way: {operation.safe_way}"]


@renderers.dispatch_for(RenameWarningOp)
def _render_rename_warning(autogen_context, operation: RenameWarningOp) -> list[str]:
    replacement = [
        f"#     {line}"
        for step in operation.not_a_rename
        for lines in alembic_render.render_op(autogen_context, step)
        for line in lines.splitlines()
    ]
    return [
        *_render_data_loss_warning(autogen_context, operation),
        f"# Not a rename? Replace the next {operation.replaces} with:",
        *replacement,
    ]


@renderers.dispatch_for(ops.RenameTableOp)
def _render_rename_table(autogen_context, operation: ops.RenameTableOp) -> str:
    # Alembic has the operation, not its rendering: autogenerate never makes it itself.
    schema = f", schema={operation.schema!r}" if operation.schema else ""
    return f"op.rename_table({operation.table_name!r}, {operation.new_table_name!r}{schema})"


def annotate(container, note_for) -> list[MigrateOperation]:
    """Put ``note_for(operation)``, a comment (or None), just above each operation of
    ``container``, those inside a table's batch included; return the comments."""
    notes, annotated = [], []
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps):
            notes += annotate(operation, note_for)
        note = note_for(operation)
        if note is not None:
            annotated.append(note)
            notes.append(note)
        annotated.append(operation)
    container.ops[:] = annotated
    return notes


def longer_varchar_acknowledgement(operation) -> SquawkAcknowledgementOp | None:
    """Squawk's changing-column-type, acknowledged for an operation that only makes a
    VARCHAR longer: PostgreSQL rewrites no row for it, and its brief lock is bounded by
    the migrations' lock_timeout."""
    if isinstance(operation, ops.AlterColumnOp) and lengthens_a_varchar(operation):
        return SquawkAcknowledgementOp(
            "changing-column-type",
            f"{operation.table_name}.{operation.column_name}",
            "a longer VARCHAR rewrites no row",
        )
    return None


def lengthens_a_varchar(operation: ops.AlterColumnOp) -> bool:
    return a_longer_varchar(operation.existing_type, operation.modify_type)


def a_longer_varchar(old, new) -> bool:
    if not all(
        isinstance(type_, String) and not isinstance(type_, (Text, Enum)) for type_ in (old, new)
    ):
        return False
    return old.length is not None and (new.length is None or new.length > old.length)


def unsafe_change_warnings(upgrade_ops, dialect_name: str):
    """``annotate``'s ``note_for``: the warning for each of ``upgrade_ops``' operations that
    has no safe form, None for the others. A column dropped where the same table gets a
    new one is read as a rename."""
    added = added_columns(upgrade_ops)
    return lambda operation: data_loss_warning(operation, added, dialect_name)


def added_columns(container) -> dict[str, list[str]]:
    """The columns that ``container``'s operations add, by table."""
    added: dict[str, list[str]] = {}
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps):
            for table, columns in added_columns(operation).items():
                added.setdefault(table, []).extend(columns)
        elif isinstance(operation, ops.AddColumnOp):
            added.setdefault(operation.table_name, []).append(operation.column.name)
    return added


def data_loss_warning(
    operation, added: dict[str, list[str]], dialect_name: str
) -> DataLossWarningOp | None:
    """The warning for an operation that has no safe form: what it risks, and the safe
    way: expand (add the new beside the old), backfill, switch (the code to the new),
    contract (stop using the old in a later release, drop it in the next)."""
    if isinstance(operation, ops.DropTableOp):
        table = operation.table_name
        return DataLossWarningOp(
            f"drops table {table} and every row in it.",
            f"release code that no longer uses {table} first, then apply this revision. To"
            " rename it instead: create the new table, copy the rows in a revision of its"
            f" own, switch the code to it, then drop {table} in a later release.",
        )
    if isinstance(operation, ops.AlterColumnOp) and operation.modify_name is not None:
        return renamed_column_warning(operation)
    if isinstance(operation, ops.RenameTableOp):
        return renamed_table_warning(operation)
    if isinstance(operation, ops.DropColumnOp):
        return dropped_column_warning(operation, added.get(operation.table_name, []))
    if isinstance(operation, ops.AlterColumnOp) and operation.modify_type is not None:
        return type_change_warning(operation, dialect_name)
{%- if cookiecutter.__database_backend == "postgresql" %}
    if isinstance(operation, SyncEnumValuesOp):
        # alembic-postgresql-enum's change of an enum type's values (it adds values with
        # an operation of its own).
        removed = [value for value in operation.old_values if value not in operation.new_values]
        if removed:
            return DataLossWarningOp(
                f"removes {', '.join(map(repr, removed))} from the values of enum type"
                f" {operation.name}, which fails on the rows holding them.",
                removed_values_advice(removed),
            )
{%- endif %}
    return None


def dropped_column_warning(operation: ops.DropColumnOp, added: list[str]) -> DataLossWarningOp:
    table, old = operation.table_name, operation.column_name
    if not added:
        return DataLossWarningOp(
            f"drops column {table}.{old} and its values.",
            f"release code that no longer reads or writes {old} first, then apply this"
            " revision. A renamed column shows up as a drop plus an add: add the new one"
            f" in a revision of its own, and keep {old} until no code uses it.",
        )
    new = added[0] if len(added) == 1 else "NEW_NAME"
    return DataLossWarningOp(
        f"drops column {table}.{old} and its values while adding"
        f" {', '.join(f'{table}.{name}' for name in added)}: if it is a rename, the values"
        f" are lost and code still reading {old} fails.",
        f"expand: put {old} back in the models beside {new} and autogenerate again (only"
        f' {new} is added); backfill: alembic revision -m "backfill {table}.{new}", with'
        f' op.execute("UPDATE {table} SET {new} = {old}"); switch: release code that reads'
        f" {new} and writes both; contract: stop using {old} in a later release"
        " (unmapped_column), drop it in the next. With the"
        f" application stopped, replace both with {rename_advice(operation, new)}.",
    )


def renamed_column_warning(operation: ops.AlterColumnOp) -> RenameWarningOp:
    table, old, new = operation.table_name, operation.column_name, operation.modify_name
    return RenameWarningOp(
        f"renames column {table}.{old} to {new}: autogenerate found {old} dropped and {new}"
        " added, of the same type, nullability and server default, and reads that as a"
        f" rename. Code still reading {old} fails once it runs.",
        f'for a database in use, follow the README\'s "Rename a column without downtime":'
        f" expand: put {old} back in the models beside {new} and autogenerate again (only"
        f" {new} is added); backfill; switch: release code that reads {new} and writes both;"
        f" contract: stop using {old} in a later release (unmapped_column), drop it in the next.",
        operation,
    )


def renamed_table_warning(operation: ops.RenameTableOp) -> RenameWarningOp:
    old, new = operation.table_name, operation.new_table_name
    return RenameWarningOp(
        f"renames table {old} to {new}: autogenerate found {old} dropped and {new} created,"
        " with the same columns, and reads that as a rename. Code still using"
        f" {old} fails once it runs.",
        f"for a database in use, create {new} beside {old}, copy the rows in a revision of"
        f" its own, switch the code to {new}, then drop {old} in a later release (as in the"
        ' README\'s "Rename a column without downtime").',
        operation,
    )


def type_change_warning(
    operation: ops.AlterColumnOp, dialect_name: str
) -> DataLossWarningOp | None:
    table, name = operation.table_name, operation.column_name
    old, new = operation.existing_type, operation.modify_type
    if isinstance(old, Enum) and isinstance(new, Enum):
        removed = [value for value in old.enums if value not in new.enums]
        if not removed:
            return None
        return DataLossWarningOp(
            f"removes {', '.join(map(repr, removed))} from the values of {table}.{name},"
            " which fails on (or cuts) the rows holding them.",
            removed_values_advice(removed),
        )
    if may_truncate(old, new):
        risk = "which can cut or refuse existing values"
    elif dialect_name == "postgresql" and rewrites_every_row(old, new):
        risk = f"which rewrites every row of {table} while blocking its reads and writes"
    else:
        return None
    return DataLossWarningOp(
        f"changes the type of {table}.{name} from {old} to {new}, {risk}.",
        f"expand: keep {name} as {old} in the models, add a column of type {new} beside it"
        f" and autogenerate again; backfill it from {name} in a revision of its own"
        " (alembic revision -m ...); switch: release code that reads the new column and"
        f" writes both; contract: stop using {name} in a later release (unmapped_column), drop it"
        " in the next.",
    )


def removed_values_advice(removed: list[str]) -> str:
    return (
        f"release code that no longer writes {', '.join(map(repr, removed))} first; then, in"
        " a revision of its own (alembic revision -m ...), update the rows holding them to"
        " another value, and apply this revision after it."
    )


def rewrites_every_row(old, new) -> bool:
    """PostgreSQL: whether changing a column's type from ``old`` to ``new`` rewrites the
    table, under a lock that blocks its reads and writes. A longer VARCHAR, a VARCHAR
    made TEXT and a NUMERIC of more digits at the same scale change only the catalog."""
    if a_longer_varchar(old, new):
        return False
    if isinstance(old, String) and not isinstance(old, Enum) and type(new) is Text:
        return False
    return not a_wider_numeric(old, new)


def rename_advice(operation: ops.DropColumnOp, new_name: str) -> str:
    """The ``op.alter_column`` call that renames the dropped column instead. MySQL
    restates the whole column to rename it, so the call names its type, nullability
    and server default."""
    column = operation.to_column()
    arguments = [
        repr(operation.table_name),
        repr(operation.column_name),
        f"new_column_name={new_name!r}",
        f"existing_type=sa.{column.type.as_generic(allow_nulltype=True)!r}",
        f"existing_nullable={column.nullable}",
    ]
    if column.server_default is not None:
        arguments.append(f"existing_server_default=sa.text({column.server_default.arg.text!r})")
    return f"op.alter_column({', '.join(arguments)})"


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


def rename_columns(upgrade_ops, downgrade_ops, autogen_context: AutogenContext) -> None:
    """Rename a column instead of dropping it and adding another, where one table's
    dropped column and added column match (same type, nullability and server default, as
    Alembic compares them) and neither matches any other: autogenerate sees a rename as a
    drop plus an add, which loses the column's values."""
    for table in upgrade_ops.ops:
        if not isinstance(table, ops.ModifyTableOps):
            continue
        for dropped, added, rename in column_renames(table, autogen_context):
            # What it replaces, for the revision's comment on the guess.
            rename.not_a_rename = [added, dropped]
            table.ops[table.ops.index(added)] = rename
            table.ops.remove(dropped)
            rename_back(downgrade_ops, rename)


def column_renames(table: ops.ModifyTableOps, autogen_context: AutogenContext):
    """(drop, add, the ``AlterColumnOp`` renaming instead) for each unambiguous rename."""
    dropped = [step for step in table.ops if isinstance(step, ops.DropColumnOp)]
    added = [step for step in table.ops if isinstance(step, ops.AddColumnOp)]
    matches = {}
    for drop in dropped:
        for add in added:
            rename = renamed_if_same(table, drop, add, autogen_context)
            if rename is not None:
                matches[drop, add] = rename
    for drop, add in unambiguous(matches):
        yield drop, add, matches[drop, add]


def unambiguous(matches) -> list[tuple]:
    """The (old, new) pairs of ``matches`` where neither has another candidate: two
    columns (or tables) that could be the renamed one make no guess, and the data-loss
    warning stands, naming them."""
    olds = [old for old, _ in matches]
    news = [new for _, new in matches]
    return [(old, new) for old, new in matches if olds.count(old) == news.count(new) == 1]


def renamed_if_same(
    table: ops.ModifyTableOps,
    drop: ops.DropColumnOp,
    add: ops.AddColumnOp,
    autogen_context: AutogenContext,
) -> ops.AlterColumnOp | None:
    """The ``AlterColumnOp`` renaming ``drop``'s column to ``add``'s, when Alembic's own
    column comparison (the one ``alembic check`` makes) finds nothing else to change;
    it also fills in the type, nullability and default MySQL restates to rename."""
    existing, wanted = drop.to_column(), add.column
    rename = ops.AlterColumnOp(
        table.table_name, existing.name, schema=table.schema, modify_name=wanted.name
    )
    autogen_context.comparators.dispatch("column", qualifier=autogen_context.dialect.name)(
        autogen_context, rename, table.schema, table.table_name, wanted.name, existing, wanted
    )
    if rename.has_changes():  # a type, nullability, default or comment of its own
        return None
    rename.existing_nullable = existing.nullable
    return rename


def rename_back(downgrade_ops, rename: ops.AlterColumnOp) -> None:
    """In the downgrade, rename the column back instead of dropping and re-adding it."""
    back = ops.AlterColumnOp(
        rename.table_name,
        rename.modify_name,
        schema=rename.schema,
        modify_name=rename.column_name,
        existing_type=rename.existing_type,
        existing_nullable=rename.existing_nullable,
        existing_server_default=rename.existing_server_default,
    )
    for table in downgrade_ops.ops:
        if not isinstance(table, ops.ModifyTableOps):
            continue
        if (table.table_name, table.schema) == (rename.table_name, rename.schema):
            steps = {
                (type(step), getattr(step, "column_name", None) or step.column.name): step
                for step in table.ops
                if isinstance(step, ops.DropColumnOp | ops.AddColumnOp)
            }
            readd = steps.pop((ops.AddColumnOp, rename.column_name))
            drop = steps.pop((ops.DropColumnOp, rename.modify_name))
            table.ops[table.ops.index(readd)] = back
            table.ops.remove(drop)
            return


def rename_tables(upgrade_ops, downgrade_ops, autogen_context: AutogenContext) -> None:
    """Rename a table instead of dropping it and creating another, where a dropped table
    and a created one have the same columns (names, and what Alembic compares of each),
    and neither matches any other table; its indexes and constraints are renamed after it,
    as the naming convention names them."""
    dropped = [step for step in upgrade_ops.ops if isinstance(step, ops.DropTableOp)]
    created = [step for step in upgrade_ops.ops if isinstance(step, ops.CreateTableOp)]
    matches = {
        (drop, create): None
        for drop in dropped
        for create in created
        if same_columns(existing_table(drop), new_table(create), autogen_context)
    }
    for drop, create in unambiguous(matches):
        old, new = existing_table(drop), new_table(create)
        names = renamed_names(old, new)
        rename = ops.RenameTableOp(old.name, new.name, schema=old.schema)
        rename.not_a_rename = [create, *map(ops.CreateIndexOp.from_index, new.indexes), drop]
        rename.followed_by = name_renames(new.name, names, autogen_context.dialect)
        place(upgrade_ops, create, drop, rename, names)
        back = ops.RenameTableOp(new.name, old.name, schema=old.schema)
        back.followed_by = name_renames(
            old.name, [(after, before) for before, after in names], autogen_context.dialect
        )
        reverse_create = next(
            step
            for step in downgrade_ops.ops
            if isinstance(step, ops.CreateTableOp) and step.table_name == old.name
        )
        reverse_drop = next(
            step
            for step in downgrade_ops.ops
            if isinstance(step, ops.DropTableOp) and step.table_name == new.name
        )
        place(downgrade_ops, reverse_create, reverse_drop, back, names)


def existing_table(drop: ops.DropTableOp):
    """The table as autogenerate read it from the database, its indexes included."""
    return next(column for column in drop._reverse.columns if isinstance(column, Column)).table


def new_table(create: ops.CreateTableOp):
    """The models' table."""
    return next(column for column in create.columns if isinstance(column, Column)).table


def same_columns(old, new, autogen_context: AutogenContext) -> bool:
    if old.schema != new.schema or set(old.c.keys()) != set(new.c.keys()):
        return False
    table = ops.ModifyTableOps(new.name, [], schema=new.schema)
    return all(
        renamed_if_same(
            table,
            ops.DropColumnOp.from_column_and_tablename(old.schema, old.name, column),
            ops.AddColumnOp.from_column_and_tablename(new.schema, new.name, new.c[column.name]),
            autogen_context,
        )
        is not None
        for column in old.c
    )


def renamed_names(old, new) -> list[tuple]:
    """(old, new) of each index and constraint whose name the naming convention makes
    from the table's name: the same name, with the table's new name."""
    wanted = {str(item.name): item for item in (*new.indexes, *new.constraints) if item.name}
    # (Alembic's reflected table may hold an index twice.)
    existing = {str(item.name): item for item in (*old.indexes, *old.constraints) if item.name}
    names = []
    for item in existing.values():
        if f"_{old.name}" not in item.name:
            continue
        renamed = wanted.get(item.name.replace(f"_{old.name}", f"_{new.name}", 1))
        # MySQL reports a unique constraint as the unique index it is.
        unique = {Index, UniqueConstraint}
        if renamed is not None and (
            type(renamed) is type(item) or {type(renamed), type(item)} <= unique
        ):
            names.append((item, renamed))
    return names


def name_renames(table: str, names, dialect: Dialect) -> list[MigrateOperation]:
    """What renames ``names`` ((old, new) indexes and constraints) on ``table``, which
    has its new name already.

    PostgreSQL renames each index and constraint. MySQL renames indexes (unique ones
    included); its key is always PRIMARY, and it cannot rename a foreign key or a check,
    which Alembic does not compare by name. SQLite drops and creates the indexes again;
    its constraints keep their names inside the table, where Alembic does not compare them.
    """
    quote = dialect.identifier_preparer.quote
    steps = []
    for old, new in names:
        table_sql, was, now = quote(table), quote(old.name), quote(new.name)
        if isinstance(old, Index) and dialect.name == "sqlite":
            steps.append(ops.DropIndexOp(old.name, table_name=table))
            steps.append(ops.CreateIndexOp.from_index(new))
        elif isinstance(old, Index) and dialect.name == "postgresql":
            steps.append(ops.ExecuteSQLOp(f"ALTER INDEX {was} RENAME TO {now}"))
        elif dialect.name == "postgresql":
            steps.append(
                ops.ExecuteSQLOp(f"ALTER TABLE {table_sql} RENAME CONSTRAINT {was} TO {now}")
            )
        elif dialect.name == "mysql" and isinstance(old, Index | UniqueConstraint):
            steps.append(ops.ExecuteSQLOp(f"ALTER TABLE {table_sql} RENAME INDEX {was} TO {now}"))
    return steps


def place(container, create, drop, rename: ops.RenameTableOp, names) -> None:
    """Put ``rename`` and what follows it where ``create`` was, without ``drop`` and the
    index operations that the renames stand for."""
    renamed = {str(item.name) for pair in names for item in pair}

    def stands_for(step) -> bool:
        return step is drop or (
            isinstance(step, ops.CreateIndexOp | ops.DropIndexOp) and step.index_name in renamed
        )

    kept = []
    for step in container.ops:
        if isinstance(step, ops.ModifyTableOps):
            step.ops[:] = [inner for inner in step.ops if not stands_for(inner)]
            if step.ops:
                kept.append(step)
        elif step is create:
            kept += [rename, *rename.followed_by]
        elif not stands_for(step):
            kept.append(step)
    container.ops[:] = kept


def add_use_alter_foreign_keys_after_tables(upgrade_ops, downgrade_ops) -> None:
    """Create the ``use_alter=True`` foreign keys of new tables once every table exists,
    and drop them first on the way down.

    Those keys close a cycle of tables, so none can come first; SQLAlchemy leaves them
    out of CREATE TABLE, and a key that Alembic renders there is never made. (SQLite
    makes them in CREATE TABLE, as it has no ALTER for keys.)
    """
    for operation in list(upgrade_ops.ops):
        if not isinstance(operation, ops.CreateTableOp):
            continue
        keys, kept = [], []
        for item in operation.columns:
            is_key = isinstance(item, ForeignKeyConstraint) and item.use_alter
            (keys if is_key else kept).append(item)
        operation.columns[:] = kept
        for key in keys:
            upgrade_ops.ops.append(ops.CreateForeignKeyOp.from_constraint(key))
            downgrade_ops.ops.insert(0, ops.DropConstraintOp.from_constraint(key))


def drop_tables_with_their_indexes(container) -> None:
    """Drop a table without first dropping its indexes one by one: the table takes them
    along, and MySQL refuses to drop an index that a foreign key of the table needs."""
    dropped = {step.table_name for step in container.ops if isinstance(step, ops.DropTableOp)}
    kept = []
    for operation in container.ops:
        if isinstance(operation, ops.ModifyTableOps) and operation.table_name in dropped:
            # SQLite's batch mode puts the index drops in a batch of their own.
            operation.ops[:] = [
                step for step in operation.ops if not isinstance(step, ops.DropIndexOp)
            ]
            if not operation.ops:
                continue
        if isinstance(operation, ops.DropIndexOp) and operation.table_name in dropped:
            continue
        kept.append(operation)
    container.ops[:] = kept


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
def failure_explained() -> Iterator:
    """Say where a failed ``alembic upgrade`` left the database, below its traceback.

    Each revision runs in a transaction of its own, so the run stops at a revision
    boundary: the revisions before the failing one stay applied. Whether what the failing
    one did before it raised is gone depends on the database: PostgreSQL rolls DDL back
    with the rest, MySQL commits each CREATE, ALTER or DROP as it runs. A data revision
    (``moves_data = True``) commits each batch on every database, so its batches done
    stay. Yields the ``on_version_apply`` callback that follows the run.
    """
    reached: list[str] = []

    def follow(ctx: MigrationContext, step, heads, run_args) -> None:
        reached[:] = sorted(heads)

    try:
        yield follow
    except Exception as error:
        where = (
            f"at revision {', '.join(reached)}, the last that completed"
            if reached
            else "at the revision it had before this run"
        )
        if context.get_impl().transactional_ddl:
            undone = "the failing revision was rolled back whole"
        else:
            undone = (
                f"{context.get_impl().__dialect__} commits each CREATE, ALTER or DROP as it"
                " runs, so what the failing revision changed before it failed is still there:"
                " undo that by hand (or make the revision safe to run again)"
            )
        data_revision = failing_data_revision(error)
        if data_revision:
            # Its batches committed on their own, whatever the database does with DDL.
            undone = (
                f"data revision {data_revision} commits each batch as it goes, so the batches"
                " done before it failed stay done: running it again must skip them"
            )
        error.add_note(
            f"error: the migration stopped {where}; {undone}. Fix the revision, then run"
            " `alembic upgrade head` again."
        )
        raise


def failing_data_revision(error: BaseException) -> str | None:
    """The id of the data revision (``moves_data = True``) that ``error`` was raised in,
    found among the frames it passed through; None for any other revision."""
    trace = error.__traceback__
    while trace is not None:
        module = trace.tb_frame.f_globals
        if module.get("moves_data") is True and isinstance(module.get("revision"), str):
            return module["revision"]
        trace = trace.tb_next
    return None


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
