"""pytest-alembic's built-in checks: a single head, upgrade from an empty database,
every revision downgrades cleanly, and the models match what the migrations build."""

from pytest_alembic.tests import (  # noqa: F401 - collected by pytest
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
