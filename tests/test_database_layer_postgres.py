"""The baked database layer on a real PostgreSQL server: the baked tests on the project's
own backend, enum types over their whole life, constraint names, times, server defaults.

Projects are baked for a URL where nothing listens (baking needs no server); the commands
then run with DATABASE_URL in the environment at a database of the test server.
"""

import re

import pytest
from sqlalchemy import make_url

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    POSTGRES_BAKE_TESTS,
    ROUND_TRIP,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_absent_server,
    baked_tests,
    edit,
    python,
    unused_port,
)


@pytest.fixture
def pg_project(bake):
    return bake_for_absent_server(bake, "postgresql+psycopg")


def enum_values(server, url, type_name):
    with server.admin_connection(make_url(url).database) as connection:
        rows = connection.execute(
            "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid"
            " WHERE t.typname = %s ORDER BY e.enumsortorder",
            (type_name,),
        )
        return [label for (label,) in rows]


# --- 1. the baked tests run on the project's own backend ---------------------------


def test_baked_tests_make_throwaway_databases_on_the_server_of_database_url(
    pg_project, postgres_server
):
    url = postgres_server.create_database("everyday")
    env = {"DATABASE_URL": url}
    before = postgres_server.databases()
    # The API, migration and model tests, and the review of the one revision.
    assert assert_all_passed(baked_tests(pg_project, env=env)) == POSTGRES_BAKE_TESTS
    assert postgres_server.databases() == before, "a test database was left behind"
    assert postgres_server.tables(url) == set(), "the tests touched DATABASE_URL's database"

    # A plain length change renders op.alter_column, which SQLite cannot run: the suite
    # must run it on PostgreSQL, the project's backend.
    alembic(pg_project, "upgrade", "head", env=env)
    edit(pg_project / ITEM_MODELS, "String(200)", "String(300)")
    revision = autogenerate(pg_project, "longer names", env=env)
    text = revision.read_text()
    assert 'op.alter_column(\n        "item",' in text and "batch_alter_table" not in text
    # Squawk flags any type change; autogenerate acknowledges this one, widening a VARCHAR
    # (no row is rewritten), for that statement alone: the revision passes unedited.
    assert re.search(
        r"# squawk-ignore: changing-column-type: item\.name: .+\n\s*op\.alter_column\(", text
    ), text
    # One more revision, one more review.
    assert assert_all_passed(baked_tests(pg_project, env=env)) == POSTGRES_BAKE_TESTS + 1
    assert postgres_server.databases() == before


def test_test_database_url_overrides(pg_project, postgres_server):
    url = postgres_server.create_database("given_for_tests")
    unreachable = f"postgresql+psycopg://app:secret@127.0.0.1:{unused_port()}/app"
    env = {"DATABASE_URL": unreachable, "TEST_DATABASE_URL": url}
    assert assert_all_passed(baked_tests(pg_project, env=env)) == POSTGRES_BAKE_TESTS
    # Downgrading to base leaves Alembic's (empty) version table behind: the tests ran there.
    assert postgres_server.tables(url) == {"alembic_version"}


def test_an_unreachable_server_fails_with_one_line_saying_what_to_set(pg_project):
    env = {"DATABASE_URL": f"postgresql+psycopg://app:pw-9f3@127.0.0.1:{unused_port()}/app"}
    result = baked_tests(pg_project, env=env, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "TEST_DATABASE_URL" in line]
    assert len(lines) == 1, output
    assert "cannot reach postgresql+psycopg://app:***@127.0.0.1" in lines[0]
    assert "Traceback" not in output and "pw-9f3" not in output


# --- 2. enum types over their whole life (with issue 13) --------------------------

PRIORITY = """

class Priority(enum.StrEnum):
    LOW = "low"
    HIGH = "high"
"""


def test_adding_an_enum_column_creates_and_drops_its_type(pg_project, postgres_server):
    url = postgres_server.create_database("enum_column")
    env = {"DATABASE_URL": url}
    alembic(pg_project, "upgrade", "head", env=env)
    models = pg_project / ITEM_MODELS
    edit(models, "\n\nclass Item(Base):", PRIORITY + "\n\nclass Item(Base):")
    edit(
        models,
        "    created_at:",
        "    priority: Mapped[Priority | None] = mapped_column("
        'Enum(Priority, name="item_priority"))\n    created_at:',
    )
    revision = autogenerate(pg_project, "add priority", env=env)
    rev_id = re.search(r'^revision: str = "(\w+)"', revision.read_text(), re.MULTILINE).group(1)

    offline_up = alembic(pg_project, "upgrade", f"0001:{rev_id}", "--sql", env=env).stdout
    create = offline_up.index("CREATE TYPE item_priority AS ENUM ('LOW', 'HIGH')")
    assert create < offline_up.index("ALTER TABLE item ADD COLUMN priority item_priority")
    offline_down = alembic(pg_project, "downgrade", f"{rev_id}:0001", "--sql", env=env).stdout
    drop_column = offline_down.index("ALTER TABLE item DROP COLUMN priority")
    assert drop_column < offline_down.index("DROP TYPE item_priority")

    alembic(pg_project, "upgrade", "head", env=env)
    assert postgres_server.enum_types(url) == {"item_status", "item_priority"}
    alembic(pg_project, "check", env=env)
    alembic(pg_project, "downgrade", "-1", env=env)
    assert postgres_server.enum_types(url) == {"item_status"}
    alembic(pg_project, "upgrade", "head", env=env)
    alembic(pg_project, "downgrade", "base", env=env)
    assert postgres_server.enum_types(url) == set()


