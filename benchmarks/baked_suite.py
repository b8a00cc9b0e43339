"""The baked project's own test suite with 1 revision and with 50: its time should not
grow with tests x revisions (goal: at most 1.5x).

    .venv/bin/python benchmarks/baked_suite.py [--quick] [--runs N]

Case and baseline, in the same run: ``pytest`` in two copies of the default bake (SQLite,
FastAPI, sync), one with the initial revision alone and one with 49 more, each of which
creates a table and drops it (real DDL, and the models still match the migrations).
Two rows: the whole suite, and the tests other than the migration checks
(``test_api.py``, ``test_models.py``), which share one database migrated once per session.
The migration checks (``test_migrations.py``) run a fixed number of Alembic commands, each
over the whole history: what is left to grow is the work of each revision itself.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bake import bake
from timing import (
    PYTHON,
    Row,
    at_least_one,
    clean_environment,
    compare,
    progress,
    table,
    timed,
    times,
)

REVISIONS = 50
GOAL = 1.5
PYTEST = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
SUITES = {
    "whole baked suite, pytest": PYTEST,
    "baked API and model tests (shared database)": [
        *PYTEST,
        "tests/test_api.py",
        "tests/test_models.py",
    ],
}
SMALL_REVISION = '''\
"""bench {number}

Revision ID: {revision}
Revises: {down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("bench_{number}", sa.Column("id", sa.Integer(), primary_key=True))
    op.drop_table("bench_{number}")


def downgrade() -> None:
    op.create_table("bench_{number}", sa.Column("id", sa.Integer(), primary_key=True))
    op.drop_table("bench_{number}")
'''


def add_small_revisions(project: Path, count: int) -> None:
    """``count`` revisions after the initial one (``0001``), written as files."""
    versions = project / "alembic" / "versions"
    for number in range(2, count + 2):
        revision, down_revision = f"{number:04d}", f"{number - 1:04d}"
        (versions / f"{revision}_bench_{number}.py").write_text(
            SMALL_REVISION.format(number=number, revision=revision, down_revision=down_revision)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 run each, no warm-up")
    parser.add_argument(
        "--runs", type=at_least_one, help="timed runs per case (default 5, 1 with --quick)"
    )
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    rows = []
    with tempfile.TemporaryDirectory(prefix="baked-suite-bench-") as tmp:
        progress("baking the default project")
        one = bake(Path(tmp) / "one")
        many = Path(tmp) / "many" / one.name
        shutil.copytree(one, many)
        add_small_revisions(many, REVISIONS - 1)
        env = clean_environment(path_first=[Path(PYTHON).parent])
        for label, command in SUITES.items():
            progress(f"timing {label}, {runs} runs each")
            with_many, with_one = compare(
                runs,
                lambda command=command: timed(command, many, env)[0],
                lambda command=command: timed(command, one, env)[0],
                warm_up=not args.quick,
            )
            rows.append(
                Row(
                    f"{label}, {REVISIONS} revisions", with_many, "same, 1 revision", with_one, runs
                )
            )
    print("\n".join(table(rows)))
    print()
    for row in rows:
        verdict = "holds" if row.ratio <= GOAL else "missed"
        print(f"{row.label}: {times(row.ratio)} the 1-revision time (goal <= {GOAL}x: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
