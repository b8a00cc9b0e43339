"""The online forms under live traffic (tests/live_traffic.py): while one real
``alembic upgrade head`` changes a busy table of 100,000 rows with the revision
autogenerate wrote, a writer inserting and updating rows loses no write, waits less than
the migration's own lock_timeout, and waits on the migration only for statements that
read no rows. Alembic's default form of the same change, run the same way, holds the
writer through the scan or the index build.

Nothing here is timed against a fixed figure but the project's lock_timeout; how long
the writers waited is benchmarks/live_traffic.py's.
"""

import pytest

from tests.live_traffic import CASES, BusyTable, bake_busy_table

ROWS = 100_000


@pytest.fixture(scope="module")
def busy_table(tmp_path_factory, postgres_server) -> BusyTable:
    return bake_busy_table(postgres_server, tmp_path_factory.mktemp("live-traffic"), ROWS)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_online_revision_keeps_writers_writing(busy_table, case):
    traffic = busy_table.run(case, "online")

    assert traffic.writes_during_migration > 0, str(traffic)
    assert traffic.failures == [], str(traffic)
    assert traffic.longest_wait < busy_table.lock_timeout, str(traffic)
    assert traffic.held_outside(case.instant) == [], str(traffic)


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.default_held_outside], ids=lambda case: case.name
)
def test_alembics_default_form_holds_writers_through_the_change(busy_table, case):
    """The same harness tells the two forms apart: the check above fails on the default."""
    traffic = busy_table.run(case, "default")

    assert traffic.failures == [], str(traffic)
    assert traffic.held_outside(case.instant) != [], str(traffic)
