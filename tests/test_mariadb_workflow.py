"""Migrations on a real MariaDB server (the MySQL backend), with the real Alembic CLI.

The project is baked for a ``mysql+pymysql`` URL where nothing listens (baking needs no
server), then pointed at a fresh empty database through DATABASE_URL in the environment,
which wins over the unusable URL in .env. The login user's password holds
'@ : / % # ?', so the percent-encoded URL must reach the driver intact.
"""

import re
import sys

import pytest

from tests.helpers import (
    DEFAULT_BAKE_TESTS,
    ENUM_ORDER_MODELS,
    add_resource,
    alembic,
    assert_all_passed,
    bake_for_absent_server,
    baked_tests,
    current_revision,
    revision_files,
    revision_id,
    run,
    unused_port,
)

# The baked tests: the migration checks, the model round trip and the API tests, as in
# the default (SQLite) bake: MySQL has no migration review.
BAKED_TESTS = DEFAULT_BAKE_TESTS
# Databases a baked run creates: one for each of the two migration checks that migrate and
# for the readiness test, which start from an empty one, and one that every other test shares.
BAKED_RUN_DATABASES = 2 + 1 + 1


@pytest.fixture
def mysql_project(bake):
    """A project baked for MySQL (PyMySQL) with no server behind its URL."""
    return bake_for_absent_server(bake, "mysql+pymysql")


def column_types(server, url: str, table: str) -> dict[str, str]:
    """Column name -> the type MariaDB reports, as SHOW COLUMNS writes it."""
    database = url.rsplit("/", 1)[1]
    with server.admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, column_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s",
            (database, table),
        )
        return dict(cursor.fetchall())


