"""The baked suite's databases: the migration checks get an empty database each; every
other test shares one, migrated to head once per session, and runs in a transaction rolled
back at its end, so the suite's time does not grow with tests x revisions. On each backend,
sync and async, with the application's own session setup.

The migration checks (the baked tests/test_migrations.py) fail on a downgrade that fails
and on a model change without a revision, and run as many Alembic commands however long
the history is."""

import re
import textwrap
from collections import Counter

import pytest

from tests.helpers import (
    DEFAULT_BAKE_TESTS,
    ITEM_MODELS,
    alembic,
    assert_all_passed,
    baked_tests,
    edit,
    for_database_api,
    hand_written_revision,
    revision_files,
    revision_id,
)

# The two tests that write the same unique name: each passes only if the other, run before
# it, left nothing behind.
SAME_NAME_TESTS = [
    "tests/test_api.py::test_what_a_test_commits_is_gone_for_the_next[one]",
    "tests/test_api.py::test_what_a_test_commits_is_gone_for_the_next[other]",
]


def database_url(request, backend: str, database_api: str) -> str:
    """A URL on the backend's test server (created there), for the bake and DATABASE_URL."""
    if backend == "sqlite":
        return f"sqlite{'+aiosqlite' if database_api == 'async' else ''}:///my_service.db"
    server = request.getfixturevalue(
        f"{'postgres' if backend == 'postgresql' else 'mariadb'}_server"
    )
    return for_database_api(server.create_database(f"suite_{database_api}"), database_api)


@pytest.mark.parametrize("database_api", ["sync", "async"])
@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_tests_leave_nothing_behind_in_either_order(request, bake, backend, database_api):
    url = database_url(request, backend, database_api)
    result = bake(database_api=database_api, database_url=url)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    env = {"DATABASE_URL": url}

    assert_all_passed(baked_tests(project, env=env), at_least=DEFAULT_BAKE_TESTS)
    for order in (SAME_NAME_TESTS, SAME_NAME_TESTS[::-1]):
        assert assert_all_passed(baked_tests(project, *order, env=env)) == 2


# A revision that notes in the file MIGRATION_LOG each time Alembic loads it (every Alembic
# command does: its cost grows with the history) and each run of its upgrade.
COUNTING_REVISION_HEAD = """\
import os

with open(os.environ["MIGRATION_LOG"], "a") as log:
    log.write("loaded\\n")
"""
COUNTING_UPGRADE = """\
def upgrade() -> None:
    with open(os.environ["MIGRATION_LOG"], "a") as log:
        log.write("upgrade\\n")
"""

MORE_API_TESTS = textwrap.dedent(
    """
    import pytest


    @pytest.mark.parametrize("number", range(20))
    def test_one_more(client, number):
        assert client.post("/items", json={"name": f"row {number}"}).status_code == 201
    """
)


def test_the_shared_database_is_migrated_once_however_many_tests(baked, tmp_path):
    before = revision_files(baked)
    alembic(baked, "revision", "-m", "counted")
    (revision,) = set(revision_files(baked)) - set(before)
    edit(
        revision, "import sqlalchemy as sa\n", f"import sqlalchemy as sa\n{COUNTING_REVISION_HEAD}"
    )
    edit(revision, "def upgrade() -> None:\n    pass\n", COUNTING_UPGRADE)

    def migration_work_in_a_run() -> Counter:
        log = tmp_path / "migrations.log"
        log.unlink(missing_ok=True)
        assert_all_passed(baked_tests(baked, env={"MIGRATION_LOG": str(log)}))
        return Counter(log.read_text().splitlines())

    work = migration_work_in_a_run()
    assert work["upgrade"] >= 1 and work["loaded"] >= work["upgrade"], work
    (baked / "tests" / "test_more.py").write_text(MORE_API_TESTS)
    # Twenty more tests on the shared database: not one more Alembic command.
    assert migration_work_in_a_run() == work


# --- the migration checks ----------------------------------------------------------

MIGRATION_CHECKS = "tests/test_migrations.py"
ROUND_TRIP_CHECK = f"{MIGRATION_CHECKS}::test_upgrade_downgrade_and_upgrade_again"
MODELS_CHECK = f"{MIGRATION_CHECKS}::test_models_match_the_migrated_schema"
# Appended to the baked env.py: a line in the file MIGRATION_LOG each time it runs (each
# Alembic command that reaches the database runs it once).
ENV_PY_RUN_COUNTER = """

if "MIGRATION_LOG" in os.environ:
    with open(os.environ["MIGRATION_LOG"], "a") as log:
        log.write("env.py\\n")
"""


def failed_checks(result) -> set[str]:
    return set(re.findall(r"^FAILED (\S+)", result.stdout, re.MULTILINE))


def test_a_downgrade_that_fails_fails_the_round_trip_naming_its_revision(baked):
    revision = hand_written_revision(
        baked, "downgrade breaks", "pass", downgrade='op.drop_table("no_such_table")'
    )
    result = baked_tests(baked, MIGRATION_CHECKS, check=False)
    assert failed_checks(result) == {ROUND_TRIP_CHECK}, result.stdout
    assert f"{revision.relative_to(baked).as_posix()}:" in result.stdout, result.stdout
    assert f"Running downgrade {revision_id(revision.read_text())} -> 0001" in result.stdout


def test_a_downgrade_that_leaves_its_table_fails_the_second_upgrade(baked):
    create = 'op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))'
    hand_written_revision(
        baked, "scratch table", f'{create}\n    op.drop_table("scratch")', downgrade=create
    )
    result = baked_tests(baked, MIGRATION_CHECKS, check=False)
    assert failed_checks(result) == {ROUND_TRIP_CHECK}, result.stdout
    assert "table scratch already exists" in result.stdout, result.stdout


def test_a_model_change_without_a_revision_fails_the_models_check(baked):
    edit(
        baked / ITEM_MODELS,
        "    description: Mapped[str | None] = mapped_column(Text)\n",
        "    description: Mapped[str | None] = mapped_column(Text)\n"
        "    note: Mapped[str | None] = mapped_column(Text)\n",
    )
    result = baked_tests(baked, MIGRATION_CHECKS, check=False)
    assert failed_checks(result) == {MODELS_CHECK}, result.stdout
    assert "New upgrade operations detected" in result.stdout, result.stdout
    assert "'add_column'" in result.stdout and "'note'" in result.stdout, result.stdout


def test_the_migration_checks_run_as_many_alembic_commands_however_long_the_history(
    baked, tmp_path
):
    env_py = baked / "alembic" / "env.py"
    env_py.write_text(env_py.read_text().replace("import sys\n", "import os\nimport sys\n", 1))
    with env_py.open("a") as file:
        file.write(ENV_PY_RUN_COUNTER)
    log = tmp_path / "migrations.log"

    def env_py_runs() -> int:
        log.unlink(missing_ok=True)
        assert_all_passed(baked_tests(baked, env={"MIGRATION_LOG": str(log)}))
        return len(log.read_text().splitlines())

    runs = env_py_runs()
    for number in range(5):
        alembic(baked, "revision", "-m", f"empty {number}")
    # Five more revisions: not one more Alembic command.
    assert env_py_runs() == runs
