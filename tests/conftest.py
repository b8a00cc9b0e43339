import json

import pytest

from alembic_service_template.answers import SUPPORTED_PYTHON_VERSIONS
from tests.helpers import SCRUBBED_ENVIRONMENT, TEMPLATE_DIR, find_interpreter, initial_revision

pytest_plugins = ["tests.postgres", "tests.mariadb", "tests.docker"]


@pytest.fixture(scope="session", autouse=True)
def isolated_cookiecutter_config(tmp_path_factory):
    """Cookiecutter's config for the whole session: a file of its own (COOKIECUTTER_CONFIG)
    whose replay and cookiecutters folders are temporary, so no bake reads
    ~/.cookiecutterrc or writes ~/.cookiecutter_replay/. The caller's database URLs and
    active environment are dropped too; commands the tests run never see them."""
    home = tmp_path_factory.mktemp("cookiecutter-user")
    config = home / "config.yaml"
    folders = {"cookiecutters_dir": home / "cookiecutters", "replay_dir": home / "replay"}
    # JSON is YAML, with every path quoted.
    config.write_text(json.dumps({key: str(path) for key, path in folders.items()}) + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOKIECUTTER_CONFIG", str(config))
        for name in SCRUBBED_ENVIRONMENT:
            patch.delenv(name, raising=False)
        yield config


@pytest.fixture(scope="session")
def _cookiecutter_config_file(isolated_cookiecutter_config):
    """pytest-cookies' config file (its fixture of this name): the session's isolated one."""
    return isolated_cookiecutter_config


@pytest.fixture
def bake(cookies):
    """Bake with the given answers (the rest default) and return the pytest-cookies result.
    A bake that succeeds must have made the initial revision (the hook runs in-process here)."""

    def bake_with(**answers):
        result = cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))
        if result.exit_code == 0:
            initial_revision(result.project_path)
        return result

    return bake_with


@pytest.fixture
def baked(bake):
    """A project baked with the default answers; fails the test if the bake failed."""
    result = bake()
    assert result.exit_code == 0, result.exception
    return result.project_path


@pytest.fixture(scope="session")
def uv_cache(tmp_path_factory):
    """uv's cache for the session (one per xdist worker), inside pytest's temporary folders:
    the installs of several baked projects download each package once."""
    return tmp_path_factory.mktemp("uv-cache")


def pytest_report_header(config):
    """Which supported Python versions test_python_versions.py installs baked projects on."""
    found = {version: find_interpreter(version) for version in SUPPORTED_PYTHON_VERSIONS}
    return "interpreters for baked projects: " + ", ".join(
        f"{version}={path or 'none'}" for version, path in found.items()
    )
