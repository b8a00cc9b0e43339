"""A migration run while the application writes: how long do writers wait, and does any
write fail? Shared by tests/test_live_traffic.py and benchmarks/live_traffic.py.

A baked PostgreSQL project's ``item`` table is seeded with many rows (one
``INSERT ... SELECT generate_series``) in a template database; every measured run gets a
fresh copy of it. A case is a model edit; its revision is written either by
``alembic revision --autogenerate`` (the project's online form, used unedited) or by hand
the way Alembic's documentation writes it (the default form). Then one real
``alembic upgrade head`` process (the project's env.py, its lock and statement timeouts)
runs while writer threads, each on its own connection, insert and update rows in a loop.

Each write's wait (its latency) and each failure is recorded. A sampler asks PostgreSQL,
every 1-3 ms, whether a writer is waiting for a lock the migration holds, and
notes the migration's statement each time: the online forms may hold writers only for
statements that read no rows (``Case.instant``), never through a scan or an index build.
"""

from __future__ import annotations

import functools
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from tests.helpers import (
    ITEM_MODELS,
    PACKAGE,
    TEMPLATE_DIR,
    alembic,
    autogenerate,
    child_environment,
    edit,
    hand_written_revision,
    python,
    run,
)
from tests.postgres import PostgresServer

# The migration's connection, as pg_stat_activity names it (libpq reads PGAPPNAME).
MIGRATION_APPLICATION = "live-traffic-migration"
CATEGORIES = 100
# Writes made before the migration starts, and after it ends, so both edges are covered.
WRITES_AROUND = 20


# Columns and a table the cases change, added to the example project first (as a team
# would have them before the change under test).
SETUP_MODELS = (
    (
        "from sqlalchemy import Enum, String, Text, func",
        "from sqlalchemy import Enum, ForeignKey, String, Text, func",
    ),
    (
        "    created_at: Mapped[datetime]",
        "    category_id: Mapped[int | None]\n"
        "    code: Mapped[str | None] = mapped_column(String(40))\n"
        "    created_at: Mapped[datetime]",
    ),
)
CATEGORY_MODEL = """

class Category(Base):
    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
"""


@dataclass(frozen=True)
class Case:
    """One change to the existing, busy ``item`` table."""

    name: str
    # The model edit (old text, new text) in the item resource's models.py.
    edit: tuple[str, str]
    # The same change as Alembic writes it by default, hand-written: upgrade, downgrade.
    default_upgrade: str
    default_downgrade: str
    # The online form's statements that may hold writers for an instant: they take a lock
    # that blocks writes but read no rows (regular expressions, searched in the SQL).
    instant: tuple[str, ...] = ()
    # Whether the default form fails that check (its scan is none of ``instant``).
    default_held_outside: bool = True


INDEX = Case(
    "index on an existing column",
    (
        "description: Mapped[str | None] = mapped_column(Text)",
        "description: Mapped[str | None] = mapped_column(Text, index=True)",
    ),
    'op.create_index(op.f("ix_item_description"), "item", ["description"])',
    'op.drop_index(op.f("ix_item_description"), table_name="item")',
)
FOREIGN_KEY = Case(
    "foreign key on an existing column",
    (
        "    category_id: Mapped[int | None]\n",
        '    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))\n',
    ),
    'op.create_foreign_key(op.f("fk_item_category_id_category"), "item", "category",'
    ' ["category_id"], ["id"])',
    'op.drop_constraint(op.f("fk_item_category_id_category"), "item", type_="foreignkey")',
    # Added NOT VALID (no row checked; an earlier failed run's key dropped first).
    (r"\bNOT VALID\b", r"\bDROP CONSTRAINT IF EXISTS\b"),
)
NOT_NULL = Case(
    "NOT NULL on an existing column",
    (
        "description: Mapped[str | None] = mapped_column(Text)",
        "description: Mapped[str] = mapped_column(Text)",
    ),
    'op.alter_column("item", "description", existing_type=sa.Text(), nullable=False)',
    'op.alter_column("item", "description", existing_type=sa.Text(), nullable=True)',
    # A CHECK added NOT VALID; SET NOT NULL once a validated CHECK proves it (no scan).
    # The statement alone cannot tell that SET NOT NULL from the default form's, which
    # scans under its lock: for this case the check is the failures and the lock_timeout.
    (r"\bNOT VALID\b", r"\bSET NOT NULL\b", r"\bDROP CONSTRAINT IF EXISTS\b"),
    default_held_outside=False,
)
UNIQUE = Case(
    "unique constraint on an existing column",
    (
        "code: Mapped[str | None] = mapped_column(String(40))",
        "code: Mapped[str | None] = mapped_column(String(40), unique=True)",
    ),
    'op.create_unique_constraint(op.f("uq_item_code"), "item", ["code"])',
    'op.drop_constraint(op.f("uq_item_code"), "item", type_="unique")',
    # The constraint takes over an index built concurrently before.
    (r"\bUSING INDEX\b", r"\bDROP CONSTRAINT IF EXISTS\b"),
)
CASES = (INDEX, FOREIGN_KEY, NOT_NULL, UNIQUE)


