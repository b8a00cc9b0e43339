"""Writes a data revision: an empty revision laid out for moving rows, not the schema.

The revision pages through one table by its primary key, one UPDATE per batch, each
committed on its own; what each batch does is the one part you write. It names the
table with ``sa.table()``, never the application's models, so it runs as written however
the models change later. Its ``moves_data = True`` marks it as a data migration.

Every check runs before the file is written: one head, a message, a table with a
single-column primary key, and models that match alembic/versions (compared on a
throwaway database at head, as ``add-resource`` does: never the one in DATABASE_URL).
"""

from pathlib import Path

from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from alembic.util import rev_id

from {{ cookiecutter.package_name }}.database.discovery import ModelsLeftOut, import_models
from {{ cookiecutter.package_name }}.scaffold.resource import (
    ResourceError,
    check_project,
    check_single_head,
    comparing_at_head,
)
from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT

# Rows per UPDATE in a new data revision: small enough that each batch's row locks are
# held for moments, large enough that 100,000 rows take a hundred statements.
BATCH_SIZE = 1_000

# What the revision holds besides Alembic's template: written into its imports section,
# so it sits at module level, above the revision identifiers.
MODULE_TEXT = """
import logging

# A data migration: it moves rows and leaves the schema as it was. `squash` lists the
# revisions that carry this marker as data migrations.
moves_data = True

# Rows per batch: each batch is one UPDATE, committed before the next one starts.
BATCH_SIZE = {batch_size}

# The table as this revision sees it, by name: never the application's models, which
# change after this revision is written. Give a column its type (sa.column("data",
# sa.JSON)) where the move binds Python values to it.
{table} = sa.table(
    {table_name!r},
{columns}
)

# Progress lines, beside Alembic's own "Running upgrade" lines.
log = logging.getLogger("alembic.runtime.migration")
"""

UPGRADE_TEXT = """\
if op.get_context().as_sql:
        # Offline SQL (alembic upgrade --sql) cannot page through rows it never reads.
        log.warning("%s moves data: run it online, the --sql script leaves it out", revision)
        return
    # Each batch commits on its own (autocommit_block commits what ran before it too): one
    # transaction over every row would hold their row locks until the end, blocking the
    # service's writes to them, and on PostgreSQL keep their old versions from being
    # vacuumed. A move that stops halfway keeps the batches done, so write the update so
    # that running it again is harmless: skip the rows already moved.
    with op.get_context().autocommit_block():
        connection = op.get_bind()
        last_key = None
        done = 0
        while True:
            # The next batch by key (keyset pagination): no OFFSET that rescans the rows
            # already done.
            next_keys = sa.select({key}).order_by({key}).limit(BATCH_SIZE)
            if last_key is not None:
                next_keys = next_keys.where({key} > last_key)
            keys = connection.execute(next_keys).scalars().all()
            if not keys:
                break
            # Move this batch: one UPDATE of the rows whose {key_name} is between keys[0]
            # and keys[-1] (see "Moving data" in the README).
            last_key = keys[-1]
            done += len(keys)
            log.info("{table_name}: %d rows done ({key_name} up to %s)", done, last_key)"""

DOWNGRADE_TEXT = """\
# The rows stay as the upgrade moved them. That is right while the old columns still
    # hold their values (expand, move, contract later): the downgrade of the revision
    # before this one drops the new columns. Where the move overwrote or dropped values,
    # it cannot be undone: replace this with
    # raise NotImplementedError("this revision moved data that it cannot move back")
    log.info("%s: the downgrade leaves the moved rows as they are", revision)"""

# Names the revision defines or imports, which a table's variable must not hide.
REVISION_NAMES = {
    *("sa", "op", "logging", "log", "moves_data", "BATCH_SIZE", "Sequence", "upgrade"),
    *("revision", "down_revision", "branch_labels", "depends_on", "downgrade"),
}


class DataRevisionError(Exception):
    """An argument or a project state that ``data-revision`` refuses; nothing was written."""


def check_message(message: str | None) -> str:
    if message is None or not message.strip():
        given = "is missing" if message is None else f"{message!r} is empty"
        raise DataRevisionError(
            f"-m MESSAGE {given}: say what the revision moves,"
            ' such as -m "split name into first_name and last_name"'
        )
    return message.strip()


def table_to_move(name: str | None):
    """The models' table ``name`` (or their only table), with a single-column primary key."""
    try:
        tables = import_models().tables
    except ModelsLeftOut as error:
        raise DataRevisionError(str(error)) from None
    if name is None:
        if len(tables) != 1:
            raise DataRevisionError(
                f"--table is needed: the models have {len(tables)} tables"
                f" ({', '.join(sorted(tables)) or 'none'}); name the one whose rows move"
            )
        (name,) = tables
    if name not in tables:
        raise DataRevisionError(
            f"--table {name!r} is not a table of the models; one of: {', '.join(sorted(tables))}"
        )
    table = tables[name]
    if len(table.primary_key.columns) != 1:
        keys = ", ".join(column.name for column in table.primary_key.columns) or "none"
        raise DataRevisionError(
            f"--table {name!r} has no single-column primary key (its key: {keys}):"
            " a data revision pages through the rows by one key column"
        )
    return table


def revision_text(table) -> dict[str, str]:
    """The template arguments of the revision: its module-level part, upgrade and downgrade."""
    variable = table.name if table.name.isidentifier() else "table"
    if variable in REVISION_NAMES:
        variable = f"{variable}_table"
    key_name = table.primary_key.columns[0].name
    key = f"{variable}.c.{key_name}" if key_name.isidentifier() else f"{variable}.c[{key_name!r}]"
    columns = "\n".join(f"    sa.column({column.name!r})," for column in table.columns)
    if table.schema:
        columns += f"\n    schema={table.schema!r},"
    return {
        "imports": MODULE_TEXT.format(
            batch_size=BATCH_SIZE, table=variable, table_name=table.name, columns=columns
        ),
        "upgrades": UPGRADE_TEXT.format(key=key, key_name=key_name, table_name=table.name),
        "downgrades": DOWNGRADE_TEXT,
    }


def data_revision(message: str | None, table_name: str | None, project: Path) -> Script:
    """Write the data revision on the single head; return its script."""
    message = check_message(message)
    then = "write the data revision"
    try:
        check_project(project, command="data-revision")
        table = table_to_move(table_name)
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        check_single_head(config, then=then)
        with comparing_at_head(config, then=then):
            # Alembic's own writing: the file name, down_revision, and the post-write hook
            # that formats the file (alembic.ini).
            script = ScriptDirectory.from_config(config).generate_revision(
                rev_id(), message, head="head", **revision_text(table)
            )
    except ResourceError as error:
        raise DataRevisionError(str(error)) from None
    return script
