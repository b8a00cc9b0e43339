"""The same answers give the same project: twice, by replay, and through cruft."""

import json
import sys

from tests.helpers import (
    BIN_DIR,
    TEMPLATE_DIR,
    cookiecutter_cli,
    dotenv_without_compose_password,
    file_tree,
    git,
    initial_revision,
    revision_files,
    run,
    template_clone,
)

ANSWERS = [
    "project_name=Billing API",
    "resource_name=invoice_line",
    "database_url=postgresql+psycopg://app:s3cret@db/app",
]


def test_same_answers_give_byte_identical_trees(tmp_path):
    for name in ("one", "two"):
        result = cookiecutter_cli(tmp_path / name, *ANSWERS)
        assert result.returncode == 0, result.stdout + result.stderr
    initial_revision(tmp_path / "one" / "billing-api")
    one, two = (file_tree(tmp_path / name / "billing-api") for name in ("one", "two"))
    assert "alembic/versions/0001_initial.py" in one and ".cookiecutter.json" in one
    assert one.keys() == two.keys()
    # .env alone differs: each bake makes its own password for compose's database.
    dotenvs = [
        dotenv_without_compose_password(tmp_path / name / "billing-api") for name in ("one", "two")
    ]
    assert dotenvs[0] == dotenvs[1] and one.pop(".env") != two.pop(".env")
    for path in one:
        assert one[path] == two[path], path


def test_replay_file_rebakes_the_same_project_without_the_password(tmp_path):
    assert cookiecutter_cli(tmp_path / "first", *ANSWERS).returncode == 0
    first = tmp_path / "first" / "billing-api"
    initial_revision(first)
    replay = ["--replay-file", str(first / ".cookiecutter.json")]
    second = tmp_path / "second"
    run(
        [sys.executable, "-m", "cookiecutter", *replay, "-o", str(second), str(TEMPLATE_DIR)],
        tmp_path,
    )
    initial_revision(second / "billing-api")
    one, two = file_tree(first), file_tree(second / "billing-api")
    assert b"s3cret" in one.pop(".env")
    two.pop(".env")
    expected = "DATABASE_URL='postgresql+psycopg://app@db/app'\n"
    assert dotenv_without_compose_password(second / "billing-api") == expected
    assert one == two


def test_cruft_create_and_update_keep_the_migrations(tmp_path):
    clone = template_clone(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    cruft = [str(BIN_DIR / "cruft")]
    context = json.dumps({"database_url": "postgresql+psycopg://app:CruftS3cret@db/app"})
    run(
        [
            *cruft,
            "create",
            "--no-input",
            "--extra-context",
            context,
            "--output-dir",
            str(out),
            str(clone),
        ],
        cwd=tmp_path,
    )
    project = out / "my-service"
    initial = initial_revision(project).read_bytes()

    user_revision = project / "alembic/versions/2026_02_01_1200-abcdef123456_add_orders.py"
    user_revision.write_text('revision = "abcdef123456"\ndown_revision = "0001"\n')
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")

    readme_template = clone / "{{cookiecutter.project_slug}}" / "README.md"
    readme_template.write_text(
        readme_template.read_text() + "\nA line added by a template update.\n"
    )
    git(clone, "commit", "-q", "-am", "README update")

    run([*cruft, "update", "-y"], cwd=project)

    assert "A line added by a template update." in (project / "README.md").read_text()
    assert [path.name for path in revision_files(project)] == [
        "0001_initial.py",
        user_revision.name,
    ]
    assert (project / "alembic/versions/0001_initial.py").read_bytes() == initial
    assert user_revision.read_text() == 'revision = "abcdef123456"\ndown_revision = "0001"\n'
    # .cruft.json is committed: it keeps the answers, but not the password.
    cruft_json = (project / ".cruft.json").read_text()
    assert "CruftS3cret" not in cruft_json
    assert "CruftS3cret" in (project / ".env").read_text()
