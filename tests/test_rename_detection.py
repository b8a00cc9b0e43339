"""Autogenerate reads a column or table dropped beside a matching new one as a rename
(issue 22).

One project per backend, on a real server, with rows in the example's ``item`` table;
each scenario edits the models, runs ``alembic revision --autogenerate`` and applies the
revision as written: the rows read back from the new name after ``upgrade``, from the old
one after ``downgrade -1``, and ``alembic check`` finds nothing left to do. Where more
than one column could be the renamed one, nothing is guessed: the data-loss warning
stands, naming them.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import (
    ITEM_MODELS,
    alembic,
    cookiecutter_cli,
    edit,
    new_revision,
    python,
    revision_files,
    unused_port,
)

BACKENDS = {"sqlite": None, "postgresql": "postgres_server", "mysql": "mariadb_server"}
ROWS = ["first", "second"]

READ = """
import os, sys
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    print(";".join(connection.scalars(text(sys.argv[1]))))
engine.dispose()
"""


def read(project, env, sql: str) -> list[str]:
    result = python(project, f"import sys; sys.argv[1:] = [{sql!r}]\n{READ}", env=env)
    return result.stdout.strip().split(";")


@pytest.fixture(scope="module", params=list(BACKENDS))
def project(request, tmp_path_factory):
    """(project, env, backend): a web_framework=none bake at head, with two items whose
    ``description`` holds their name."""
    backend = request.param
    tmp_path = tmp_path_factory.mktemp(f"renames-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'renames.db'}"
    else:
        url = request.getfixturevalue(BACKENDS[backend]).create_database("renames")
    bake_url = {
        "sqlite": "sqlite:///my_service.db",
        "postgresql": f"postgresql+psycopg://app:secret@127.0.0.1:{unused_port()}/app",
        "mysql": f"mysql+pymysql://app:secret@127.0.0.1:{unused_port()}/app",
    }[backend]
    result = cookiecutter_cli(tmp_path, f"database_url={bake_url}", "web_framework=none")
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "my-service"
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    values = ", ".join(f"('{name}', '{name}', 'draft')" for name in ROWS)
    insert = f"INSERT INTO item (name, description, status) VALUES {values}"
    python(
        project,
        "import os\nfrom sqlalchemy import create_engine, text\n"
        "engine = create_engine(os.environ['DATABASE_URL'])\n"
        "with engine.begin() as connection:\n"
        f"    connection.execute(text({insert!r}))\n",
        env=env,
    )
    return project, env, backend


def autogenerate_revision(project, env, message):
    """(terminal output, revision text) of ``alembic revision --autogenerate``."""
    before = revision_files(project)
    result = alembic(project, "revision", "--autogenerate", "-m", message, env=env)
    return result.stdout + result.stderr, new_revision(project, before)


def upgrade_of(text: str) -> str:
    return text[text.index("def upgrade") : text.index("def downgrade")]


def downgrade_of(text: str) -> str:
    return text[text.index("def downgrade") :]


def code(text: str) -> str:
    """``text`` without its comments."""
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))


def warnings_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("warning:")]


def text_column(models) -> str:
    """The example's text column: ``summary`` once a test renamed ``description``."""
    return "summary" if "    summary:" in models.read_text() else "description"


def assert_check_is_clean(project, env):
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_a_renamed_column_keeps_its_values(project):
    project, env, backend = project
    edit(project / ITEM_MODELS, "    description:", "    summary:")
    output, revision = autogenerate_revision(project, env, "rename description")
    text = revision.read_text()
    upgrade, downgrade = upgrade_of(text), downgrade_of(text)
    assert "drop_column" not in code(upgrade) and "add_column" not in code(upgrade), text
    assert re.search(
        r'alter_column\((\s*"item",)?\s*"description",.*new_column_name="summary"', upgrade, re.S
    )
    # What MySQL needs to restate the column, on every backend.
    assert re.search(r"existing_type=(sa|mysql)\.TEXT\(\),\s*new_column_name", upgrade), text
    assert "existing_nullable=True" in upgrade, text
    assert re.search(
        r'alter_column\((\s*"item",)?\s*"summary",.*new_column_name="description"', downgrade, re.S
    )
    assert "drop_column" not in downgrade and "add_column" not in downgrade, text
    # The guess is said on the terminal and in the revision, with the way back to drop + add.
    (warning,) = warnings_of(output)
    assert "renames column item.description to summary" in warning, output
    assert 'follow the README\'s "Rename a column without downtime"' in warning, output
    assert "# Not a rename? Replace the next operation with:" in upgrade, text
    assert re.search(
        r"#     (batch_)?op\.add_column\(('item', )?sa\.Column\('summary', sa\.Text\(\)", upgrade
    ), text
    assert re.search(r"#     (batch_)?op\.drop_column\(('item', )?'description'\)", upgrade), text

    alembic(project, "upgrade", "head", env=env)
    assert read(project, env, "SELECT name FROM item ORDER BY id") == ROWS
    assert_check_is_clean(project, env)
    alembic(project, "downgrade", "-1", env=env)
    assert read(project, env, "SELECT description FROM item ORDER BY id") == ROWS
    alembic(project, "upgrade", "head", env=env)


