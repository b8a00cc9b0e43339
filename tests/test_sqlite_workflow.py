"""The everyday migration workflow on a real SQLite file, with the real Alembic CLI."""

import sys

from tests.helpers import add_resource, alembic, revision_files, run

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


def test_workflow_from_the_readme(baked):
    database = baked / "my_service.db"

    alembic(baked, "upgrade", "head")
    assert database.exists(), "DATABASE_URL from .env was not used"
    assert "0001 (head)" in alembic(baked, "current").stdout

    add_resource(baked, "my_service", "order", ORDER_MODELS)
    alembic(baked, "revision", "--autogenerate", "-m", "add order table")
    new_revisions = [path for path in revision_files(baked) if path.name != "0001_initial.py"]
    assert len(new_revisions) == 1
    revision = new_revisions[0]
    assert revision.name.endswith("_add_order_table.py") and revision.name[:4].isdigit()
    text = revision.read_text()
    assert 'op.create_table(\n        "order"' in text, "new resource not found by autogenerate"
    assert "batch_alter_table" in text or "create_index" in text
    run([sys.executable, "-m", "ruff", "format", "--check", str(revision)], cwd=baked)
    revision_id = text.split('revision: str = "')[1].split('"')[0]

    alembic(baked, "upgrade", "head")
    assert f"{revision_id} (head)" in alembic(baked, "current").stdout
    history = alembic(baked, "history").stdout
    assert f"0001 -> {revision_id} (head), add order table" in history
    assert "<base> -> 0001, initial" in history

    alembic(baked, "downgrade", "-1")
    assert alembic(baked, "current").stdout.strip().endswith("0001")
    alembic(baked, "upgrade", "head")
    alembic(baked, "downgrade", "0001")
    assert alembic(baked, "current").stdout.strip().endswith("0001")
    alembic(baked, "upgrade", "head")
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
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=baked)
    assert "25 passed" in result.stdout
    run([sys.executable, "-m", "ruff", "check", "."], cwd=baked)
