"""Resources whose models point at each other, written the way SQLAlchemy's documentation
writes them (string targets, ``TYPE_CHECKING`` imports), are served: the routers import
their models one at a time, and nothing may configure the mappers before every model is
imported.

A project is baked, given a ``category`` resource with its own ``add-resource`` command,
and ``Item.category`` / ``Category.items`` are written in both models; autogenerate,
upgrade, the project's own tests and a real uvicorn follow, on SQLite and PostgreSQL, sync
and async.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    TEMPLATE_DIR,
    alembic,
    assert_all_passed,
    autogenerate,
    baked_tests,
    for_database_api,
    python,
    run,
    serving,
)

BAKE_URLS = {
    "sqlite": "sqlite:///my_service.db",
    "postgresql": "postgresql+psycopg://app:secret@127.0.0.1:9/app",
}
COMBINATIONS = [
    ("sqlite", "sync"),
    ("sqlite", "async"),
    ("postgresql", "sync"),
    ("postgresql", "async"),
]

# What the example model gains: the "many" side, by string, its class imported for the
# type checker only (a runtime import would be circular).
ITEM_IMPORTS = f"""\
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import relationship

if TYPE_CHECKING:
    from {PACKAGE}.resources.category.models import Category
"""
ITEM_FIELDS = """
    category_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("category.id"))
    category: Mapped["Category | None"] = relationship(back_populates="items")
"""
CATEGORY_IMPORTS = f"""\
from typing import TYPE_CHECKING

from sqlalchemy.orm import relationship

if TYPE_CHECKING:
    from {PACKAGE}.resources.item.models import Item
"""
CATEGORY_FIELDS = """
    items: Mapped[list["Item"]] = relationship(back_populates="category")
"""


def add_after_imports(path: Path, imports: str, fields: str) -> None:
    """``imports`` after the last import of ``path`` and ``fields`` at the end of its last
    class, as a hand edit would put them."""
    lines = path.read_text().splitlines(keepends=True)
    last_import = max(
        number for number, line in enumerate(lines) if line.startswith(("import ", "from "))
    )
    lines.insert(last_import + 1, "\n" + imports)
    path.write_text("".join(lines).rstrip("\n") + "\n" + fields)


@pytest.mark.parametrize(
    ("backend", "database_api"), COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS]
)
def test_related_resources_migrate_pass_their_tests_and_are_served(
    request, tmp_path, backend, database_api
):
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(tmp_path / "bake"),
            extra_context={
                "database_url": for_database_api(BAKE_URLS[backend], database_api),
                "database_api": database_api,
            },
        )
    )
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'service.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"related_{database_api}")
    url = for_database_api(url, database_api)
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    run([sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", "category"], project, env=env)
    category_models = project / PACKAGE / "resources" / "category" / "models.py"
    add_after_imports(project / ITEM_MODELS, ITEM_IMPORTS, ITEM_FIELDS)
    add_after_imports(category_models, CATEGORY_IMPORTS, CATEGORY_FIELDS)

    # A router imports on its own too (a script's or a test's import): nothing in it may
    # configure the mappers before the model on the other side has been imported.
    for resource in ("category", "item"):
        python(project, f"import {PACKAGE}.resources.{resource}.router", env=env)

    alembic(project, "upgrade", "head", env=env)
    revision = autogenerate(project, "relate items to categories", env=env)
    text = revision.read_text()
    assert "category_id" in text and '"category"' in text, text
    # The revision is used as written: on PostgreSQL, in the online form the review accepts.
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "check", env=env)

    assert_all_passed(baked_tests(project, env=env), at_least=10)

    with serving(project, url, tmp_path / "uvicorn.log") as client:
        category = client.post("/categories", json={"name": "tools"})
        assert category.status_code == 201, category.text
        item = client.post("/items", json={"name": "hammer"})
        assert item.status_code == 201, item.text
        for collection, created in (("/categories", category.json()), ("/items", item.json())):
            location = f"{collection}/{created['id']}"
            assert client.get(location).json() == created
            assert client.get(collection, params={"limit": 10}).json() == [created]
            renamed = client.patch(location, json={"name": "renamed"})
            assert renamed.status_code == 200, renamed.text
            assert renamed.json() == {**created, "name": "renamed"}
            assert client.delete(location).status_code == 204
            assert client.get(location).status_code == 404
        assert client.get("/ready").status_code == 200
