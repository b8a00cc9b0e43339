"""Autogenerate writes changes to existing PostgreSQL tables in their online form
(``database/online_ddl.py``): an index built ``CONCURRENTLY``, a foreign key added
``NOT VALID`` and validated outside the revision's transaction, every step safe to repeat.

One project on a real PostgreSQL grows as a team grows it: a second resource, then a
foreign key from the example to it, with an index; the revision is used as written.
"""

import re
import sys

import psycopg
import pytest

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    alembic,
    autogenerate,
    bake_for_postgres,
    edit,
    revision_files,
    run,
)

CATEGORY_LINK = (
    '    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)\n'
)


@pytest.fixture(scope="module")
def linked(tmp_path_factory, postgres_server):
    """(project, DATABASE_URL, the revision adding item.category_id), at head."""
    project = bake_for_postgres(tmp_path_factory.mktemp("online-ddl"))
    url = postgres_server.create_database("online_ddl")
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    run([sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", "category"], project, env=env)
    alembic(project, "upgrade", "head", env=env)
    models = project / ITEM_MODELS
    edit(models, "from sqlalchemy import Enum,", "from sqlalchemy import Enum, ForeignKey,")
    edit(
        models,
        "    created_at: Mapped[datetime]",
        CATEGORY_LINK + "    created_at: Mapped[datetime]",
    )
    revision = autogenerate(project, "item category", env=env)
    return project, url, revision


def catalog(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        return connection.execute(query).fetchall()


def test_the_revision_is_written_in_the_online_form(linked):
    _, _, revision = linked
    text = revision.read_text()
    assert "postgresql_concurrently=True" in text
    assert "postgresql_not_valid=True" in text
    assert 'op.execute("ALTER TABLE item VALIDATE CONSTRAINT fk_item_category_id_category")' in text
    # Both steps that must run outside a transaction are in an autocommit block.
    assert (
        text.count("with op.get_context().autocommit_block():") == 3
    )  # index, validate; down: index
    assert "if_not_exists=True" in text


def test_upgrade_builds_a_valid_index_and_a_validated_key(linked):
    project, url, _ = linked
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    assert catalog(
        url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_item_category_id'::regclass"
    ) == [(True,)]
    assert catalog(
        url,
        "SELECT convalidated FROM pg_constraint WHERE conname = 'fk_item_category_id_category'",
    ) == [(True,)]
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_a_revision_run_again_after_a_failure_completes(linked):
    """Work outside the transaction is committed step by step: a revision that failed after
    it is run again from the top, over what the first run left."""
    project, url, revision = linked
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    previous = re.search(r'^down_revision: .* = "(\w+)"$', revision.read_text(), re.MULTILINE)[1]
    # The schema stays as the revision left it; only the version goes back, as after a
    # failure between its committed steps.
    alembic(project, "stamp", previous, env=env)
    alembic(project, "upgrade", "head", env=env)
    assert catalog(
        url, "SELECT count(*) FROM pg_constraint WHERE conname = 'fk_item_category_id_category'"
    ) == [(1,)]


def test_an_index_whose_build_failed_is_built_again(linked):
    """A concurrent build that fails leaves its index INVALID; the revision run again
    replaces it rather than keep it (``IF NOT EXISTS`` alone would)."""
    project, url, revision = linked
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    previous = re.search(r'^down_revision: .* = "(\w+)"$', revision.read_text(), re.MULTILINE)[1]
    alembic(project, "downgrade", previous, env=env)
    # What a first run that failed on the index left: the column, and the index INVALID.
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as db:
        db.execute("ALTER TABLE item ADD COLUMN category_id BIGINT")
        db.execute("INSERT INTO item (name, status, category_id) VALUES ('a', 'draft', 0)")
        with pytest.raises(psycopg.errors.DivisionByZero):
            db.execute("CREATE INDEX CONCURRENTLY ix_item_category_id ON item ((1 / category_id))")
        db.execute("DELETE FROM item")
    invalid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_item_category_id'::regclass"
    assert catalog(url, invalid) == [(False,)]
    alembic(project, "upgrade", "head", env=env)
    assert catalog(url, invalid) == [(True,)]
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_downgrade_and_offline_sql(linked):
    project, url, revision = linked
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "downgrade", "-1", env=env)
    assert catalog(url, "SELECT to_regclass('ix_item_category_id') IS NULL") == [(True,)]
    sql = alembic(project, "upgrade", "head", "--sql", env=env).stdout
    # The concurrent build sits between the revision's transactions, never inside one.
    before_index = sql.split("DROP INDEX CONCURRENTLY")[0]
    assert before_index.rstrip().endswith("COMMIT;"), sql
    alembic(project, "upgrade", "head", env=env)


def test_new_tables_keep_the_plain_form(linked):
    """add-resource's revision creates the category table: no online form."""
    project, _, revision = linked
    (category,) = [
        path
        for path in revision_files(project)
        if path not in (revision, project / "alembic/versions/0001_initial.py")
    ]
    text = category.read_text()
    assert 'op.create_table(\n        "category"' in text
    assert "autocommit_block" not in text and "concurrently" not in text
