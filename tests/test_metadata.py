"""What Alembic compares: identity keys by default, no model left out of Base.metadata,
the project's own filter of tables, MySQL sessions in UTC, and adopting a database that
Alembic did not create. Real bakes, the real Alembic CLI, real servers.
"""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, make_url, pool, text

from tests.helpers import (
    PACKAGE,
    POSTGRES_BAKE_TESTS,
    add_resource,
    alembic,
    assert_all_passed,
    autogenerate,
    bake_for_absent_server,
    baked_tests,
    edit,
    new_revision,
    python,
    revision_files,
)

# --- 1. an integer key the database numbers is an identity column -------------------

# Keys written as SQLAlchemy documents them: a model, a mixin and a plain Table get an
# identity column; a composite key and a text key are left as they are.
KEY_MODELS = f"""\
from sqlalchemy import BigInteger, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from {PACKAGE}.database.base import Base


class NumberedMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))


class Note(NumberedMixin, Base):
    __tablename__ = "note"

    body: Mapped[str] = mapped_column(String(200))


class OrderLine(Base):
    __tablename__ = "order_line"

    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)


class Country(Base):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)


tag = Table(
    "tag",
    Base.metadata,
    Column("id", BigInteger, primary_key=True),
    Column("label", String(50)),
)
"""
IDENTITY_KEYS = {("item", "id"), ("order", "id"), ("note", "id"), ("tag", "id")}

# Rows stored without a key: the database numbers each table's rows from 1.
NUMBERED_ROWS = f"""
from sqlalchemy import insert, select

from {PACKAGE}.database.session import get_sessionmaker
from {PACKAGE}.resources.keys.models import Note, tag

with get_sessionmaker()() as session:
    session.add_all([Note(body="first"), Note(body="second")])
    session.execute(insert(tag).values(label="red"))
    session.commit()
    print(session.scalars(select(Note.id)).all(), session.scalars(select(tag.c.id)).all())
"""


def add_key_models(project, env=None, models=KEY_MODELS):
    alembic(project, "upgrade", "head", env=env)
    add_resource(project, PACKAGE, "keys", models)
    autogenerate(project, "add keys", env=env)
    alembic(project, "upgrade", "head", env=env)
    check = alembic(project, "check", env=env)
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    assert python(project, NUMBERED_ROWS, env=env).stdout.split() == ["[1,", "2]", "[1]"]


def test_plain_integer_keys_are_identity_columns_on_postgresql(bake, postgres_server):
    project = bake_for_absent_server(bake, "postgresql+psycopg")
    url = postgres_server.create_database("identity_keys")
    env = {"DATABASE_URL": url}
    add_key_models(project, env)

    with postgres_server.admin_connection(make_url(url).database) as connection:
        rows = connection.execute(
            "SELECT c.relname, a.attname, a.attidentity, format_type(a.atttypid, NULL),"
            " pg_get_expr(d.adbin, d.adrelid)"
            " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0"
            " AND NOT a.attisdropped"
        ).fetchall()
    identity = {(table, column) for table, column, kind, _, _ in rows if kind == "d"}
    assert identity == IDENTITY_KEYS, rows
    # No serial anywhere (a serial is a sequence default), and every key is 64-bit.
    assert not [row for row in rows if row[4] and "nextval" in row[4]], rows
    types = {(table, column): type_ for table, column, _, type_, _ in rows}
    assert {types[key] for key in IDENTITY_KEYS} == {"bigint"}, types

    # The project's own suite, squawk's review of both revisions included, passes.
    assert assert_all_passed(baked_tests(project, env=env)) == POSTGRES_BAKE_TESTS + 1


def test_plain_integer_keys_check_clean_on_mariadb(bake, mariadb_server):
    project = bake_for_absent_server(bake, "mysql+pymysql")
    url = mariadb_server.create_database("identity_keys")
    add_key_models(project, {"DATABASE_URL": url})


def test_plain_integer_keys_check_clean_on_sqlite(baked):
    # SQLite numbers a key only when its type is INTEGER (64-bit there): a BIGINT key would
    # not number itself. Mapped[int] is INTEGER in a SQLite project; a Table says so itself.
    add_key_models(baked, models=KEY_MODELS.replace("BigInteger", "Integer"))


# --- 2. every table discovery imports is on Base.metadata ---------------------------

OWN_BASE_MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class LegacyBase(DeclarativeBase):
    pass


class Legacy(LegacyBase):
    __tablename__ = "legacy"

    id: Mapped[int] = mapped_column(primary_key=True)
"""
OWN_METADATA_MODELS = """\
from sqlalchemy import BigInteger, Column, MetaData, Table

