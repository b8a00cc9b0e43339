"""Eight ``alembic upgrade head`` started together on one empty database (eight replicas'
migrate steps, a deploy racing its retry): each revision is applied once, every process
exits 0, the database ends at head. The second revision takes a moment (a backfill that
sleeps), so without the lock in env.py the processes overlap inside it."""

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, pool, text

from tests.helpers import (
    bake_for_absent_server,
    child_environment,
    current_revision,
    poetry_environment,
)

PROCESSES = 8
# Each revision writes a row when it runs: the rows count the times it was applied.
BACKFILL = '''"""slow backfill

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("applied", sa.Column("revision", sa.String(20), nullable=False))
    op.execute("INSERT INTO applied (revision) VALUES ('0002')")
    op.execute("{sleep}")


def downgrade() -> None:
    op.drop_table("applied")
'''
COUNTED = '''"""counted

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO applied (revision) VALUES ('0003')")


def downgrade() -> None:
    op.execute("DELETE FROM applied WHERE revision = '0003'")
'''


def add_slow_revisions(project, sleep_statement):
    versions = project / "alembic" / "versions"
    (versions / "0002_slow_backfill.py").write_text(BACKFILL.replace("{sleep}", sleep_statement))
    (versions / "0003_counted.py").write_text(COUNTED)


def upgrade_all_at_once(project, url):
    """Start PROCESSES ``alembic upgrade head`` before any of them can finish."""
    env = child_environment({**poetry_environment(), "DATABASE_URL": url})
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    return [(process.wait(timeout=300), process.stdout.read()) for process in processes]


def applied(url):
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(text("SELECT revision FROM applied")).scalars())
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("scheme", "database_api", "server_fixture", "sleep_statement"),
    [
        ("postgresql+psycopg", "sync", "postgres_server", "SELECT pg_sleep(2)"),
        ("mysql+pymysql", "sync", "mariadb_server", "SELECT SLEEP(2)"),
        # Through the async driver: env.py migrates on an async connection (run_sync).
        ("postgresql+asyncpg", "async", "postgres_server", "SELECT pg_sleep(2)"),
    ],
)
def test_simultaneous_upgrades_apply_each_revision_once(
    bake, request, scheme, database_api, server_fixture, sleep_statement
):
    server = request.getfixturevalue(server_fixture)
    project = bake_for_absent_server(bake, scheme, database_api=database_api)
    add_slow_revisions(project, sleep_statement)
    url = server.create_database(f"simultaneous_upgrades_{database_api}")
    project_url = scheme + url[url.index("://") :]

    outcomes = upgrade_all_at_once(project, project_url)

    assert [code for code, _ in outcomes] == [0] * PROCESSES, "\n".join(
        output for _, output in outcomes
    )
    assert applied(url) == ["0002", "0003"]
    assert current_revision(project, {"DATABASE_URL": project_url}) == "0003 (head)"
    # Exactly one process ran the migrations; the others found the database at head.
    ran = [output for _, output in outcomes if "Running upgrade 0002 -> 0003" in output]
    assert len(ran) == 1, "\n".join(output for _, output in outcomes)
