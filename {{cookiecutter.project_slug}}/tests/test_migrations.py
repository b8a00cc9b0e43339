"""pytest-alembic's built-in checks: upgrade from an empty database, every revision
downgrades cleanly, and the models match what the migrations build; and a single head."""

from pytest_alembic import MigrationContext
from pytest_alembic.tests import (  # noqa: F401 - collected by pytest
    test_model_definitions_match_ddl,
    test_up_down_consistency,
    test_upgrade,
)


def test_single_head_revision(alembic_runner: MigrationContext) -> None:
    """Two branches that each added a revision leave two heads, and `alembic upgrade head`
    refuses to choose: a merge revision joins them."""
    heads = alembic_runner.heads
    assert len(heads) == 1, (
        f"alembic/versions has {len(heads)} heads ({', '.join(sorted(heads))}): branches each"
        " added a revision. Run `alembic merge heads -m merge` and commit the revision it writes."
    )
