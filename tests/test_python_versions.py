"""Every ``python_version`` choice whose interpreter this machine has: one bake with that
answer, installed on that interpreter (``uv sync --python``), then its own tests, Alembic
and ruff run there.

Interpreters are found at run time (helpers.find_interpreter; the pytest header lists
them). A version without one is not installed here; test_generation bakes it and lints it
with its ruff ``target-version`` (checked below). Finding none at all is a failure.
"""

import json

import pytest

from alembic_service_template.answers import SUPPORTED_PYTHON_VERSIONS
from tests.helpers import (
    DEFAULT_BAKE_TESTS,
    TEMPLATE_DIR,
    UV,
    assert_all_passed,
    cookiecutter_cli,
    find_interpreter,
    initial_revision,
    run,
    uv_environment,
)
from tests.test_generation import SUPPORTED


def found_interpreters() -> dict[str, str]:
    found = {version: find_interpreter(version) for version in SUPPORTED_PYTHON_VERSIONS}
    return {version: path for version, path in found.items() if path}


def test_an_interpreter_of_a_supported_version_is_found():
    found = found_interpreters()
    print(f"interpreters found: {found or 'none'}")
    assert found, (
        f"no interpreter of {', '.join(SUPPORTED_PYTHON_VERSIONS)} on PATH, in /usr/local/bin,"
        " /usr/bin or under pyenv's versions: no baked project can be installed"
    )


def test_every_version_is_baked_and_linted_by_test_generation():
    default = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["python_version"][0]
    linted = {answers.get("python_version", default) for answers in SUPPORTED}
    assert linted == set(SUPPORTED_PYTHON_VERSIONS)


# Only the versions found here: the others are test_generation's (checked above).
@pytest.mark.parametrize(("version", "interpreter"), sorted(found_interpreters().items()))
def test_the_bake_installs_and_passes_on_its_python(version, interpreter, tmp_path, uv_cache):
    out = tmp_path / "out"
    out.mkdir()
    baked = cookiecutter_cli(out, f"python_version={version}")
    assert baked.returncode == 0, baked.stdout + baked.stderr
    project = out / "my-service"
    initial_revision(project)

    run([str(UV), "sync", "--python", interpreter], cwd=project, env=uv_environment(uv_cache))
    venv = project / ".venv" / "bin"
    reported = run(
        [str(venv / "python"), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        cwd=project,
    )
    assert reported.stdout.strip() == version

    run([str(venv / "alembic"), "upgrade", "head"], cwd=project)
    assert "0001 (head)" in run([str(venv / "alembic"), "current"], cwd=project).stdout
    suite = run([str(venv / "python"), "-m", "pytest", "-p", "no:cacheprovider"], cwd=project)
    assert assert_all_passed(suite) == DEFAULT_BAKE_TESTS
    assert f"Python {version}." in suite.stdout.splitlines()[1], suite.stdout
    run([str(venv / "ruff"), "check", "."], cwd=project)
