"""Autogenerate writes more changes to existing PostgreSQL tables in their online form
(``database/online_ddl.py``): ``NOT NULL`` set once a ``NOT VALID`` check, validated
outside the transaction, vouches for every row; a unique constraint taken over from a
unique index built ``CONCURRENTLY``; an enum value added in its place, and only once;
and the changes that are safe as they are (a wider NUMERIC, a nullable column, a column
with a constant default) pass squawk as written.

One project on a real PostgreSQL, with rows in its table, grows by model edits; its
revisions are used as written.
"""

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from tests.helpers import (
    ITEM_MODELS,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_postgres,
    baked_tests,
    edit,
    revision_files,
    revision_id,
    run,
)

# The example's item table as it is, then as the team changes it: description becomes
# required and unique, two columns and a uniquely indexed one are added, price gets wider,
# and the status enum gains a value at each end.
PRICE = "    price: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))\n"
CHANGED_COLUMNS = (
    "    description: Mapped[str] = mapped_column(Text, unique=True)\n"
    "    code: Mapped[str | None] = mapped_column(String(20), index=True, unique=True)\n"
    "    note: Mapped[str | None]\n"
    '    rank: Mapped[int] = mapped_column(server_default="0")\n'
    "    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))\n"
)
# A new table in the same revision, with its identity key, index, unique constraint and
# foreign key: empty, it keeps the plain form, which squawk passes.
NEW_TABLE = """

class Label(Base):
    __tablename__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    text: Mapped[str] = mapped_column(String(40), unique=True)
"""
DESCRIPTION = "    description: Mapped[str | None] = mapped_column(Text)\n"
CHECK = "ck_item_description_not_null"


@pytest.fixture(scope="module")
def grown(tmp_path_factory, postgres_server):
    """(project, DATABASE_URL, [price, forms, later] revisions); the database is at the
    price revision, with rows in item."""
    project = bake_for_postgres(tmp_path_factory.mktemp("online-forms"))
    url = postgres_server.create_database("online_forms")
    env = {"DATABASE_URL": url}
    models = project / ITEM_MODELS
    edit(
        models,
        "from datetime import datetime\n",
        "from datetime import datetime\nfrom decimal import Decimal\n",
    )
    edit(models, "from sqlalchemy import Enum,", "from sqlalchemy import Enum, Numeric,")
    edit(models, DESCRIPTION, DESCRIPTION + PRICE)
    alembic(project, "upgrade", "head", env=env)
    price = autogenerate(project, "price", env=env)
    alembic(project, "upgrade", "head", env=env)

    edit(models, DESCRIPTION + PRICE, CHANGED_COLUMNS)
    edit(models, "from sqlalchemy import Enum,", "from sqlalchemy import Enum, ForeignKey,")
    models.write_text(models.read_text() + NEW_TABLE)
    edit(models, '    DRAFT = "draft"', '    NEW = "new"\n    DRAFT = "draft"')
    edit(models, '    ARCHIVED = "archived"', '    ARCHIVED = "archived"\n    HIDDEN = "hidden"')
    forms = autogenerate(project, "forms", env=env)
    # A later revision uses a value the forms revision added.
    alembic(project, "upgrade", "head", env=env)
    edit(
        models,
        "        default=ItemStatus.DRAFT,\n",
        '        default=ItemStatus.DRAFT,\n        server_default="hidden",\n',
    )
    later = autogenerate(project, "hidden by default", env=env)

    alembic(project, "downgrade", revision_id(price.read_text()), env=env)
    execute(url, "INSERT INTO item (name, description, status) VALUES ('a', 'one', 'draft')")
    return project, url, [price, forms, later]


def execute(url: str, statement: str) -> list[tuple]:
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as db:
        cursor = db.execute(statement)
        return cursor.fetchall() if cursor.description else []


def at(project: Path, url: str, revision: Path) -> None:
    """Bring the database to ``revision``, from before or after it."""
    env, target = {"DATABASE_URL": url}, revision_id(revision.read_text())
    # Refused, and harmless, when the database is before it.
    alembic(project, "downgrade", target, env=env, check=False)
    alembic(project, "upgrade", target, env=env)
    assert alembic(project, "current", env=env).stdout.startswith(target)


def upgrade_statements(text: str) -> str:
    return text[text.index("def upgrade") : text.index("def downgrade")]


