"""A service grown the way a team grows it, on a real PostgreSQL, keeping every generated
file as it was written: two resources from add-resource, a relationship between one of them
and the example (string targets, TYPE_CHECKING imports), a hand-written model with a plain
integer key and a many-to-many table, a widened column, two branches merged. After each
step the database is at head; at the end the project's own tests, ruff and ``alembic check``
pass, the service serves, and a replica of the previous build keeps serving (and stays
ready) on the database the new build migrated.
"""

import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import (
    BIN_DIR,
    ITEM_MODELS,
    PACKAGE,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_postgres,
    baked_tests,
    edit,
    run,
    serving,
)

# One worker builds the grown project once for every test here.
pytestmark = pytest.mark.xdist_group("team_growth")

RESOURCES = f"{PACKAGE}/resources"

# The example's side of the relationship, as SQLAlchemy's documentation writes it.
ITEM_CATEGORY = """\
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    category: Mapped["Category | None"] = relationship(back_populates="items")
"""


def category_models(*extra_columns: str) -> str:
    """The category resource's models, rewritten by its owner: the other side of the
    relationship, and ``extra_columns``."""
    return "\n".join(
        [
            '"""Tables of the category resource."""',
            "",
            "from typing import TYPE_CHECKING",
            "",
            "from sqlalchemy import String" + (", Text" if extra_columns else ""),
            "from sqlalchemy.orm import Mapped, mapped_column, relationship",
            "",
            f"from {PACKAGE}.database.base import Base",
            "",
            "if TYPE_CHECKING:",
            f"    from {PACKAGE}.resources.item.models import Item",
            "",
            "",
            "class Category(Base):",
            '    __tablename__ = "category"',
            "",
            "    id: Mapped[int] = mapped_column(primary_key=True)",
            "    name: Mapped[str] = mapped_column(String(200), unique=True)",
            '    items: Mapped[list["Item"]] = relationship(back_populates="category")',
            *extra_columns,
            "",
        ]
    )


TAG_MODELS = f"""\
\"\"\"Tables of the tag resource.\"\"\"

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
"""

# A resource written by hand, models only: a plain integer key and a many-to-many table.
LABEL_MODELS = f"""\
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from {PACKAGE}.database.base import Base
from {PACKAGE}.resources.item.models import Item

item_label = Table(
    "item_label",
    Base.metadata,
    Column("item_id", ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
    Column("label_id", ForeignKey("label.id", ondelete="CASCADE"), primary_key=True),
)


class Label(Base):
    __tablename__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    items: Mapped[list[Item]] = relationship(secondary=item_label)
"""
RUFF = str(BIN_DIR / "ruff")
CATEGORY_IMPORT = f"    from {PACKAGE}.resources.category.models import Category"


def link_item_to_category(models: Path) -> None:
    """The example's side, edited in place; ruff sorts the imports, as on the user's save."""
    text = models.read_text()
    text = text.replace("from sqlalchemy import Enum,", "from sqlalchemy import Enum, ForeignKey,")
    text = text.replace(
        "import Mapped, mapped_column", "import Mapped, mapped_column, relationship"
    )
    text = text.replace("\nimport enum\n", "\nimport enum\nfrom typing import TYPE_CHECKING\n")
    text = text.replace("\n\nclass ", f"\n\nif TYPE_CHECKING:\n{CATEGORY_IMPORT}\n\nclass ", 1)
    created_at = "    created_at: Mapped[datetime]"
    models.write_text(text.replace(created_at, ITEM_CATEGORY + created_at))
    run([RUFF, "check", "--fix", "--select", "I", "--no-cache", str(models)], models.parent)
    run([RUFF, "format", "--no-cache", str(models)], models.parent)