legacy_metadata = MetaData()
legacy = Table("legacy", legacy_metadata, Column("id", BigInteger, primary_key=True))
"""


@pytest.mark.parametrize(
    ("models", "named"),
    [
        (OWN_BASE_MODELS, ("model my_service.resources.legacy.models.Legacy", "LegacyBase")),
        (OWN_METADATA_MODELS, ("table legacy (my_service.resources.legacy.models.legacy)",)),
    ],
    ids=["declarative base", "metadata"],
)
def test_a_table_outside_base_metadata_stops_autogenerate_with_one_error_line(baked, models, named):
    alembic(baked, "upgrade", "head")
    add_resource(baked, PACKAGE, "legacy", models)
    before = revision_files(baked)
    for command in (["revision", "--autogenerate", "-m", "legacy"], ["check"]):
        result = alembic(baked, *command, check=False)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        errors = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, output
        assert all(name in errors[0] for name in named), errors[0]
        assert "not on Base.metadata" in errors[0] or "not from Base" in errors[0], errors[0]
        assert "Traceback" not in output, output
        assert revision_files(baked) == before


# --- 3. the project's own filter of what autogenerate compares ----------------------


def test_a_table_named_in_the_filter_is_never_dropped(baked):
    alembic(baked, "upgrade", "head")
    # A table another tool made in the same database.
    with sqlite3.connect(baked / f"{PACKAGE}.db") as connection:
        connection.execute("CREATE TABLE job_queue (id INTEGER PRIMARY KEY, payload TEXT)")
    unfiltered = alembic(baked, "check", check=False)
    assert unfiltered.returncode != 0
    assert "remove_table" in unfiltered.stdout + unfiltered.stderr

    edit(
        baked / PACKAGE / "database" / "autogenerate_filter.py",
        "NOT_OURS: frozenset[str] = frozenset()",
        'NOT_OURS: frozenset[str] = frozenset({"job_queue"})',
    )
    alembic(baked, "check")
    result = alembic(baked, "revision", "--autogenerate", "-m", "nothing of ours")
    assert "no revision written" in result.stdout
    with sqlite3.connect(baked / f"{PACKAGE}.db") as connection:
        assert connection.execute("SELECT count(*) FROM job_queue").fetchone() == (0,)


# --- 4. MySQL sessions run in UTC ---------------------------------------------------

# A revision that stores a row with the server's default time, as a data migration would.
SEED_REVISION_UPGRADE = (
    "    op.execute(\"INSERT INTO item (name, status) VALUES ('seeded', 'draft')\")\n"
)
CREATED_AT_OFFSETS = f"""
from datetime import UTC, datetime

from sqlalchemy import select

from {PACKAGE}.database.session import get_sessionmaker
from {PACKAGE}.resources.item.models import Item

with get_sessionmaker()() as session:
    session.add(Item(name="stored by the application"))
    session.commit()
    now = datetime.now(UTC)
    for name, created_at in session.execute(select(Item.name, Item.created_at)):
        print(name, "|", round((created_at - now).total_seconds()))
"""


@pytest.fixture
def mariadb_five_hours_east(mariadb_server):
    """The test MariaDB server in time zone +05:00 for one test."""
    with mariadb_server.admin_connection() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT @@GLOBAL.time_zone")
        (before,) = cursor.fetchone()
        cursor.execute("SET GLOBAL time_zone = '+05:00'")
    try:
        yield mariadb_server
    finally:
        with mariadb_server.admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute("SET GLOBAL time_zone = %s", (before,))


def test_mysql_server_default_times_are_utc_whatever_the_server_zone(bake, mariadb_five_hours_east):
    server = mariadb_five_hours_east
    project = bake_for_absent_server(bake, "mysql+pymysql")
    url = server.create_database("utc_sessions")
    env = {"DATABASE_URL": url}
    # The server's own sessions do run five hours east.
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT @@session.time_zone")).scalar() == "+05:00"
    engine.dispose()

    migrate_test_and_seed(project, env)

    lines = python(project, CREATED_AT_OFFSETS, env=env).stdout.strip().splitlines()
    offsets = dict(line.split(" | ") for line in lines)
    assert offsets.keys() == {"seeded", "stored by the application"}, lines
    # Within seconds of now (UTC): not five hours (18000 s) ahead.
    assert all(abs(int(offset)) < 60 for offset in offsets.values()), lines


def test_async_mysql_connections_run_in_utc(bake, mariadb_five_hours_east):
    server = mariadb_five_hours_east
    project = bake_for_absent_server(bake, "mysql+aiomysql", database_api="async")
    env = {"DATABASE_URL": server.create_database("utc_async", driver="aiomysql")}
    migrate_test_and_seed(project, env)
    # The DATETIME the migration's default stored, read as it is: UTC, not five hours ahead.
    engine = create_engine(server.url("utc_async"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT created_at FROM item")).scalar_one()
    engine.dispose()
    assert abs(stored - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1), stored


def migrate_test_and_seed(project, env):
    """Migrate, pass the baked tests (the model round trip checks its row's default time,
    through the tests' engines), then store a row in a revision (the migrations' engine)."""
    alembic(project, "upgrade", "head", env=env)
    assert_all_passed(baked_tests(project, env=env))
    before = revision_files(project)
    alembic(project, "revision", "-m", "seed", env=env)
    seed = new_revision(project, before)
    edit(seed, "def upgrade() -> None:\n", "def upgrade() -> None:\n" + SEED_REVISION_UPGRADE)
    alembic(project, "upgrade", "head", env=env)


# --- 5. adopting a database created without Alembic ---------------------------------

# The example resource's table as someone created it by hand: PostgreSQL names its
# constraints itself (item_pkey, item_name_key).
EXISTING_SCHEMA = """
CREATE TYPE item_status AS ENUM ('draft', 'published', 'archived');
CREATE TABLE item (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name varchar(200) NOT NULL UNIQUE,
    description text,
    status item_status NOT NULL,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO item (name, status) VALUES ('kept', 'published');
"""


def test_an_existing_postgresql_database_is_adopted_with_stamp_head(bake, postgres_server):
    project = bake_for_absent_server(bake, "postgresql+psycopg")
    url = postgres_server.create_database("adopted")
    env = {"DATABASE_URL": url}
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql(EXISTING_SCHEMA)
        constraints = connection.execute(
            text("SELECT conname FROM pg_constraint WHERE conrelid = 'item'::regclass")
        ).scalars()
        assert set(constraints) == {"item_pkey", "item_name_key"}
    engine.dispose()

    alembic(project, "stamp", "head", env=env)
    check = alembic(project, "check", env=env, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    result = alembic(project, "revision", "--autogenerate", "-m", "nothing", env=env)
    assert "no revision written" in result.stdout