# A lock lasts until its transaction ends: a writer held by an instant statement is still
# held while Alembic updates alembic_version (one row) and commits.
TRANSACTION_END = (r"\balembic_version\b", r"^(COMMIT|ROLLBACK)\b")


@dataclass
class Traffic:
    """What the writers saw while one migration ran."""

    writes: int = 0
    failures: list[str] = field(default_factory=list)
    longest_wait: float = 0.0
    # The migration's statement each time a writer was seen waiting for its lock.
    held_by: list[str] = field(default_factory=list)
    samples: int = 0
    migration_seconds: float = 0.0
    # Writes that ended while the migration ran: the writers were there to be blocked.
    writes_during_migration: int = 0

    def __str__(self) -> str:
        held = sorted(set(self.held_by))
        return (
            f"{self.writes} writes ({self.writes_during_migration} during the migration of"
            f" {self.migration_seconds:.2f} s), {len(self.failures)} failed, longest wait"
            f" {self.longest_wait * 1000:.1f} ms; held in {len(self.held_by)} of {self.samples}"
            f" samples, by: {held}; first failures: {self.failures[:3]}"
        )

    def held_outside(self, instant: tuple[str, ...]) -> list[str]:
        """The statements writers waited on that are neither ``instant``'s nor those that
        end the transaction of an earlier one (whose lock is held until it ends)."""
        allowed = (*instant, *TRANSACTION_END)
        return [
            statement
            for statement in self.held_by
            if not any(re.search(pattern, statement, re.IGNORECASE) for pattern in allowed)
        ]


