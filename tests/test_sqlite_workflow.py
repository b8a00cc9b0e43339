"""The everyday migration workflow on a real SQLite file, with the real Alembic CLI."""

import re
import shlex
import sqlite3
import sys
from contextlib import closing

from tests.helpers import (
    BAKED_PROJECT_TESTS,
    add_resource,
    alembic,
    assert_all_passed,
    revision_files,
    revision_id,
    run,
)

ORDER_MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    reference: Mapped[str] = mapped_column(String(40), index=True)
"""


# What a SQLite revision does with an index: batch mode. Its downgrade drops the table,
# which takes the index along (no drop_index first).
BATCH_CREATE_INDEX = (
    '    with op.batch_alter_table("order", schema=None) as batch_op:\n'
    '        batch_op.create_index(batch_op.f("ix_order_reference"), ["reference"], unique=False)\n'
)


def readme_alembic_commands(readme: str) -> list[list[str]]:
    """The arguments of every ``poetry run alembic`` line in the README's fenced bash
    blocks (indented ones too), in order."""
    commands = []
    for block in re.findall(r"^( *)```bash\n(.*?)^\1```", readme, re.MULTILINE | re.DOTALL):
        for line in block[1].replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:3] == ["poetry", "run", "alembic"]:
                commands.append(words[3:])
    return commands


# The README's worked examples, whose commands take a project through steps of their own,
# each followed by a test of its own (tests/test_unsafe_changes.py, test_data_revision.py).
WORKED_EXAMPLES = ("### Rename a column without downtime\n", "### Move data in batches\n")


def without_worked_example(readme: str) -> str:
    """The README without its worked examples."""
    for example in WORKED_EXAMPLES:
        before, heading, rest = readme.partition(example)
        assert heading, f"the README has no {example.strip()!r}"
        readme = before + rest[rest.index("\n### ") :]
    return readme


def sqlite_state(database):
    """(the revision the database is at, its tables) read with sqlite3, not Alembic."""
    with closing(sqlite3.connect(database)) as connection:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    return (versions[0] if versions else None), tables - {"alembic_version"}


def test_workflow_from_the_readme(baked):
    """The README's own commands, in its order, through the real Alembic CLI; before the
    first autogenerate, the models change (the README's step 1)."""
    commands = readme_alembic_commands(without_worked_example((baked / "README.md").read_text()))
    assert {command[0] for command in commands} >= {
        "upgrade", "revision", "downgrade", "history", "current", "check", "merge",
    }, commands  # fmt: skip
    database = baked / "my_service.db"
    parents = {"0001": None}  # revision -> the one before it
    head, at = "0001", None

    for command in commands:
        action = command[0]
        before = set(revision_files(baked))
        if action == "revision":
            assert "--autogenerate" in command and head == "0001", command
            add_resource(baked, "my_service", "order", ORDER_MODELS)
        if action == "merge":
            # The branches section: another branch's revision on the same parent, merged.
            alembic(baked, "revision", "-m", "other branch", "--head", parents[head], "--splice")
            before = set(revision_files(baked))
        result = alembic(baked, *command, check=False)
        output = result.stdout + result.stderr
        if action == "check":
            # Fails while the database is behind the models; else finds nothing to do.
            assert (result.returncode == 0) is (at == head), (command, at, output)
            continue
        assert result.returncode == 0, (command, output)
        if action == "upgrade" and command[1:] == ["head"]:
            at = head
        elif action == "upgrade" and command[-1] == "--sql":
            # The review step: the new revision's SQL alone, and the database untouched.
            assert command[1].startswith("0001:"), command
            assert 'CREATE TABLE "order"' in result.stdout, output
            assert "CREATE TABLE item" not in result.stdout, output
        elif action == "downgrade":
            target = command[1]
            at = parents[at] if target == "-1" else (None if target == "base" else target)
        elif action == "revision":
            (revision,) = set(revision_files(baked)) - before
            slug = command[command.index("-m") + 1].replace(" ", "_")
            name = rf"\d{{4}}_\d\d_\d\d_\d{{4}}-[0-9a-f]{{12}}_{slug}\.py"
            assert re.fullmatch(name, revision.name), revision.name
            text = revision.read_text()
            assert 'op.create_table(\n        "order"' in text, "new resource not found"
            assert BATCH_CREATE_INDEX in text and "drop_index" not in text, text
            run([sys.executable, "-m", "ruff", "format", "--check", str(revision)], cwd=baked)
            new_head = re.search(r'^revision: str = "([0-9a-f]+)"$', text, re.MULTILINE)[1]
            parents[new_head], head = head, new_head
            assert sqlite_state(database) == (at, {"item"}), "autogenerate changed the database"
            continue
        elif action == "merge":
            (merge,) = set(revision_files(baked)) - before
            assert "def upgrade() -> None:\n    pass" in merge.read_text()
            run([sys.executable, "-m", "ruff", "check", str(merge)], cwd=baked)
            merged = revision_id(merge.read_text())
            parents[merged], head = head, merged
            continue
        elif action == "history":
            for revision, parent in parents.items():
                arrow = f"{parent or '<base>'} -> {revision}"
                assert re.search(rf"^{arrow}( \(head\))?, ", result.stdout, re.MULTILINE), output
        elif action == "current":
            expected = "" if at is None else at + (" (head)" if at == head else "")
            assert result.stdout.strip() == expected, output
        else:
            raise AssertionError(f"the README runs {command}, which this test does not know")
        tables = {"item"} | ({"order"} if at != "0001" and at is not None else set())
        assert sqlite_state(database) == (at, tables if at else set()), (command, output)

    # Wherever the README left it, the database reaches the new head and matches the models.
    assert head != "0001", "the README never made a revision"
    alembic(baked, "upgrade", "head")
    assert sqlite_state(database) == (head, {"item", "order"})
    alembic(baked, "check")


def test_autogenerate_without_changes_writes_no_file(baked):
    alembic(baked, "upgrade", "head")
    result = alembic(baked, "revision", "--autogenerate", "-m", "nothing")
    assert "no revision written" in result.stdout
    assert [path.name for path in revision_files(baked)] == ["0001_initial.py"]


def test_manual_revision_is_still_written(baked):
    alembic(baked, "revision", "-m", "data fix")
    assert len(revision_files(baked)) == 2


def test_offline_sql(baked):
    sql = alembic(baked, "upgrade", "head", "--sql").stdout
    assert "CREATE TABLE item" in sql
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in sql
    assert not (baked / "my_service.db").exists(), "--sql must not touch the database"


def test_environment_overrides_dotenv(baked, tmp_path):
    elsewhere = tmp_path / "elsewhere.db"
    alembic(baked, "upgrade", "head", env={"DATABASE_URL": f"sqlite:///{elsewhere}"})
    assert elsewhere.exists()
    assert not (baked / "my_service.db").exists()


def test_baked_projects_own_suite_and_lint_pass(baked):
    result = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=baked)
    assert_all_passed(result, at_least=BAKED_PROJECT_TESTS)
    run([sys.executable, "-m", "ruff", "check", "."], cwd=baked)
