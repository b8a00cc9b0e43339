"""A password in database_url reaches .env and nothing else."""

import subprocess
import sys
from urllib.parse import quote

import pytest
from sqlalchemy import make_url

from tests.helpers import cookiecutter_cli, initial_revision

PASSWORD = "p@ss:w/rd%#'\"${HOME}>\\"
ENCODED = quote(PASSWORD, safe="")
URL = f"postgresql+psycopg://app:{ENCODED}@localhost:5432/app"


def files_holding(root, needles):
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(needle.encode() in data for needle in needles):
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


# (database_api, the URL given, the URL the settings read): an async project's URL naming
# no driver gets the default async one.
GIVEN_AND_READ = [
    ("sync", URL, URL),
    (
        "async",
        URL.replace("postgresql+psycopg://", "postgresql://"),
        URL.replace("postgresql+psycopg://", "postgresql+asyncpg://"),
    ),
]


@pytest.mark.parametrize(("database_api", "given", "read"), GIVEN_AND_READ, ids=["sync", "async"])
def test_password_is_in_dot_env_only_and_reaches_the_settings(tmp_path, database_api, given, read):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    out = tmp_path / "out"
    result = cookiecutter_cli(
        out,
        f"database_api={database_api}",
        f"database_url={given}",
        env={"TMPDIR": str(private_tmp)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    project = out / "my-service"
    initial_revision(project)

    # The raw password, its encoded form, and the tell-tale pieces of either.
    needles = [PASSWORD, ENCODED, "w/rd", "w%2Frd", "${HOME}", "%24%7BHOME%7D"]
    # The Kubernetes manifests are among the files searched: they name a Secret only.
    assert (project / "k8s/migrate/job.yaml").is_file()
    assert files_holding(project, needles) == [".env"]
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    assert PASSWORD not in result.stdout + result.stderr
    assert ENCODED not in result.stdout + result.stderr

    # Hook scripts cookiecutter rendered into the temporary folder (and left there).
    assert list(private_tmp.rglob("*.py")), "expected cookiecutter's rendered hook scripts"
    assert files_holding(private_tmp, needles) == []

    settings = subprocess.run(
        [
            sys.executable,
            "-c",
            "from my_service.settings import get_settings;"
            " print(get_settings().database_url.render_as_string(hide_password=False))",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert settings.returncode == 0, settings.stderr
    assert settings.stdout.rstrip("\n") == read
    assert make_url(settings.stdout.rstrip("\n")).password == PASSWORD


def test_password_stays_out_of_the_replay_answers(tmp_path):
    result = cookiecutter_cli(tmp_path, f"database_url={URL}")
    assert result.returncode == 0, result.stdout + result.stderr
    initial_revision(tmp_path / "my-service")
    kept = (tmp_path / "my-service" / ".cookiecutter.json").read_text()
    assert "postgresql+psycopg://app@localhost:5432/app" in kept
    assert ENCODED not in kept and "w/rd" not in kept