def test_the_revision_is_written_in_the_online_form(grown):
    _, _, (_, forms, later) = grown
    upgrade = upgrade_statements(forms.read_text())
    # NOT NULL: a check added NOT VALID, validated outside the transaction, then SET NOT
    # NULL (which finds the valid check and scans nothing), then the check dropped.
    steps = [
        f'op.drop_constraint(op.f("{CHECK}"), "item", type_="check", if_exists=True)',
        f"ADD CONSTRAINT {CHECK} CHECK (description IS NOT NULL) NOT VALID",
        "with op.get_context().autocommit_block():\n"
        f'        op.execute("ALTER TABLE item VALIDATE CONSTRAINT {CHECK}")',
        'op.alter_column("item", "description", existing_type=sa.TEXT(), nullable=False)',
    ]
    positions = [upgrade.index(step) for step in steps]
    assert positions == sorted(positions), upgrade
    assert upgrade.rindex(steps[0]) > positions[-1]  # dropped again once NOT NULL holds
    # The unique constraint takes over an index built concurrently.
    assert "op.create_unique_constraint" not in upgrade
    unique_index = re.search(
        r'op\.create_index\(\s*op\.f\("uq_item_description"\),\s*"item",\s*\["description"\],'
        r"\s*unique=True,\s*postgresql_concurrently=True,\s*if_not_exists=True,\s*\)",
        upgrade,
    )
    assert unique_index, upgrade
    assert (
        'op.execute(\n        "ALTER TABLE item ADD CONSTRAINT uq_item_description'
        ' UNIQUE USING INDEX uq_item_description"\n    )'
    ) in upgrade
    # index=True, unique=True goes the index's way.
    assert re.search(
        r'op\.create_index\(\s*op\.f\("ix_item_code"\),\s*"item",\s*\["code"\],\s*unique=True,'
        r"\s*postgresql_concurrently=True",
        upgrade,
    ), upgrade
    # Enum values in their place, each added only if missing.
    assert "op.add_enum_value" not in upgrade
    assert (
        "op.execute(\"ALTER TYPE public.item_status ADD VALUE IF NOT EXISTS 'new' BEFORE 'draft'\")"
    ) in upgrade
    assert (
        'op.execute("ALTER TYPE public.item_status ADD VALUE IF NOT EXISTS'
        " 'hidden' AFTER 'archived'\")"
    ) in upgrade
    # The safe forms, as Alembic writes them, with the one acknowledgement squawk needs.
    assert (
        "# squawk-ignore: changing-column-type: item.price:"
        " a wider NUMERIC of the same scale rewrites no row\n"
    ) in upgrade
    assert 'sa.Column("note", sa.String(), nullable=True), if_not_exists=True' in upgrade
    assert 'sa.Column("rank", sa.BigInteger(), server_default="0", nullable=False)' in upgrade
    assert "autocommit_block" not in later.read_text()
    # The table it creates keeps the plain form, each step made safe to repeat as well.
    assert 'op.create_table(\n        "label"' in upgrade
    assert re.search(r'name=op\.f\("uq_label_text"\)\),\s*if_not_exists=True', upgrade), upgrade
    assert re.search(
        r'op\.create_index\(\s*op\.f\("ix_label_item_id"\),\s*"label",\s*\["item_id"\],'
        r"\s*unique=False,\s*if_not_exists=True",
        upgrade,
    ), upgrade


def test_the_project_passes_its_own_migration_tests_and_ruff(grown):
    """squawk reviews each revision (initial, price, forms, later) as written; the
    migration tests go up and down the whole history on empty databases. (The example
    API's own tests send items without a description, which the model now requires.)"""
    project, url, _ = grown
    env = {"DATABASE_URL": url}
    review = baked_tests(project, "tests/test_migration_review.py", env=env)
    assert assert_all_passed(review) == len(revision_files(project)) == 4
    assert assert_all_passed(baked_tests(project, "tests/test_migrations.py", env=env)) == 3
    bin_dir = Path(sys.executable).parent
    run([str(bin_dir / "ruff"), "check", "."], project)
    run([str(bin_dir / "ruff"), "format", "--check", "."], project)


