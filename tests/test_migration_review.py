"""Reviewing migrations before they ship: squawk on every revision's SQL (PostgreSQL),
lock and statement timeouts, and warnings where autogenerate destroys data."""

import os
import re
import tomllib

import pytest

from tests.helpers import (
    BIN_DIR,
    ITEM_MODELS,
    PACKAGE,
    POSTGRES_BAKE_TESTS,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_absent_server,
    baked_tests,
    edit,
    hand_written_revision,
    new_revision,
    revision_files,
    unused_port,
)

# One finding as the baked test reports it (pytest prefixes the lines of its message).
SQUAWK_RULE = re.compile(r"([\w-]+\.py): ([a-z-]+) at SQL line \d+: ")


@pytest.fixture
def pg_project(bake):
    return bake_for_absent_server(bake, "postgresql+psycopg")


def squawk_findings(result):
    """(revision file, rule) of each finding the baked review test reported."""
    return set(SQUAWK_RULE.findall(result.stdout))


def review(project, env):
    return baked_tests(project, "tests/test_migration_review.py", env=env, check=False)


# --- squawk ---------------------------------------------------------------------------


def test_the_initial_revision_lints_clean(pg_project, postgres_server):
    env = {"DATABASE_URL": postgres_server.create_database("lint_clean")}
    result = review(pg_project, env)
    assert result.returncode == 0, result.stdout
    assert assert_all_passed(result) == 1
    # One of the baked suite's tests per revision, beside the API, migration and model tests.
    assert assert_all_passed(baked_tests(pg_project, env=env)) == POSTGRES_BAKE_TESTS


def test_a_required_column_on_an_existing_table_fails_naming_the_rule(pg_project, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}  # offline: no server
    revision = hand_written_revision(
        pg_project,
        "add sku",
        'op.add_column("item", sa.Column("sku", sa.Text(), nullable=False))',
        'op.drop_column("item", "sku")',
    )
    result = review(pg_project, env)
    assert result.returncode != 0
    assert squawk_findings(result) == {(revision.name, "adding-required-field")}
    assert "ALTER TABLE item ADD COLUMN sku TEXT NOT NULL;" in result.stdout


def test_the_safe_three_step_version_passes(pg_project, postgres_server):
    url = postgres_server.create_database("three_steps")
    env = {"DATABASE_URL": url}
    hand_written_revision(
        pg_project,
        "add sku",
        'op.add_column("item", sa.Column("sku", sa.Text(), nullable=True))',
        'op.drop_column("item", "sku")',
    )
    hand_written_revision(
        pg_project,
        "backfill sku",
        "op.execute(\"UPDATE item SET sku = 'item-' || id WHERE sku IS NULL\")\n"
        '    op.execute("ALTER TABLE item ADD CONSTRAINT ck_item_sku_not_null'
        ' CHECK (sku IS NOT NULL) NOT VALID")',
        'op.execute("ALTER TABLE item DROP CONSTRAINT ck_item_sku_not_null")',
    )
    third = hand_written_revision(
        pg_project,
        "require sku",
        'op.execute("ALTER TABLE item VALIDATE CONSTRAINT ck_item_sku_not_null")\n'
        '    op.alter_column("item", "sku", existing_type=sa.Text(), nullable=False)\n'
        '    op.execute("ALTER TABLE item DROP CONSTRAINT ck_item_sku_not_null")',
        'op.alter_column("item", "sku", existing_type=sa.Text(), nullable=True)',
    )
    unacknowledged = review(pg_project, env)
    assert squawk_findings(unacknowledged) == {(third.name, "ban-drop-constraint")}

    edit(
        third,
        "def upgrade() -> None:\n",
        "def upgrade() -> None:\n"
        "    # squawk-ignore: ban-drop-constraint: item.ck_item_sku_not_null:"
        " NOT NULL now guarantees what it did\n",
    )
    result = review(pg_project, env)
    assert result.returncode == 0, result.stdout
    assert assert_all_passed(result) == 4
    alembic(pg_project, "upgrade", "head", env=env)


