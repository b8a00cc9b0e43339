"""How env.py runs the revisions on a real PostgreSQL server: each revision in a
transaction of its own, and the migration timeouts on every statement of the run, after
an ``autocommit_block()`` too, online and in ``--sql`` scripts; a connection handed in
gets its own settings back."""

import subprocess
import sys

import pytest
from sqlalchemy import make_url

from tests.helpers import (
    POSTGRES_BAKE_TESTS,
    alembic,
    assert_all_passed,
    bake_for_absent_server,
    baked_tests,
    child_environment,
    current_revision,
    hand_written_revision,
    new_revision,
    poetry_environment,
    revision_files,
    revision_id,
    run,
)

# Long enough for any run here, far shorter than a wait on a lock that nothing times out.
COMMAND_LIMIT = 90


DRIVERS = {"sync": "postgresql+psycopg", "async": "postgresql+asyncpg"}


@pytest.fixture(params=DRIVERS)
def pg_project(request, bake, postgres_server):
    """A project for ``database_api`` sync or async, and a function making a database
    of the test server for it: its URL, with the project's driver."""
    scheme = DRIVERS[request.param]
    project = bake_for_absent_server(bake, scheme, database_api=request.param)

    def new_database(name):
        url = postgres_server.create_database(f"{name}_{request.param}")
        return scheme + url[url.index("://") :]

    return project, new_database


def database_name(url):
    return make_url(url).database


def test_a_revision_uses_the_enum_value_the_revision_before_it_added(pg_project, postgres_server):
    project, new_database = pg_project
    url = new_database("enum_value")
    hand_written_revision(
        project, "retired status", "op.execute(\"ALTER TYPE item_status ADD VALUE 'retired'\")"
    )
    hand_written_revision(
        project,
        "retire archived items",
        "op.execute(\"UPDATE item SET status = 'retired' WHERE status = 'archived'\")",
    )
    # PostgreSQL refuses a value added in a transaction that has not committed yet.
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    assert current_revision(project, {"DATABASE_URL": url}).endswith("(head)")


# A revision that commits (autocommit_block), then needs a lock on the item table.
AFTER_AN_AUTOCOMMIT_BLOCK = (
    "with op.get_context().autocommit_block():\n"
    "        op.execute(\"ALTER TYPE item_status ADD VALUE IF NOT EXISTS 'retired'\")\n"
    '    op.add_column("item", sa.Column("note", sa.Text(), nullable=True))'
)


def run_with_limit(command, project, env=None, input=None):
    """Run ``command``, failing the test if it is still waiting after COMMAND_LIMIT."""
    try:
        return subprocess.run(
            command,
            cwd=project,
            env=child_environment({**poetry_environment(), **(env or {})}),
            input=input,
            capture_output=True,
            text=True,
            timeout=COMMAND_LIMIT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command[0]} waited {COMMAND_LIMIT}s for the lock: no lock_timeout held")


def upgrade_with_limit(project, env):
    return run_with_limit([sys.executable, "-m", "alembic", "upgrade", "head"], project, env)


def test_lock_timeout_holds_after_an_autocommit_block(pg_project, postgres_server):
    project, new_database = pg_project
    url = new_database("after_autocommit")
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": "1s"}
    alembic(project, "upgrade", "head", env=env)
    revision = hand_written_revision(
        project, "note", AFTER_AN_AUTOCOMMIT_BLOCK, 'op.drop_column("item", "note")'
    )

    with postgres_server.admin_connection(database_name(url)) as other:
        with other.transaction():
            other.execute("LOCK TABLE item IN ACCESS SHARE MODE")  # as a long report would
            failed = upgrade_with_limit(project, env)
    assert failed.returncode != 0, failed.stdout + failed.stderr
    assert "canceling statement due to lock timeout" in failed.stderr, failed.stderr
    assert current_revision(project, env) == "0001"

    # Once the table is free, the same run goes through.
    assert upgrade_with_limit(project, env).returncode == 0
    assert current_revision(project, env) == f"{revision_id(revision.read_text())} (head)"


