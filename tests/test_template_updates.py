"""A project baked with plain cookiecutter gets template updates through cruft, as its
README teaches: ``cruft link`` once, then ``cruft update``."""

import re
import shlex

import pytest

from tests.helpers import BIN_DIR, git, revision_files, run, template_clone

LINK_BLOCK = re.compile(r"```bash\n(\s*cruft link .*?)```", re.DOTALL)


@pytest.mark.parametrize("database_api", ["sync", "async"])
def test_cruft_link_from_the_readme_then_update(tmp_path, database_api):
    clone = template_clone(tmp_path)
    baked_from = git(clone, "rev-parse", "HEAD").stdout.strip()
    # Plain cookiecutter, from the template's git clone, with a non-default answer.
    result = run(
        [
            str(BIN_DIR / "cookiecutter"),
            "--no-input",
            str(clone),
            "-o",
            str(tmp_path / "out"),
            "resource_name=invoice",
            f"database_api={database_api}",
        ],
        cwd=tmp_path,
    )
    project = tmp_path / "out" / "my-service"
    assert [path.name for path in revision_files(project)] == ["0001_initial.py"], result.stdout
    initial = (project / "alembic/versions/0001_initial.py").read_bytes()
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")

    readme = (project / "README.md").read_text()
    (block,) = LINK_BLOCK.findall(readme)
    commands = block.replace("\\\n", " ").strip().splitlines()
    assert [shlex.split(command)[:2] for command in commands] == [
        ["cruft", "link"],
        ["cruft", "update"],
    ]
    link = commands[0].replace("<template>", str(clone)).replace("<commit>", baked_from)
    run(["bash", "-c", f"PATH={BIN_DIR}:$PATH {link}"], cwd=project)
    # Linked to the right commit with the project's own answers: nothing differs.
    difference = run([str(BIN_DIR / "cruft"), "diff", "--exit-code"], cwd=project).stdout
    assert "diff --git" not in difference
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "linked")

    readme_template = clone / "{{cookiecutter.project_slug}}" / "README.md"
    readme_template.write_text(
        readme_template.read_text() + "\nA line added by a template update.\n"
    )
    # The container files and the CI workflow are the template's too: updates bring them.
    for shipped in ("Dockerfile", "compose.yaml", ".github/workflows/ci.yml"):
        template_file = clone / "{{cookiecutter.project_slug}}" / shipped
        template_file.write_text(template_file.read_text() + "# Added by a template update.\n")
    git(clone, "commit", "-q", "-am", "README and container files update")
    run([str(BIN_DIR / "cruft"), "update", "-y"], cwd=project)
    assert "A line added by a template update." in (project / "README.md").read_text()
    for shipped in ("Dockerfile", "compose.yaml", ".github/workflows/ci.yml"):
        assert (project / shipped).read_text().endswith("# Added by a template update.\n")
    assert (project / "my_service/resources/invoice/models.py").exists()
    assert not (project / "my_service/resources/item").exists()
    assert (project / "alembic/versions/0001_initial.py").read_bytes() == initial
    session = (project / "my_service/database/session.py").read_text()
    assert ("create_async_engine(" in session) is (database_api == "async")
