"""Baking again over a project (-f, -f -s) never touches its migrations."""

import pytest

from tests.helpers import cookiecutter_cli, initial_revision, tree_snapshot

USER_REVISION = "2026_02_01_1200-abcdef123456_add_orders.py"


def versions_state(project):
    versions = project / "alembic" / "versions"
    return {
        path.name: (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(versions.iterdir())
    }


@pytest.fixture
def project(tmp_path):
    result = cookiecutter_cli(tmp_path, "resource_name=order_line")
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "my-service"
    initial_revision(project)
    (project / "alembic" / "versions" / USER_REVISION).write_text(
        '"""add orders"""\n\nrevision = "abcdef123456"\ndown_revision = "0001"\n'
    )
    return project


@pytest.mark.parametrize("flags", [["-f"], ["-f", "-s"]], ids=["f", "f-s"])
def test_rebake_keeps_alembic_versions(project, flags):
    before = versions_state(project)
    assert sorted(before) == ["0001_initial.py", USER_REVISION]
    (project / "README.md").write_text("my README\n")
    (project / ".env").write_text("DATABASE_URL='sqlite:///mine.db'\n")

    # Another resource: its table is in no revision, and still none is added.
    result = cookiecutter_cli(project.parent, *flags, "resource_name=invoice")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "already holds 2 revision file(s)" in result.stdout
    assert versions_state(project) == before
    resources = project / "my_service" / "resources"
    assert (resources / "invoice" / "models.py").is_file()
    assert (resources / "order_line" / "models.py").is_file()
    if "-s" in flags:
        assert (project / "README.md").read_text() == "my README\n"
        assert (project / ".env").read_text() == "DATABASE_URL='sqlite:///mine.db'\n"
    else:
        assert (project / "README.md").read_text().startswith("# My Service")


def test_rebake_with_only_the_initial_revision_adds_no_second_one(tmp_path):
    assert cookiecutter_cli(tmp_path).returncode == 0
    project = tmp_path / "my-service"
    initial_revision(project)
    before = versions_state(project)
    assert sorted(before) == ["0001_initial.py"]
    for flags in (["-f"], ["-f", "-s"]):
        result = cookiecutter_cli(tmp_path, *flags)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "already holds 1 revision file(s)" in result.stdout
        assert versions_state(project) == before


def test_failing_rebake_leaves_everything_as_it_was(project):
    before = tree_snapshot(project)
    for flags in (["-f"], ["-f", "-s"]):
        result = cookiecutter_cli(
            project.parent, *flags, "resource_name=order_line", "author_email=nobody"
        )
        assert result.returncode != 0
        assert "error: author_email: 'nobody'" in result.stderr
        assert tree_snapshot(project) == before
