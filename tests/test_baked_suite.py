"""The baked suite's databases: pytest-alembic's checks get an empty database each; every
other test shares one, migrated to head once per session, and runs in a transaction rolled
back at its end, so the suite's time does not grow with tests x revisions. On each backend,
sync and async, with the application's own session setup."""

import textwrap
from collections import Counter

import pytest

from tests.helpers import (
    DEFAULT_BAKE_TESTS,
    alembic,
    assert_all_passed,
    baked_tests,
    edit,
    for_database_api,
    revision_files,
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