def test_a_new_enum_value_is_detected_applied_and_rolled_back(pg_project, postgres_server):
    url = postgres_server.create_database("enum_value")
    env = {"DATABASE_URL": url}
    alembic(pg_project, "upgrade", "head", env=env)
    edit(
        pg_project / ITEM_MODELS,
        '    ARCHIVED = "archived"',
        '    ARCHIVED = "archived"\n    RETIRED = "retired"',
    )
    failed = alembic(pg_project, "check", env=env, check=False)
    assert failed.returncode != 0, "the new enum value was not detected"
    text = autogenerate(pg_project, "retired status", env=env).read_text()
    assert "op.sync_enum_values(" in text and "from alembic_postgresql_enum import" in text
    alembic(pg_project, "upgrade", "head", env=env)
    assert enum_values(postgres_server, url, "item_status") == [
        "draft",
        "published",
        "archived",
        "retired",
    ]
    stored = python(
        pg_project,
        """
        from my_service.database.session import get_sessionmaker
        from my_service.resources.item.models import Item, ItemStatus

        with get_sessionmaker()() as session:
            session.add(Item(name="old", status=ItemStatus.RETIRED))
            session.commit()
            print(session.get(Item, 1).status.value)
            session.query(Item).delete()
            session.commit()
        """,
        env=env,
    )
    assert stored.stdout.strip() == "retired"
    alembic(pg_project, "downgrade", "-1", env=env)
    assert enum_values(postgres_server, url, "item_status") == ["draft", "published", "archived"]


# --- 3. constraint names ----------------------------------------------------------

SLOT_MODELS = f"""\
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class Slot(Base):
    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("room", "day"),
        UniqueConstraint("room", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room: Mapped[str]
    day: Mapped[str]
    starts_at: Mapped[str]
"""


def test_unique_constraints_sharing_a_first_column_get_distinct_names(pg_project, postgres_server):
    url = postgres_server.create_database("constraint_names")
    env = {"DATABASE_URL": url}
    alembic(pg_project, "upgrade", "head", env=env)
    add_resource(pg_project, PACKAGE, "slot", SLOT_MODELS)
    text = autogenerate(pg_project, "add slot", env=env).read_text()
    assert 'op.f("uq_slot_room_day")' in text and 'op.f("uq_slot_room_starts_at")' in text
    alembic(pg_project, "upgrade", "head", env=env)
    alembic(pg_project, "check", env=env)


# --- 4 and 6. times and server defaults on PostgreSQL ------------------------------


def test_times_round_trip_as_aware_utc_on_postgresql(pg_project, postgres_server):
    url = postgres_server.create_database("times")
    env = {"DATABASE_URL": url, "PGTZ": "America/New_York"}
    alembic(pg_project, "upgrade", "head", env=env)
    assert python(pg_project, ROUND_TRIP, env=env).stdout.strip() == "ok"


def test_server_default_changes_are_detected_on_postgresql(pg_project, postgres_server):
    url = postgres_server.create_database("server_defaults")
    env = {"DATABASE_URL": url}
    alembic(pg_project, "upgrade", "head", env=env)
    alembic(pg_project, "check", env=env)  # a fresh bake: no false positive
    edit(
        pg_project / ITEM_MODELS,
        "description: Mapped[str | None] = mapped_column(Text)",
        'description: Mapped[str | None] = mapped_column(Text, server_default="none yet")',
    )
    failed = alembic(pg_project, "check", env=env, check=False)
    assert failed.returncode != 0 and "modify_default" in failed.stdout + failed.stderr


# --- 10. the URL hosting platforms hand out ----------------------------------------


def test_a_postgres_scheme_url_works_at_run_time(pg_project, postgres_server):
    url = postgres_server.create_database("legacy_scheme")
    legacy = url.replace("postgresql+psycopg://", "postgres://", 1)
    alembic(pg_project, "upgrade", "head", env={"DATABASE_URL": legacy})
    assert postgres_server.tables(url) == {"alembic_version", "item"}
