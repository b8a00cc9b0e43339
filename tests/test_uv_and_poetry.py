"""One bake, installed and tested twice: with uv (``uv sync``, ``uv run``) and with Poetry.

The dev tools are a PEP 735 ``[dependency-groups]`` table, which both read. Each install
runs with PATH holding only the system's folders, so ``uv run pytest`` and
``poetry run pytest`` find pytest in the project's own virtualenv or not at all, never the
test interpreter's.
"""

import shutil
import tomllib

from tests.helpers import (
    BIN_DIR,
    DEFAULT_BAKE_TESTS,
    SYSTEM_PATH,
    UV,
    assert_all_passed,
    cookiecutter_cli,
    initial_revision,
    run,
    uv_environment,
)

DEFAULT_DEV_GROUP = ["pytest", "pytest-alembic", "ruff", "httpx2"]


def requirement_names(requirements: list[str]) -> list[str]:
    return [requirement.split()[0] for requirement in requirements]


def test_one_bake_installs_and_passes_with_uv_and_with_poetry(tmp_path, uv_cache):
    out = tmp_path / "out"
    out.mkdir()
    baked = cookiecutter_cli(out)
    assert baked.returncode == 0, baked.stdout + baked.stderr
    project = out / "my-service"
    initial_revision(project)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert requirement_names(pyproject["dependency-groups"]["dev"]) == DEFAULT_DEV_GROUP
    assert "group" not in pyproject["tool"]["poetry"]

    uv_env = uv_environment(uv_cache) | {"PATH": SYSTEM_PATH}

    def uv(*args):
        return run([str(UV), *args], cwd=project, env=uv_env)

    uv("sync")
    assert (project / "uv.lock").is_file()
    for tool in ("alembic", "pytest", "ruff"):
        assert (project / ".venv" / "bin" / tool).is_file(), f"uv sync did not install {tool}"
    uv("run", "alembic", "upgrade", "head")
    assert "0001 (head)" in uv("run", "alembic", "current").stdout
    uv_suite = uv("run", "pytest", "-p", "no:cacheprovider")
    assert assert_all_passed(uv_suite) == DEFAULT_BAKE_TESTS
    uv("run", "ruff", "check", ".")

    # Poetry on the same bake, in a virtualenv of its own (POETRY_VIRTUALENVS_IN_PROJECT).
    shutil.rmtree(project / ".venv")
    poetry_env = {"PATH": SYSTEM_PATH}

    def poetry(*args):
        return run([str(BIN_DIR / "poetry"), *args], cwd=project, env=poetry_env)

    poetry("install")
    assert (project / "poetry.lock").is_file()
    for tool in ("alembic", "pytest", "ruff"):
        assert (project / ".venv" / "bin" / tool).is_file(), f"poetry did not install {tool}"
    poetry("run", "python", "-c", "import httpx2, pytest_alembic")
    assert "0001 (head)" in poetry("run", "alembic", "current").stdout
    poetry_suite = poetry("run", "pytest", "-p", "no:cacheprovider")
    assert assert_all_passed(poetry_suite) == DEFAULT_BAKE_TESTS
