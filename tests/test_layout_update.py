"""A service baked before resources moved out of ``api/`` (issue 18: no ``api/`` package
without a web layer) updates with cruft by the steps its new README gives: its revisions,
its edits and its own resources are kept, and Alembic finds nothing to drop.

The project is baked from the previous main, taken from the template's own git history
(CI clones main with its full history), and grown as a user would before the update.
"""

import re
import shlex
import subprocess
import sys

import pytest

from tests.helpers import (
    BAKED_PROJECT_TESTS,
    BIN_DIR,
    PACKAGE,
    TEMPLATE_DIR,
    alembic,
    assert_all_passed,
    autogenerate,
    baked_tests,
    edit,
    git,
    python,
    revision_files,
    run,
    template_clone,
)

# The last commit of main with resources under api/resources/.
PREVIOUS_MAIN = "95caffa"
LINK_BLOCK = re.compile(r"```bash\n(\s*cruft link .*?)```", re.DOTALL)
UPDATE_BLOCK = re.compile(r"```bash\n(\s*cruft update\n.*?)```", re.DOTALL)
SKU = "    sku: Mapped[str | None] = mapped_column(String(40))\n"


def previous_main(clone):
    """The previous main's commit, fetched into ``clone`` and tagged so that cruft's own
    clone of it has the commit too."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{PREVIOUS_MAIN}^{{commit}}"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, (
        f"commit {PREVIOUS_MAIN} is not in the history of {TEMPLATE_DIR}: this test needs"
        " a clone of the template with its full history"
    )
    commit = found.stdout.strip()
    git(clone, "fetch", "-q", str(TEMPLATE_DIR), commit)
    git(clone, "tag", "previous-main", commit)
    return commit


def bake(template, output_dir, web_framework):
    run(
        [
            str(BIN_DIR / "cookiecutter"),
            "--no-input",
            str(template),
            "-o",
            str(output_dir),
            f"web_framework={web_framework}",
        ],
        cwd=output_dir.parent,
    )
    return output_dir / "my-service"


def commands_of(block):
    return block.replace("\\\n", " ").strip().splitlines()


def grow_and_link(project, clone, commit):
    """What a user did with the old project: git, ``cruft link`` as its README says, a
    column on the example model and a resource of their own, each with its revision."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")
    (link, _update) = commands_of(LINK_BLOCK.findall((project / "README.md").read_text())[0])
    link = link.replace("<template>", str(clone)).replace("<commit>", commit)
    run(["bash", "-c", link], cwd=project)

    old_models = project / PACKAGE / "api/resources/item/models.py"
    edit(old_models, "    description:", SKU + "    description:")
    alembic(project, "upgrade", "head")
    autogenerate(project, "item sku")
    alembic(project, "upgrade", "head")
    run([sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", "order_line"], cwd=project)
    alembic(project, "upgrade", "head")
    assert (project / PACKAGE / "api/resources/order_line/models.py").is_file()
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "sku column and order_line")


def text_files(project):
    for path in project.rglob("*"):
        if ".git" in path.parts or "__pycache__" in path.parts or not path.is_file():
            continue
        if path.suffix not in (".db", ".pyc"):
            yield path


@pytest.mark.parametrize("web_framework", ["fastapi", "none"])
def test_a_project_of_the_previous_main_updates_by_its_new_readme(tmp_path, web_framework):
    clone = template_clone(tmp_path)
    commit = previous_main(clone)
    old_template = tmp_path / "previous-main"
    git(tmp_path, "clone", "-q", "-b", "previous-main", str(clone), str(old_template))
    (tmp_path / "old").mkdir()
    project = bake(old_template, tmp_path / "old", web_framework)
    grow_and_link(project, clone, commit)
    revisions = {path.name: path.read_bytes() for path in revision_files(project)}
    assert len(revisions) == 3

    # The update section of the README the new template bakes, with the same answers.
    (tmp_path / "new").mkdir()
    readme = (bake(clone, tmp_path / "new", web_framework) / "README.md").read_text()
    (block,) = UPDATE_BLOCK.findall(readme)
    update, *moves, tests = commands_of(block)
    assert shlex.split(update) == ["cruft", "update"]
    assert shlex.split(tests) == ["poetry", "run", "pytest"]
    assert [shlex.split(command)[:2] for command in moves] == [["git", "mv"], ["git", "grep"]]

    run([str(BIN_DIR / "cruft"), "update", "-y"], cwd=project)
    # Before the move, Alembic stops on the resource left behind instead of dropping it.
    stopped = alembic(project, "revision", "--autogenerate", "-m", "too early", check=False)
    assert stopped.returncode != 0
    assert stopped.stderr.strip().splitlines() == [
        f"error: resources in {PACKAGE}/api/resources/ (order_line) are no longer found"
        f" there: move them to {PACKAGE}/resources/ (README, Template updates), or Alembic"
        " would propose to drop their tables"
    ]
    for command in moves:
        run(["bash", "-c", command], cwd=project)

    assert {path.name: path.read_bytes() for path in revision_files(project)} == revisions
    assert SKU in (project / PACKAGE / "resources/item/models.py").read_text()
    discovered = python(
        project,
        f"from {PACKAGE}.database.discovery import model_modules; print(model_modules())",
    ).stdout.strip()
    assert discovered == str(
        [f"{PACKAGE}.resources.item.models", f"{PACKAGE}.resources.order_line.models"]
    )
    # Nothing left in the old place (Python's caches aside), and no api/ without a web layer.
    old_place = project / PACKAGE / ("api/resources" if web_framework == "fastapi" else "api")
    assert not [path for path in old_place.rglob("*") if path.suffix == ".py"]
    if web_framework == "fastapi":
        assert (project / PACKAGE / "resources/order_line/router.py").is_file()
    else:
        assert not (project / PACKAGE / "resources/item/router.py").exists()
    for path in text_files(project):
        assert path.suffix != ".rej", path
        assert "<<<<<<<" not in path.read_text(errors="replace"), path

    alembic(project, "upgrade", "head")
    check = alembic(project, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    own_tests = baked_tests(project)
    assert_all_passed(own_tests, at_least=BAKED_PROJECT_TESTS + 1)
    # The moved resource's own tests ran too.
    assert re.search(r"^tests/test_order_line\.py \.+ ", own_tests.stdout, re.MULTILINE)