@contextmanager
def models_tried(project: Path) -> Iterator[Path]:
    """The example's models file, to edit for one autogenerate run: afterwards the models
    are as they were and the revisions written meanwhile are gone."""
    models = project / ITEM_MODELS
    kept, before = models.read_text(), revision_files(project)
    try:
        yield models
    finally:
        models.write_text(kept)
        for path in set(revision_files(project)) - set(before):
            path.unlink()


def test_two_candidates_make_no_guess(project):
    project, env, backend = project
    with models_tried(project) as models:
        column = text_column(models)
        edit(
            models,
            f"    {column}: Mapped[str | None] = mapped_column(Text)\n",
            "    abstract: Mapped[str | None] = mapped_column(Text)\n"
            "    note: Mapped[str | None] = mapped_column(Text)\n",
        )
        output, revision = autogenerate_revision(project, env, "two candidates")
        upgrade = upgrade_of(revision.read_text())
        assert "new_column_name" not in code(upgrade), upgrade
        assert re.search(f'(batch_)?op\\.drop_column\\(("item", )?"{column}"\\)', upgrade), upgrade
        (warning,) = warnings_of(output)
        assert (
            f"drops column item.{column} and its values while adding item.abstract, item.note"
            in warning
        ), output


def test_a_column_that_changes_nullability_is_no_rename(project):
    project, env, backend = project
    with models_tried(project) as models:
        column = text_column(models)
        edit(
            models,
            f"    {column}: Mapped[str | None] = mapped_column(Text)\n",
            "    abstract: Mapped[str] = mapped_column(Text)\n",
        )
        output, revision = autogenerate_revision(project, env, "not null")
        upgrade = upgrade_of(revision.read_text())
        assert "new_column_name" not in code(upgrade), upgrade
        (warning,) = warnings_of(output)
        assert f"drops column item.{column} and its values while adding item.abstract" in warning


def test_a_renamed_table_keeps_its_rows_and_its_names_follow(project):
    project, env, backend = project
    models = project / ITEM_MODELS
    # An index too, whose name the naming convention makes from the table's.
    edit(
        models,
        "        default=ItemStatus.DRAFT,\n",
        "        default=ItemStatus.DRAFT,\n        index=True,\n",
    )
    alembic(project, "revision", "--autogenerate", "-m", "index status", env=env)
    alembic(project, "upgrade", "head", env=env)

    edit(models, '__tablename__ = "item"', '__tablename__ = "article"')
    output, revision = autogenerate_revision(project, env, "rename item")
    text = revision.read_text()
    upgrade, downgrade = upgrade_of(text), downgrade_of(text)
    assert 'op.rename_table("item", "article")' in upgrade, text
    assert "create_table" not in code(upgrade) and "drop_table" not in code(upgrade), text
    assert 'op.rename_table("article", "item")' in downgrade, text
    assert "create_table" not in downgrade and "drop_table" not in downgrade, text
    (warning,) = warnings_of(output)
    assert "renames table item to article" in warning, output
    assert re.search(r"# Not a rename\? Replace the next \d operations with:", upgrade), text
    if backend == "postgresql":
        assert "ALTER TABLE article RENAME CONSTRAINT uq_item_name TO uq_article_name" in upgrade
        assert "ALTER TABLE article RENAME CONSTRAINT pk_item TO pk_article" in upgrade
        assert "ALTER INDEX ix_item_status RENAME TO ix_article_status" in upgrade
    if backend == "mysql":
        assert "ALTER TABLE article RENAME INDEX uq_item_name TO uq_article_name" in upgrade

    alembic(project, "upgrade", "head", env=env)
    assert read(project, env, "SELECT name FROM article ORDER BY id") == ROWS
    assert_check_is_clean(project, env)
    alembic(project, "downgrade", "-1", env=env)
    assert read(project, env, "SELECT name FROM item ORDER BY id") == ROWS
    # And up again: the renames back left the names as the upgrade expects them.
    alembic(project, "upgrade", "head", env=env)
    assert_check_is_clean(project, env)
