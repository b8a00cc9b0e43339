"""Migrations on a real PostgreSQL server, with the real Alembic CLI.

The project is baked for a PostgreSQL URL where nothing listens (baking needs no server),
then pointed at a fresh empty database through DATABASE_URL in the environment, which
wins over the unusable URL in .env. The login role's password holds '@ : / % # ?', so
the percent-encoded URL must reach the driver intact.
"""

import re
import sys

import pytest

from tests.helpers import (
    BAKED_PROJECT_TESTS,
    ENUM_ORDER_MODELS,
    add_resource,
    alembic,
    assert_all_passed,
    bake_for_absent_server,
    current_revision,
    remake_initial_revision,
    revision_files,
    revision_id,
    run,
)


@pytest.fixture
def pg_project(bake):
    """A project baked for PostgreSQL with no server behind its URL."""
    return bake_for_absent_server(bake, "postgresql+psycopg")


def test_initial_revision_round_trip(pg_project, postgres_server):
    url = postgres_server.create_database("initial_round_trip")
    env = {"DATABASE_URL": url}

    alembic(pg_project, "upgrade", "head", env=env)
    assert postgres_server.tables(url) == {"alembic_version", "item"}
    assert postgres_server.enum_types(url) == {"item_status"}
    assert current_revision(pg_project, env) == "0001 (head)"

    check = alembic(pg_project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    # The enum trap: dropping the table alone would leave item_status behind, and the
    # next upgrade would fail with 'type "item_status" already exists'.
    alembic(pg_project, "downgrade", "base", env=env)
    assert postgres_server.tables(url) == {"alembic_version"}
    assert postgres_server.enum_types(url) == set()
    assert current_revision(pg_project, env) == ""

    alembic(pg_project, "upgrade", "head", env=env)
    assert postgres_server.tables(url) == {"alembic_version", "item"}
    assert postgres_server.enum_types(url) == {"item_status"}
    assert current_revision(pg_project, env) == "0001 (head)"


def test_offline_sql_is_postgresql(pg_project, postgres_server):
    url = postgres_server.create_database("offline_sql")
    env = {"DATABASE_URL": url}

    upgrade = alembic(pg_project, "upgrade", "head", "--sql", env=env).stdout
    assert "CREATE TYPE item_status AS ENUM ('draft', 'published', 'archived');" in upgrade
    assert "CREATE TABLE item (" in upgrade
    assert "created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP" in upgrade
    assert "INSERT INTO alembic_version (version_num) VALUES ('0001')" in upgrade

    downgrade = alembic(pg_project, "downgrade", "0001:base", "--sql", env=env).stdout
    assert "DROP TABLE item;" in downgrade
    assert "DROP TYPE item_status;" in downgrade
    # Offline mode writes SQL and never touches the database.
    assert postgres_server.tables(url) == set()


def test_new_resource_workflow(pg_project, postgres_server):
    url = postgres_server.create_database("new_resource")
    env = {"DATABASE_URL": url}
    alembic(pg_project, "upgrade", "head", env=env)

    add_resource(pg_project, "my_service", "order", ENUM_ORDER_MODELS)
    before = set(revision_files(pg_project))
    alembic(pg_project, "revision", "--autogenerate", "-m", "add order", env=env)
    new_files = set(revision_files(pg_project)) - before
    assert len(new_files) == 1, new_files
    (new_file,) = new_files
    assert new_file.name.endswith("_add_order.py")
    text = new_file.read_text()
    assert re.search(r'op\.create_table\(\s*"order",', text), text
    assert re.search(r'sa\.ForeignKeyConstraint\(\s*\["item_id"\],\s*\["item\.id"\]', text), text
    assert re.search(r'sa\.Enum\(\s*"open",\s*"paid",\s*name="order_state"', text), text
    assert 'op.drop_table("order")' in text
    assert 'sa.Enum("open", "paid", name="order_state").drop(op.get_bind())' in text
    # item_status still belongs to item: this revision must not drop it.
    assert "item_status" not in text
    run([sys.executable, "-m", "ruff", "check", str(new_file)], cwd=pg_project)
    new_id = revision_id(text)

    alembic(pg_project, "upgrade", "head", env=env)
    assert postgres_server.tables(url) == {"alembic_version", "item", "order"}
    assert postgres_server.enum_types(url) == {"item_status", "order_state"}
    assert current_revision(pg_project, env) == f"{new_id} (head)"

    history = alembic(pg_project, "history", env=env).stdout
    assert f"0001 -> {new_id} (head), add order" in history
    assert "<base> -> 0001, initial" in history

    alembic(pg_project, "downgrade", "-1", env=env)
    assert postgres_server.tables(url) == {"alembic_version", "item"}
    assert postgres_server.enum_types(url) == {"item_status"}
    assert current_revision(pg_project, env) == "0001"

    alembic(pg_project, "upgrade", "head", env=env)
    assert postgres_server.enum_types(url) == {"item_status", "order_state"}
    assert current_revision(pg_project, env) == f"{new_id} (head)"
    alembic(pg_project, "check", env=env)

    nothing = alembic(pg_project, "revision", "--autogenerate", "-m", "nothing", env=env)
    assert "no revision written" in nothing.stdout
    assert set(revision_files(pg_project)) == before | {new_file}


def test_baked_test_suite_passes_on_postgresql(pg_project, postgres_server):
    url = postgres_server.create_database("baked_suite")
    result = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=pg_project,
        env={"TEST_DATABASE_URL": url},
    )
    # The migration and model tests, and the squawk review of the initial revision.
    assert_all_passed(result, at_least=BAKED_PROJECT_TESTS + 1)
    # They ran here, not on the SQLite fallback: Alembic left its version table behind.
    assert "alembic_version" in postgres_server.tables(url)


DOCUMENT_MODELS = """\
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[dict] = mapped_column(JSONB)
"""


def test_initial_revision_with_postgresql_only_types_imports_and_applies(
    pg_project, postgres_server
):
    """Rendered through SQLite's rules, JSONB would come out as ``astext_type=Text()``,
    a name the revision does not import. The bake renders by the project's dialect."""
    add_resource(pg_project, "my_service", "document", DOCUMENT_MODELS)
    revision = remake_initial_revision(pg_project, "my_service", "postgresql")
    assert "from sqlalchemy.dialects import postgresql" in revision
    assert "postgresql.JSONB(astext_type=sa.Text())" in revision

    env = {"DATABASE_URL": postgres_server.create_database("jsonb")}
    alembic(pg_project, "upgrade", "head", env=env)
    alembic(pg_project, "check", env=env)
    alembic(pg_project, "downgrade", "base", env=env)
    assert postgres_server.enum_types(env["DATABASE_URL"]) == set()