def add_resource(project: Path, name: str, env: dict[str, str]) -> None:
    run([sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", name], project, env=env)


def step(project: Path, message: str, env: dict[str, str]) -> Path:
    """Autogenerate a revision for what changed, unedited, and apply it."""
    revision = autogenerate(project, message, env=env)
    alembic(project, "upgrade", "head", env=env)
    return revision


@pytest.fixture(scope="module")
def grown(tmp_path_factory, postgres_server):
    """(project, its DATABASE_URL, a copy of the previous build, the tests' output with two
    heads), grown step by step to one head, with the database at it."""
    out = tmp_path_factory.mktemp("team")
    project = bake_for_postgres(out)
    env = {"DATABASE_URL": postgres_server.create_database("team")}
    alembic(project, "upgrade", "head", env=env)
    for name in ("category", "tag"):
        add_resource(project, name, env)
        alembic(project, "upgrade", "head", env=env)
    previous_build = out / "previous-build"
    shutil.copytree(project, previous_build)

    link_item_to_category(project / ITEM_MODELS)
    (project / RESOURCES / "category/models.py").write_text(category_models())
    step(project, "item category", env)

    (project / RESOURCES / "label").mkdir()
    (project / RESOURCES / "label/__init__.py").write_text("")
    (project / RESOURCES / "label/models.py").write_text(LABEL_MODELS)
    step(project, "labels", env)
    edit(project / RESOURCES / "label/models.py", "String(50)", "String(100)")
    step(project, "longer label names", env)

    # Two branches from one head: this project adds tag.note; a teammate's copy, on a
    # database of its own, adds category.color. Then the teammate's work is merged in.
    teammate = out / "teammate"
    shutil.copytree(project, teammate)
    teammate_env = {"DATABASE_URL": postgres_server.create_database("teammate")}
    alembic(teammate, "upgrade", "head", env=teammate_env)
    theirs_models = category_models("    color: Mapped[str | None] = mapped_column(Text)")
    (teammate / RESOURCES / "category/models.py").write_text(theirs_models)
    theirs = autogenerate(teammate, "category color", env=teammate_env)

    (project / RESOURCES / "tag/models.py").write_text(TAG_MODELS)
    step(project, "tag note", env)
    shutil.copy2(theirs, project / "alembic" / "versions" / theirs.name)
    (project / RESOURCES / "category/models.py").write_text(theirs_models)
    two_heads = baked_tests(project, env=env, check=False)
    alembic(project, "merge", "heads", "-m", "merge category color", env=env)
    alembic(project, "upgrade", "head", env=env)
    return project, env, previous_build, two_heads


def test_two_heads_fail_the_suite_with_the_command_that_merges_them(grown):
    _, _, _, two_heads = grown
    assert two_heads.returncode != 0, two_heads.stdout
    assert "alembic merge heads" in two_heads.stdout, two_heads.stdout


def test_the_grown_project_passes_its_tests_lint_and_check(grown):
    project, env, _, _ = grown
    assert len(alembic(project, "heads", env=env).stdout.split("\n")) == 2  # one line, one \n
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    run([RUFF, "check", "--no-cache", "."], cwd=project)
    run([RUFF, "format", "--check", "--no-cache", "."], cwd=project)
    assert_all_passed(baked_tests(project, env=env))


def test_the_grown_service_serves_every_resource(grown, tmp_path):
    project, env, _, _ = grown
    with serving(project, env["DATABASE_URL"], tmp_path / "uvicorn.log") as client:
        assert client.get("/ready").status_code == 200
        for collection in ("/items", "/categories", "/tags"):
            response = client.post(collection, json={"name": f"grown {collection}"})
            assert response.status_code == 201, response.text
            assert client.get(response.headers["location"]).json() == response.json()
            assert response.json() in client.get(collection).json()


def test_the_previous_build_keeps_serving_the_migrated_database(grown, tmp_path):
    """A replica of the build before the relationship, the labels and the branches, as a
    rolling deploy leaves it running while the new build's migrations have run."""
    _, env, previous_build, _ = grown
    with serving(previous_build, env["DATABASE_URL"], tmp_path / "uvicorn.log") as client:
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        for collection in ("/items", "/categories", "/tags"):
            response = client.post(collection, json={"name": f"previous {collection}"})
            assert response.status_code == 201, response.text
            assert response.json() in client.get(collection).json()


def test_downgrade_to_base_and_back(grown):
    project, env, _, _ = grown
    alembic(project, "downgrade", "base", env=env)
    alembic(project, "upgrade", "head", env=env)
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