def conninfo(url: str) -> str:
    """libpq's form of a SQLAlchemy psycopg URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass
class BusyTable:
    """A baked project whose ``item`` table holds ``rows`` rows, in the template database
    ``seed`` on ``server``; ``run`` measures one case in one form on a fresh copy."""

    server: PostgresServer
    project: Path
    seed: str
    rows: int
    work: Path
    runs: int = 0

    @functools.cached_property
    def lock_timeout(self) -> float:
        """The project's migration lock_timeout (MigrationSettings), in seconds, as
        PostgreSQL reads it."""
        setting = python(
            self.project,
            f"from {PACKAGE}.settings import MigrationSettings\n"
            "print(MigrationSettings().lock_timeout)",
            env={"DATABASE_URL": self.server.url(self.seed)},
        ).stdout.strip()
        with self.server.admin_connection() as connection:
            seconds = connection.execute("SELECT extract(epoch FROM %s::interval)", [setting])
            return float(seconds.fetchone()[0])

    def prepare(self, case: Case, form: str) -> tuple[Path, str]:
        """A copy of the project with ``case``'s edit and its revision in ``form``, and the
        URL of a fresh copy of the seeded database (not yet migrated)."""
        self.runs += 1
        name = f"run_{self.runs}"
        project = self.work / name / self.project.name
        shutil.copytree(self.project, project)
        with self.server.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                    sql.Identifier(name),
                    sql.Identifier(self.seed),
                    sql.Identifier(self.server.role),
                )
            )
        url = self.server.url(name)
        edit(project / ITEM_MODELS, *case.edit)
        env = {"DATABASE_URL": url}
        if form == "online":
            autogenerate(project, case.name, env=env)
        else:
            hand_written_revision(
                project, case.name, case.default_upgrade, case.default_downgrade, env=env
            )
        return project, url

    def run(self, case: Case, form: str, writers: int = 1) -> Traffic:
        """``case`` in ``form`` migrated while ``writers`` write; its copies deleted after."""
        project, url = self.prepare(case, form)
        try:
            return migrate_under_traffic(project, url, writers, self.rows)
        finally:
            with self.server.admin_connection() as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                        sql.Identifier(url.rpartition("/")[2])
                    )
                )
            shutil.rmtree(project.parent)


def bake_busy_table(server: PostgresServer, work: Path, rows: int) -> BusyTable:
    """Bake the PostgreSQL example project, give ``item`` the columns the cases change and
    a ``category`` table, migrate the template database and seed ``rows`` items."""
    baked = work / "baked"
    run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_DIR), "-o", str(baked)]
        + ["database_url=postgresql+psycopg://app:secret@127.0.0.1:9/app"],
        cwd=work,
    )
    (project,) = baked.iterdir()
    models = project / ITEM_MODELS
    for old, new in SETUP_MODELS:
        edit(models, old, new)
    models.write_text(models.read_text() + CATEGORY_MODEL)
    seed = "live_traffic_seed"
    url = server.create_database(seed)
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    autogenerate(project, "category and item columns", env=env)
    alembic(project, "upgrade", "head", env=env)
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute(
            "INSERT INTO category (name) SELECT 'category ' || n FROM generate_series(1, %s) n",
            [CATEGORIES],
        )
        connection.execute(
            "INSERT INTO item (name, description, status, category_id, code)"
            " SELECT 'item ' || n, md5(n::text), 'draft', n %% %s + 1, 'code ' || n"
            " FROM generate_series(1, %s) n",
            [CATEGORIES, rows],
        )
        connection.execute("VACUUM ANALYZE")
    return BusyTable(server, project, seed, rows, work)


class Writer(threading.Thread):
    """Inserts a row, then updates a random one, in a loop, each write committed on its
    own; records each write's wait and each failure."""

    def __init__(self, url: str, number: int, rows: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.number, self.rows, self.stop = url, number, rows, stop
        self.waits: list[float] = []
        self.ends: list[float] = []
        self.failures: list[str] = []
        self.connected = threading.Event()
        self.pid = 0

    def run(self) -> None:
        try:
            self.write_until_stopped()
        except Exception as error:  # a writer that dies is a failure, not a quiet thread
            self.failures.append(f"writer {self.number} stopped: {error!r}")
        finally:
            self.connected.set()

    def write_until_stopped(self) -> None:
        randoms = random.Random(self.number)
        connection = psycopg.connect(conninfo(self.url), autocommit=True)
        self.pid = connection.info.backend_pid
        self.connected.set()
        try:
            count = 0
            while not self.stop.is_set():
                count += 1
                key = f"writer {self.number} {count}"
                self.write(
                    connection,
                    "INSERT INTO item (name, description, status, category_id, code)"
                    " VALUES (%s, %s, 'draft', %s, %s)",
                    [key, key, randoms.randint(1, CATEGORIES), key],
                )
                self.write(
                    connection,
                    "UPDATE item SET description = %s, category_id = %s WHERE id = %s",
                    [key, randoms.randint(1, CATEGORIES), randoms.randint(1, self.rows)],
                )
                if connection.closed:
                    connection = psycopg.connect(conninfo(self.url), autocommit=True)
        finally:
            connection.close()

    def write(self, connection: psycopg.Connection, statement: str, params: list) -> None:
        start = time.perf_counter()
        try:
            connection.execute(statement, params)
        except psycopg.Error as error:
            self.failures.append(f"{type(error).__name__}: {str(error).strip()}")
        end = time.perf_counter()
        self.waits.append(end - start)
        self.ends.append(end)


class Sampler(threading.Thread):
    """Notes the migration's statement whenever a writer waits for a lock it holds."""

    QUERY = (
        "SELECT migration.query FROM pg_stat_activity AS migration"
        " JOIN pg_stat_activity AS writer ON writer.pid = ANY(%s)"
        " WHERE migration.application_name = %s"
        " AND migration.pid = ANY(pg_blocking_pids(writer.pid))"
    )

    def __init__(self, url: str, writer_pids: list[int], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.writer_pids, self.stop = url, writer_pids, stop
        self.held_by: list[str] = []
        self.samples = 0

    def run(self) -> None:
        with psycopg.connect(conninfo(self.url), autocommit=True) as connection:
            while not self.stop.is_set():
                rows = connection.execute(
                    self.QUERY, [self.writer_pids, MIGRATION_APPLICATION]
                ).fetchall()
                self.samples += 1
                self.held_by += [" ".join(query.split()) for (query,) in rows]
                time.sleep(0.001)


def migrate_under_traffic(project: Path, url: str, writers: int, rows: int) -> Traffic:
    """Run ``alembic upgrade head`` in ``project`` while ``writers`` write to ``item``."""
    stop_writing, stop_sampling = threading.Event(), threading.Event()
    threads = [Writer(url, number, rows, stop_writing) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.connected.wait(30)
    sampler = Sampler(url, [thread.pid for thread in threads], stop_sampling)
    sampler.start()
    try:
        wait_for_writes(threads, WRITES_AROUND)
        started = time.perf_counter()
        migration = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=project,
            env=child_environment({"DATABASE_URL": url, "PGAPPNAME": MIGRATION_APPLICATION}),
            capture_output=True,
            text=True,
            check=False,
        )
        ended = time.perf_counter()
        done = sum(len(thread.waits) for thread in threads)
        wait_for_writes(threads, done + WRITES_AROUND)
    finally:
        stop_sampling.set()
        stop_writing.set()
        sampler.join(30)
        for thread in threads:
            thread.join(30)
    if migration.returncode != 0:
        raise RuntimeError(
            f"alembic upgrade head exited {migration.returncode} in {project}\n"
            f"--- stdout\n{migration.stdout}\n--- stderr\n{migration.stderr}"
        )
    waits = [wait for thread in threads for wait in thread.waits]
    return Traffic(
        writes=len(waits),
        failures=[failure for thread in threads for failure in thread.failures],
        longest_wait=max(waits, default=0.0),
        held_by=sampler.held_by,
        samples=sampler.samples,
        migration_seconds=ended - started,
        writes_during_migration=sum(
            started < end < ended for thread in threads for end in thread.ends
        ),
    )


def wait_for_writes(threads: list[Writer], count: int, limit: float = 60) -> None:
    """Until the writers have made ``count`` writes between them (or ``limit`` s pass,
    when one has died: the Traffic then shows fewer writes)."""
    deadline = time.monotonic() + limit
    while sum(len(thread.waits) for thread in threads) < count:
        if time.monotonic() > deadline or not any(thread.is_alive() for thread in threads):
            return
        time.sleep(0.005)