def test_an_acknowledgement_excuses_its_own_revision_only(pg_project, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    first = hand_written_revision(
        pg_project,
        "drop description",
        "# squawk-ignore: ban-drop-column: item.description: nothing reads it since release 3\n"
        '    op.drop_column("item", "description")',
        'op.add_column("item", sa.Column("description", sa.Text(), nullable=True))',
    )
    second = hand_written_revision(
        pg_project,
        "drop created_at",
        'op.drop_column("item", "created_at")',
        'op.add_column("item", sa.Column("created_at", sa.DateTime(timezone=True)))',
    )
    result = review(pg_project, env)
    findings = squawk_findings(result)
    assert findings == {(second.name, "ban-drop-column")}
    assert first.name not in {name for name, _ in findings}


# A squawk ahead of the real one on PATH: notes each run in the file SQUAWK_LOG.
COUNTING_SQUAWK = """#!/bin/sh
echo run >> "$SQUAWK_LOG"
exec {squawk} "$@"
"""


def test_one_squawk_run_reviews_every_revision(pg_project, tmp_path):
    counting = tmp_path / "bin" / "squawk"
    counting.parent.mkdir()
    counting.write_text(COUNTING_SQUAWK.format(squawk=BIN_DIR / "squawk"))
    counting.chmod(0o755)
    log = tmp_path / "squawk.log"
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",  # offline: no server
        "PATH": os.pathsep.join([str(counting.parent), str(BIN_DIR), os.environ["PATH"]]),
        "SQUAWK_LOG": str(log),
    }

    def squawk_runs() -> int:
        log.unlink(missing_ok=True)
        reviewed = assert_all_passed(review(pg_project, env))
        assert reviewed == len(revision_files(pg_project))
        return len(log.read_text().splitlines())

    assert squawk_runs() == 1
    for number in range(3):
        hand_written_revision(pg_project, f"step {number}", "pass")
    # Three more revisions, three more tests: not one more squawk process.
    assert squawk_runs() == 1


