"""Bakes running at the same time do not disturb each other."""

import json
import tomllib
from concurrent.futures import ThreadPoolExecutor

from tests.helpers import (
    cookiecutter_cli,
    dotenv_without_compose_password,
    file_tree,
    initial_revision,
)

# Words no template file holds, so any of them in a project came from that bake's answers.
NAMES = ["aardvark", "bobcat", "caracal", "dugong", "echidna", "fossa", "gharial", "hoatzin"]
URLS = [
    "sqlite:///{name}.db",
    "postgresql+psycopg://app@{name}-db.internal/{name}",
    "mysql+pymysql://app@{name}-db.internal:3306/{name}",
    "postgresql+psycopg2://app@{name}-db.internal/{name}",
]


def answers_of(index: int) -> dict[str, str]:
    """Answers no other bake shares: each name shows up in the files of its bake only."""
    name = NAMES[index]
    return {
        "project_name": f"Service {name.title()}",
        "resource_name": f"{name}_record",
        "database_url": URLS[index % len(URLS)].format(name=name),
    }


def test_eight_simultaneous_bakes_each_keep_their_own_answers(tmp_path):
    bakes = [answers_of(index) for index in range(len(NAMES))]
    # Into the same output folder, all at once.
    with ThreadPoolExecutor(len(bakes)) as pool:
        results = list(
            pool.map(
                lambda answers: cookiecutter_cli(
                    tmp_path, *(f"{key}={value}" for key, value in answers.items())
                ),
                bakes,
            )
        )

    assert sorted(path.name for path in tmp_path.iterdir()) == [f"service-{name}" for name in NAMES]
    for index, (name, answers, result) in enumerate(zip(NAMES, bakes, results, strict=True)):
        assert result.returncode == 0, result.stdout + result.stderr
        project = tmp_path / f"service-{name}"
        package = f"service_{name}"
        revision = initial_revision(project).read_text()
        assert f'"{name}_record"' in revision
        assert (project / package / "resources" / f"{name}_record" / "models.py").is_file()
        expected_dotenv = f"DATABASE_URL='{answers['database_url']}'\n"
        assert dotenv_without_compose_password(project) == expected_dotenv
        kept = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
        assert {key: kept[key] for key in answers} == answers
        pyproject = tomllib.loads((project / "pyproject.toml").read_text())
        assert pyproject["project"]["name"] == f"service-{name}"
        # Rendered for its own dialect: SQLite's '(CURRENT_TIMESTAMP)' in the SQLite bakes only.
        assert ("sqlite" in answers["database_url"]) is ("(CURRENT_TIMESTAMP)" in revision)

        # Nothing from another bake in any file (its names, resources or hosts).
        others = [other for other in NAMES if other != name]
        for path, data in file_tree(project).items():
            text = data.decode("utf-8", errors="replace").lower()
            leaked = [other for other in others if other in text]
            assert leaked == [], f"bake {index} ({name}): {path} mentions {leaked}"
