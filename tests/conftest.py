import pytest

from tests.helpers import TEMPLATE_DIR

pytest_plugins = ["tests.postgres", "tests.mariadb"]


@pytest.fixture
def bake(cookies):
    """Bake with the given answers (the rest default) and return the pytest-cookies result."""

    def bake_with(**answers):
        return cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))

    return bake_with


@pytest.fixture
def baked(bake):
    """A project baked with the default answers; fails the test if the bake failed."""
    result = bake()
    assert result.exit_code == 0, result.exception
    return result.project_path