def test_initial_revision_round_trip(mysql_project, mariadb_server):
    url = mariadb_server.create_database("initial_round_trip")
    env = {"DATABASE_URL": url}

    alembic(mysql_project, "upgrade", "head", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
    assert current_revision(mysql_project, env) == "0001 (head)"
    # MySQL has no enum types of its own: the column carries the values.
    types = column_types(mariadb_server, url, "item")
    assert types["status"] == "enum('draft','published','archived')"
    assert types["name"] == "varchar(200)"

    # Server defaults are compared (compare_server_default): MariaDB reports
    # current_timestamp() where the models say CURRENT_TIMESTAMP, which is no change.
    check = alembic(mysql_project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    alembic(mysql_project, "downgrade", "base", env=env)
    assert mariadb_server.tables(url) == {"alembic_version"}
    assert current_revision(mysql_project, env) == ""

    alembic(mysql_project, "upgrade", "head", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
    assert current_revision(mysql_project, env) == "0001 (head)"

    # The comparison is on: a default dropped from the models is a change.
    models = mysql_project / "my_service/resources/item/models.py"
    models.write_text(
        models.read_text().replace(
            "UTCDateTime(), server_default=func.current_timestamp()", "UTCDateTime()"
        )
    )
    changed = alembic(mysql_project, "check", env=env, check=False)
    assert changed.returncode != 0
    assert re.search(r"modify_default.*'created_at'", changed.stdout + changed.stderr), (
        changed.stdout + changed.stderr
    )


def test_new_resource_workflow(mysql_project, mariadb_server):
    url = mariadb_server.create_database("new_resource")
    env = {"DATABASE_URL": url}
    alembic(mysql_project, "upgrade", "head", env=env)
    assert current_revision(mysql_project, env) == "0001 (head)"

    add_resource(mysql_project, "my_service", "order", ENUM_ORDER_MODELS)
    before = set(revision_files(mysql_project))
    alembic(mysql_project, "revision", "--autogenerate", "-m", "add order", env=env)
    new_files = set(revision_files(mysql_project)) - before
    assert len(new_files) == 1, new_files
    (new_file,) = new_files
    assert new_file.name.endswith("_add_order.py")
    text = new_file.read_text()
    assert re.search(r'op\.create_table\(\s*"order",', text), text
    assert re.search(r'sa\.ForeignKeyConstraint\(\s*\["item_id"\],\s*\["item\.id"\]', text), text
    assert re.search(r'sa\.Enum\(\s*"open",\s*"paid",\s*name="order_state"', text), text
    assert 'op.drop_table("order")' in text
    # The item table is already in the database: this revision must not touch it.
    assert '"item"' not in text.replace('["item.id"]', "")
    run([sys.executable, "-m", "ruff", "check", str(new_file)], cwd=mysql_project)
    new_id = revision_id(text)

    alembic(mysql_project, "upgrade", "head", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item", "order"}
    assert column_types(mariadb_server, url, "order")["state"] == "enum('open','paid')"
    assert current_revision(mysql_project, env) == f"{new_id} (head)"

    history = alembic(mysql_project, "history", env=env).stdout
    assert f"0001 -> {new_id} (head), add order" in history
    assert "<base> -> 0001, initial" in history

    alembic(mysql_project, "downgrade", "-1", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
    assert current_revision(mysql_project, env) == "0001"

    alembic(mysql_project, "upgrade", "head", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item", "order"}
    assert current_revision(mysql_project, env) == f"{new_id} (head)"
    alembic(mysql_project, "check", env=env)

    nothing = alembic(mysql_project, "revision", "--autogenerate", "-m", "nothing", env=env)
    assert "no revision written" in nothing.stdout
    assert set(revision_files(mysql_project)) == before | {new_file}


def test_baked_tests_pass_on_an_empty_mariadb_database(mysql_project, mariadb_server):
    url = mariadb_server.create_database("baked_suite")
    # DATABASE_URL points nowhere: the tests must use TEST_DATABASE_URL alone.
    result = baked_tests(
        mysql_project,
        env={
            "TEST_DATABASE_URL": url,
            "DATABASE_URL": f"mysql+pymysql://x:y@127.0.0.1:{unused_port()}/x",
        },
    )
    assert assert_all_passed(result) == BAKED_TESTS
    # They ran here, not on a SQLite fallback: Alembic left its version table behind.
    assert "alembic_version" in mariadb_server.tables(url)


def server_counter(server, name: str) -> int:
    with server.admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
        return int(cursor.fetchone()[1])


def test_baked_tests_create_and_drop_throwaway_databases(mysql_project, mariadb_server):
    """With only DATABASE_URL, each baked test gets its own database on that server and
    drops it; the database DATABASE_URL names is never created or touched."""
    url = mariadb_server.url("app_of_the_user")
    databases_before = mariadb_server.databases()
    created_before = server_counter(mariadb_server, "Com_create_db")
    dropped_before = server_counter(mariadb_server, "Com_drop_db")

    # TEST_DATABASE_URL empty counts as unset, whatever the caller's environment holds.
    result = baked_tests(mysql_project, env={"DATABASE_URL": url, "TEST_DATABASE_URL": ""})

    assert assert_all_passed(result) == BAKED_TESTS
    # Each database it creates, it drops: none left behind.
    created = server_counter(mariadb_server, "Com_create_db") - created_before
    assert created == BAKED_RUN_DATABASES
    assert server_counter(mariadb_server, "Com_drop_db") - dropped_before == created
    assert mariadb_server.databases() == databases_before
    assert "app_of_the_user" not in mariadb_server.databases()


# --- What MySQL does differently, as the baked README's "Good to know" says ----------


def test_readme_tells_mysql_projects_what_mysql_does_differently(mysql_project, bake):
    readme = (mysql_project / "README.md").read_text()
    note = readme.split("- **MySQL and MariaDB** ", 1)[1].split("\n- ", 1)[0]
    for claim in ("outside transactions", "String(200)", "ENUM(", "mysql.DATETIME(fsp=6)"):
        assert claim in note, note
    sqlite = bake()
    assert sqlite.exit_code == 0, sqlite.exception
    assert "MySQL and MariaDB" not in (sqlite.project_path / "README.md").read_text()


def test_an_added_enum_value_is_detected_and_applied(mysql_project, mariadb_server):
    url = mariadb_server.create_database("enum_value")
    env = {"DATABASE_URL": url}
    alembic(mysql_project, "upgrade", "head", env=env)

    models = mysql_project / "my_service/resources/item/models.py"
    models.write_text(
        models.read_text().replace(
            '    ARCHIVED = "archived"\n', '    ARCHIVED = "archived"\n    DELETED = "deleted"\n'
        )
    )
    alembic(mysql_project, "revision", "--autogenerate", "-m", "deleted status", env=env)
    (new_file,) = [path for path in revision_files(mysql_project) if path.name != "0001_initial.py"]
    text = new_file.read_text()
    assert re.search(r'op\.alter_column\(\s*"item",\s*"status",', text), text
    assert '"archived", "deleted"' in text

    alembic(mysql_project, "upgrade", "head", env=env)
    assert (
        column_types(mariadb_server, url, "item")["status"]
        == "enum('draft','published','archived','deleted')"
    )
    alembic(mysql_project, "check", env=env)
    alembic(mysql_project, "downgrade", "-1", env=env)
    assert column_types(mariadb_server, url, "item")["status"] == (
        "enum('draft','published','archived')"
    )


HALF_FAILING_REVISION = '''\
"""creates a table, then fails"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("first_step", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("ALTER TABLE no_such_table ADD COLUMN x INTEGER")


def downgrade() -> None:
    op.drop_table("first_step")
'''


def test_a_failed_revision_keeps_the_steps_before_the_error(mysql_project, mariadb_server):
    url = mariadb_server.create_database("half_applied")
    env = {"DATABASE_URL": url}
    alembic(mysql_project, "upgrade", "head", env=env)
    (mysql_project / "alembic/versions/0002_half.py").write_text(HALF_FAILING_REVISION)

    failed = alembic(mysql_project, "upgrade", "head", env=env, check=False)
    assert failed.returncode != 0
    assert "no_such_table" in failed.stderr
    # No transactional DDL: the table stays, and Alembic still records 0001.
    assert mariadb_server.tables(url) == {"alembic_version", "item", "first_step"}
    assert current_revision(mysql_project, env) == "0001"


WHOLE_SECONDS_SCRIPT = """\
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from my_service.database.session import get_engine
from my_service.resources.item.models import Item

with Session(get_engine()) as session:
    session.add(Item(name="a", created_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)))
    session.commit()
with Session(get_engine()) as session:
    print(session.scalars(select(Item)).one().created_at.isoformat())
"""


def test_a_datetime_column_keeps_whole_seconds(mysql_project, mariadb_server):
    url = mariadb_server.create_database("whole_seconds")
    env = {"DATABASE_URL": url}
    alembic(mysql_project, "upgrade", "head", env=env)
    result = run([sys.executable, "-c", WHOLE_SECONDS_SCRIPT], cwd=mysql_project, env=env)
    # An aware UTC time comes back (UTCDateTime), without its fraction of a second.
    assert result.stdout.strip() == "2024-01-02T03:04:05+00:00"


NOTE_MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String())
"""


def test_a_string_without_a_length_cannot_be_created(mysql_project, mariadb_server):
    url = mariadb_server.create_database("string_length")
    env = {"DATABASE_URL": url}
    alembic(mysql_project, "upgrade", "head", env=env)
    add_resource(mysql_project, "my_service", "note", NOTE_MODELS)
    alembic(mysql_project, "revision", "--autogenerate", "-m", "add note", env=env)

    failed = alembic(mysql_project, "upgrade", "head", env=env, check=False)
    assert failed.returncode != 0
    assert "VARCHAR requires a length on dialect mysql" in failed.stderr
    # The statement never compiled: nothing ran, the database is still at 0001.
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
    assert current_revision(mysql_project, env) == "0001"


# --- The other MySQL driver: mysqlclient (MySQLdb) ---------------------------------


def test_mysqldb_project_migrates_and_passes_its_tests(bake, mariadb_server):
    """The same project for ``mysql+mysqldb``: it depends on mysqlclient, migrates up,
    checks clean and down again, and its tests pass on MariaDB through that driver."""
    result = bake(database_url=f"mysql+mysqldb://app:secret@127.0.0.1:{unused_port()}/app")
    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert '"mysqlclient (>=2.2,<3.0)"' in (project / "pyproject.toml").read_text()
    assert [path.name for path in revision_files(project)] == ["0001_initial.py"]

    url = mariadb_server.create_database("mysqldb_workflow", driver="mysqldb")
    env = {"DATABASE_URL": url}
    driver = run(
        [
            sys.executable,
            "-c",
            "from my_service.database.session import get_engine as e; "
            "c = e().connect(); print(c.dialect.driver, type(c.connection.dbapi_connection))",
        ],
        cwd=project,
        env=env,
    )
    assert driver.stdout.strip() == "mysqldb <class 'MySQLdb.connections.Connection'>"
    alembic(project, "upgrade", "head", env=env)
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
    alembic(project, "check", env=env)
    alembic(project, "downgrade", "base", env=env)
    assert mariadb_server.tables(url) == {"alembic_version"}

    suite = mariadb_server.create_database("mysqldb_suite", driver="mysqldb")
    tests = baked_tests(project, env={"TEST_DATABASE_URL": suite, "DATABASE_URL": url})
    assert assert_all_passed(tests) == BAKED_TESTS
    assert "alembic_version" in mariadb_server.tables(suite)
