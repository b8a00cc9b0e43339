"""The tests' own isolation: the caller's database URLs and cookiecutter folders stay out."""

import json
import sys
from pathlib import Path

from tests.helpers import (
    BAKED_PROJECT_TESTS,
    TEMPLATE_DIR,
    alembic,
    assert_all_passed,
    cookiecutter_cli,
    initial_revision,
    run,
)

# Nothing listens on the discard port: anything that connects here fails.
BOGUS_URL = "postgresql+psycopg://nobody:nothing@127.0.0.1:9/not_here"


def test_database_urls_in_the_callers_environment_reach_no_command(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
        monkeypatch.setenv(name, BOGUS_URL)
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "someone-elses-venv"))
    monkeypatch.setenv("POETRY_ACTIVE", "1")

    result = cookiecutter_cli(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "my-service"
    initial_revision(project)

    # Alembic reads .env's SQLite URL, not the caller's DATABASE_URL.
    alembic(project, "upgrade", "head")
    assert (project / "my_service.db").is_file()
    assert alembic(project, "current").stdout.strip() == "0001 (head)"
    # The baked tests use their temporary SQLite file, not the caller's TEST_DATABASE_URL.
    suite = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=project)
    assert_all_passed(suite, at_least=BAKED_PROJECT_TESTS)

    seen = run(
        [sys.executable, "-c", "import os, json; print(json.dumps(dict(os.environ)))"],
        cwd=tmp_path,
    )
    leaked = {"DATABASE_URL", "TEST_DATABASE_URL", "VIRTUAL_ENV", "POETRY_ACTIVE"}
    assert leaked & set(json.loads(seen.stdout)) == set()

    # A test that passes one explicitly gets it.
    elsewhere = tmp_path / "elsewhere.db"
    alembic(project, "upgrade", "head", env={"DATABASE_URL": f"sqlite:///{elsewhere}"})
    assert elsewhere.is_file()


def replay_file_state(path: Path):
    return (path.stat().st_mtime_ns, path.read_bytes()) if path.exists() else None


def test_bakes_write_no_replay_file_in_the_home_folder(
    tmp_path, bake, isolated_cookiecutter_config
):
    replay_name = f"{TEMPLATE_DIR.name}.json"
    home_replay = Path.home() / ".cookiecutter_replay" / replay_name
    before = replay_file_state(home_replay)
    session_replay = (
        Path(json.loads(isolated_cookiecutter_config.read_text())["replay_dir"]) / replay_name
    )

    for how in ("cli", "pytest-cookies"):
        session_replay.unlink(missing_ok=True)
        if how == "cli":
            result = cookiecutter_cli(tmp_path, "project_name=Replayed Service")
            assert result.returncode == 0, result.stdout + result.stderr
        else:
            assert bake(project_name="Replayed Service").exit_code == 0
        # The bake saved its answers, in the session's replay folder.
        saved = json.loads(session_replay.read_text())["cookiecutter"]
        assert saved["project_name"] == "Replayed Service", how
        assert replay_file_state(home_replay) == before, how