def test_lock_timeout_holds_after_an_autocommit_block_in_a_sql_script(pg_project, postgres_server):
    project, new_database = pg_project
    url = new_database("script_autocommit")
    env = {"DATABASE_URL": url, "MIGRATION_LOCK_TIMEOUT": "1s"}
    alembic(project, "upgrade", "head", env=env)
    hand_written_revision(
        project, "note", AFTER_AN_AUTOCOMMIT_BLOCK, 'op.drop_column("item", "note")'
    )
    script = alembic(project, "upgrade", "0001:head", "--sql", env=env).stdout
    assert "COMMIT;" in script.split("ALTER TYPE")[0]  # the block ends a transaction first

    with postgres_server.admin_connection(database_name(url)) as other:
        with other.transaction():
            other.execute("LOCK TABLE item IN ACCESS SHARE MODE")
            ran = run_with_limit(
                [
                    str(postgres_server.bin_dir / "psql"),
                    "--set=ON_ERROR_STOP=1",
                    make_url(url).set(drivername="postgresql").render_as_string(False),
                ],
                project,
                input=script,
            )
    assert ran.returncode != 0
    assert "canceling statement due to lock timeout" in ran.stderr, ran.stderr


# Application code handing env.py a connection of its own, with a lock_timeout of its own:
# what the connection's settings are after the upgrade (argv: URL, target revision).
HANDED_IN = """
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool

engine = create_engine(sys.argv[1], poolclass=pool.NullPool)
with engine.connect() as connection:
    connection.exec_driver_sql("SET lock_timeout = '42s'")
    connection.commit()
    config = Config("alembic.ini")
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, sys.argv[2])
    except Exception as error:
        print(type(error.orig).__name__, end=" ")
        connection.rollback()
    show = "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
    print(*connection.exec_driver_sql(show).one())
"""

READ_BACK = (
    'op.execute("CREATE TABLE seen_settings AS SELECT'
    " current_setting('lock_timeout') AS lock_timeout,"
    " current_setting('statement_timeout') AS statement_timeout\")"
)


def test_a_connection_handed_in_gets_its_settings_back(bake, postgres_server):
    project = bake_for_absent_server(bake, "postgresql+psycopg")
    url = postgres_server.create_database("handed_in")
    reading = hand_written_revision(
        project, "read settings", READ_BACK, 'op.drop_table("seen_settings")'
    )
    failing = hand_written_revision(project, "fails", 'op.execute("SELECT no_such_function()")')

    upgraded = run(
        [sys.executable, "-c", HANDED_IN, url, revision_id(reading.read_text())], cwd=project
    )
    assert upgraded.stdout.split() == ["42s", "0"]
    with postgres_server.admin_connection(database_name(url)) as connection:
        seen = connection.execute("SELECT lock_timeout, statement_timeout FROM seen_settings")
        assert seen.fetchone() == ("5s", "5min")

    failed = run(
        [sys.executable, "-c", HANDED_IN, url, revision_id(failing.read_text())], cwd=project
    )
    assert failed.stdout.split() == ["UndefinedFunction", "42s", "0"]


# --- branches ---------------------------------------------------------------------


def test_two_branches_fail_the_suite_until_merged(bake, postgres_server, tmp_path):
    project = bake_for_absent_server(bake, "postgresql+psycopg")
    env = {"DATABASE_URL": postgres_server.create_database("branches")}
    # Two branches each add a revision on top of 0001, then both are merged in git. Each
    # acknowledges a finding of squawk's, which the merge's review must not report again.
    first = hand_written_revision(
        project,
        "retype description",
        "# squawk-ignore: changing-column-type: item.description: the same type, as a check\n"
        '    op.execute("ALTER TABLE item ALTER COLUMN description TYPE TEXT")',
    )
    aside = first.rename(tmp_path / first.name)
    second = hand_written_revision(
        project,
        "retype name",
        "# squawk-ignore: changing-column-type: item.name: the same type, as a check\n"
        '    op.execute("ALTER TABLE item ALTER COLUMN name TYPE VARCHAR(200)")',
    )
    aside.rename(first)
    assert 'down_revision: str | Sequence[str] | None = "0001"' in second.read_text()

    diverged = baked_tests(project, env=env, check=False)
    assert diverged.returncode != 0
    assert "has 2 heads" in diverged.stdout and "alembic merge heads -m merge" in diverged.stdout

    before = revision_files(project)
    alembic(project, "merge", "heads", "-m", "merge", env=env)
    merge = new_revision(project, before)
    assert "def upgrade() -> None:\n    pass" in merge.read_text()
    # The suite passes, one review per revision: the merge's covers its own step only.
    assert assert_all_passed(baked_tests(project, env=env)) == POSTGRES_BAKE_TESTS + 3
    run([sys.executable, "-m", "ruff", "check", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=project)