def test_an_acknowledgement_excuses_one_statement(pg_project, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    revision = hand_written_revision(
        pg_project,
        "drop two columns",
        "# squawk-ignore: ban-drop-column: item.description: nothing reads it since release 3\n"
        '    op.drop_column("item", "description")\n'
        '    op.drop_column("item", "created_at")',
    )
    result = review(pg_project, env)
    assert squawk_findings(result) == {(revision.name, "ban-drop-column")}
    assert "ALTER TABLE item DROP COLUMN created_at;" in result.stdout
    assert "ALTER TABLE item DROP COLUMN description;" not in result.stdout

    # One that does not say which statement it excuses is refused, not read as the rule.
    edit(revision, "item.description: nothing", "nothing")
    refused = review(pg_project, env)
    assert "'# squawk-ignore: ban-drop-column: nothing reads it since release 3'" in (
        refused.stdout
    )
    assert "does not say what it excuses" in refused.stdout


# --- timeouts -------------------------------------------------------------------------

READ_BACK = (
    'op.execute("CREATE TABLE seen_settings AS SELECT'
    " current_setting('lock_timeout') AS lock_timeout,"
    " current_setting('statement_timeout') AS statement_timeout\")"
)


def test_migrations_run_with_lock_and_statement_timeouts(pg_project, postgres_server):
    url = postgres_server.create_database("timeouts")
    hand_written_revision(pg_project, "read settings", READ_BACK, 'op.drop_table("seen_settings")')

    sql = alembic(pg_project, "upgrade", "head", "--sql", env={"DATABASE_URL": url}).stdout
    # Set for the script's whole session, before the first revision's transaction.
    assert sql.index("SET lock_timeout = '5s';") < sql.index("BEGIN;")
    assert sql.index("SET statement_timeout = '5min';") < sql.index("BEGIN;")
    assert "SET LOCAL" not in sql

    alembic(pg_project, "upgrade", "head", env={"DATABASE_URL": url})
    assert seen_settings(postgres_server, url) == ("5s", "5min")
    alembic(pg_project, "downgrade", "0001", env={"DATABASE_URL": url})
    overridden = {
        "DATABASE_URL": url,
        "MIGRATION_LOCK_TIMEOUT": "750ms",
        "MIGRATION_STATEMENT_TIMEOUT": "2min",
    }
    alembic(pg_project, "upgrade", "head", env=overridden)
    assert seen_settings(postgres_server, url) == ("750ms", "2min")


def seen_settings(server, url):
    with server.admin_connection(url.rsplit("/", 1)[1]) as connection:
        query = "SELECT lock_timeout, statement_timeout FROM seen_settings"
        return connection.execute(query).fetchone()


# --- data loss warnings ---------------------------------------------------------------

NOTE_MODELS = f"""\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(500))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def project_and_env(request, bake):
    if request.param == "sqlite":
        result = bake()
        env = {}
    else:
        server = request.getfixturevalue("postgres_server")
        result = bake(database_url=f"postgresql+psycopg://app:secret@127.0.0.1:{unused_port()}/app")
        env = {"DATABASE_URL": server.create_database("data_loss")}
    assert result.exit_code == 0, result.exception
    return result.project_path, env


def warnings_of(result):
    return [line for line in result.stdout.splitlines() if line.startswith("warning:")]


def test_destructive_autogenerate_warns_in_the_file_and_on_the_terminal(project_and_env):
    project, env = project_and_env
    alembic(project, "upgrade", "head", env=env)
    add_resource(project, PACKAGE, "note", NOTE_MODELS)
    created = autogenerate(project, "add note", env=env)
    assert "WARNING" not in created.read_text()
    alembic(project, "upgrade", "head", env=env)

    # A rename, as autogenerate sees it: a new column and a dropped one.
    models = project / PACKAGE / "resources" / "note" / "models.py"
    edit(models, "body: Mapped[str] = mapped_column(String(500))", "text: Mapped[str | None]")
    before = revision_files(project)
    result = alembic(project, "revision", "--autogenerate", "-m", "rename body", env=env)
    renamed = new_revision(project, before).read_text()
    upgrade = renamed.split("def downgrade")[0]
    assert re.search(
        r"# WARNING: drops column note\.body .*\n"
        r"\s*# Safe way: expand: .*\n\s*(batch_)?op\.drop_column",
        upgrade,
    )
    (warning,) = warnings_of(result)
    assert "drops column note.body" in warning
    alembic(project, "upgrade", "head", env=env)

    # Narrowing a column, then deleting the whole resource.
    edit(project / ITEM_MODELS, "String(200)", "String(20)")
    before = revision_files(project)
    narrowed = alembic(project, "revision", "--autogenerate", "-m", "shorter", env=env)
    assert "changes the type of item.name" in new_revision(project, before).read_text()
    assert len(warnings_of(narrowed)) == 1
    alembic(project, "upgrade", "head", env=env)

    for path in sorted(models.parent.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    models.parent.rmdir()
    before = revision_files(project)
    dropped = alembic(project, "revision", "--autogenerate", "-m", "drop note", env=env)
    text = new_revision(project, before).read_text()
    assert re.search(
        r"# WARNING: drops table note and every row in it\.\n\s*# Safe way: .*\n\s*op\.drop_table",
        text,
    )
    revision_id = re.search(r"Revision ID: (\w+)", text)[1]
    assert warnings_of(dropped) == [
        f"warning: revision {revision_id} drops table note and every row in it. Safe way:"
        " release code that no longer uses note first, then apply this revision. To rename it"
        " instead: create the new table, copy the rows in a revision of its own, switch the"
        " code to it, then drop note in a later release."
    ]


def test_only_postgresql_projects_get_the_squawk_review(bake, pg_project):
    sqlite_project = bake().project_path
    review_files = [".squawk.toml", "tests/test_migration_review.py"]
    assert [(pg_project / name).is_file() for name in review_files] == [True, True]
    assert [(sqlite_project / name).exists() for name in review_files] == [False, False]
    assert "squawk" not in (sqlite_project / "pyproject.toml").read_text()
    pg_dev_group = tomllib.loads((pg_project / "pyproject.toml").read_text())["dependency-groups"]
    assert "squawk-cli" in [d.split()[0] for d in pg_dev_group["dev"]]
    assert "squawk" not in (sqlite_project / "README.md").read_text()