def test_upgrade_check_and_downgrade(grown):
    project, url, (price, forms, later) = grown
    env = {"DATABASE_URL": url}
    at(project, url, price)
    file_before = execute(url, "SELECT pg_relation_filenode('item')")
    alembic(project, "upgrade", "head", env=env)
    # No step rewrote the table: the wider NUMERIC and the default column included.
    assert execute(url, "SELECT pg_relation_filenode('item')") == file_before
    assert execute(
        url,
        "SELECT attnotnull FROM pg_attribute"
        " WHERE attrelid = 'item'::regclass AND attname = 'description'",
    ) == [(True,)]
    constraints = dict(
        execute(url, "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'item'::regclass")
    )
    assert CHECK not in constraints
    assert constraints["uq_item_description"] == "u"
    assert execute(
        url,
        "SELECT indisunique, indisvalid FROM pg_index WHERE indexrelid = 'ix_item_code'::regclass",
    ) == [(True, True)]
    assert execute(url, "SELECT enum_range(NULL::item_status)::text") == [
        ("{new,draft,published,archived,hidden}",)
    ]
    # The later revision's default, the value the revision before it added.
    execute(url, "INSERT INTO item (name, description) VALUES ('b', 'two')")
    assert execute(url, "SELECT status::text FROM item WHERE name = 'b'") == [("hidden",)]
    execute(url, "DELETE FROM item WHERE name = 'b'")
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout

    alembic(project, "downgrade", "-1", env=env)
    alembic(project, "downgrade", "-1", env=env)
    assert execute(
        url,
        "SELECT attnotnull FROM pg_attribute"
        " WHERE attrelid = 'item'::regclass AND attname = 'description'",
    ) == [(False,)]
    assert execute(url, "SELECT to_regclass('uq_item_description') IS NULL") == [(True,)]
    assert execute(url, "SELECT enum_range(NULL::item_status)::text") == [
        ("{draft,published,archived}",)
    ]
    assert execute(
        url,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'item'::regclass AND attname = 'price'",
    ) == [("numeric(8,2)",)]


def test_the_offline_sql_runs_as_written(grown, postgres_server):
    """``upgrade --sql`` from the price revision, run by psql on a database there."""
    project, _, (price, forms, later) = grown
    url = postgres_server.create_database("online_forms_offline")
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", revision_id(price.read_text()), env=env)
    execute(url, "INSERT INTO item (name, description, status) VALUES ('a', 'one', 'draft')")
    script = alembic(
        project, "upgrade", f"{revision_id(price.read_text())}:head", "--sql", env=env
    ).stdout
    # The validation and the concurrent builds sit between the revision's transactions.
    for statement in (
        f"VALIDATE CONSTRAINT {CHECK}",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_item_code",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_item_description",
    ):
        before = script.split(statement)[0]
        assert before.rfind("COMMIT;") > before.rfind("BEGIN;"), script
    subprocess.run(
        [
            str(postgres_server.bin_dir / "psql"),
            "--set=ON_ERROR_STOP=1",
            "--quiet",
            make_url(url).set(drivername="postgresql").render_as_string(False),
        ],
        input=script,
        text=True,
        capture_output=True,
        check=True,
    )
    assert alembic(project, "current", env=env).stdout.startswith(revision_id(later.read_text()))
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout


def test_a_revision_that_failed_part_way_completes_when_run_again(grown):
    """The forms revision commits as it goes. Run on rows it cannot hold, it stops where
    they fail it; once the rows are fixed, run again from the top over what it left, it
    completes."""
    project, url, (price, forms, _) = grown
    env = {"DATABASE_URL": url}
    at(project, url, price)
    execute(
        url,
        "INSERT INTO item (name, description, status)"
        " VALUES ('b', NULL, 'draft'), ('c', 'one', 'draft')",
    )
    forms_id = revision_id(forms.read_text())

    missing = alembic(project, "upgrade", forms_id, env=env, check=False)
    assert missing.returncode != 0
    assert "violated by some row" in missing.stderr, missing.stderr
    # The check is left, committed, not valid.
    assert execute(url, f"SELECT convalidated FROM pg_constraint WHERE conname = '{CHECK}'") == [
        (False,)
    ]
    execute(url, "UPDATE item SET description = 'three' WHERE name = 'b'")

    duplicate = alembic(project, "upgrade", forms_id, env=env, check=False)
    assert duplicate.returncode != 0
    assert "could not create unique index" in duplicate.stderr, duplicate.stderr
    # The failed concurrent build is left, invalid; NOT NULL was committed before it.
    assert execute(
        url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'uq_item_description'::regclass"
    ) == [(False,)]
    assert alembic(project, "current", env=env).stdout.startswith(revision_id(price.read_text()))
    execute(url, "UPDATE item SET description = 'four' WHERE name = 'c'")

    alembic(project, "upgrade", forms_id, env=env)
    assert execute(
        url,
        "SELECT con.conname, idx.indisvalid FROM pg_constraint con"
        " JOIN pg_index idx ON idx.indexrelid = con.conindid WHERE con.conname LIKE 'uq_item_%'"
        " ORDER BY 1",
    ) == [("uq_item_description", True), ("uq_item_name", True)]
    assert execute(url, f"SELECT count(*) FROM pg_constraint WHERE conname = '{CHECK}'") == [(0,)]
    alembic(project, "downgrade", revision_id(price.read_text()), env=env)
    execute(url, "DELETE FROM item WHERE name IN ('b', 'c')")
