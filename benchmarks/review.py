"""What the migration review (squawk on every revision's SQL) adds to a PostgreSQL project's
test suite, for the initial revision plus ten more.

    .venv/bin/python benchmarks/review.py [--runs N]

Case: ``pytest tests/test_migration_review.py`` in the baked project (finds the
revisions, renders each one's SQL offline and lints it). Baseline, in the same run:
``pytest --collect-only tests/test_models.py`` (interpreter, pytest, the conftest and the
project's imports, no review). Their difference is the cost of the checks. No database
server is needed: the SQL is rendered offline.
"""

from __future__ import annotations

import argparse
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
    run,
    table,
    timed,
)

REVISIONS_ADDED = 10
PYTEST = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
REVIEW = [*PYTEST, "tests/test_migration_review.py"]
BASELINE = [*PYTEST, "--collect-only", "tests/test_models.py"]


def add_revisions(project: Path, count: int) -> None:
    """``count`` hand-written revisions, each adding a nullable column to ``item``."""
    env = clean_environment()
    for index in range(count):
        before = set((project / "alembic" / "versions").glob("*.py"))
        run([PYTHON, "-m", "alembic", "revision", "-m", f"column {index}"], cwd=project, env=env)
        (revision,) = set((project / "alembic" / "versions").glob("*.py")) - before
        # A new revision imports nothing it does not use yet.
        text = revision.read_text().replace(
            "from collections.abc import Sequence\n",
            "from collections.abc import Sequence\n\n"
            "import sqlalchemy as sa\nfrom alembic import op\n",
        )
        revision.write_text(
            text.replace(
                "def upgrade() -> None:\n    pass",
                "def upgrade() -> None:\n"
                f'    op.add_column("item", sa.Column("extra_{index}", sa.Text(), nullable=True))',
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=at_least_one, default=5, help="timed runs per case (default 5)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        work = Path(tmp)
        progress("baking a PostgreSQL project")
        project = bake(work, "database_url=postgresql+psycopg://app@127.0.0.1:9/app")
        add_revisions(project, REVISIONS_ADDED)
        env = clean_environment(path_first=[Path(PYTHON).parent])
        progress(f"timing the review, {args.runs} runs each")
        review, collect = compare(
            args.runs,
            lambda: timed(REVIEW, project, env)[0],
            lambda: timed(BASELINE, project, env)[0],
        )
    revisions = REVISIONS_ADDED + 1
    row = Row(
        f"pytest tests/test_migration_review.py, {revisions} revisions",
        review,
        "pytest --collect-only tests/test_models.py",
        collect,
        args.runs,
    )
    print("\n".join(table([row])))
    print(
        f"\nThe review adds {review - collect:.2f} s to the suite for {revisions} revisions"
        f" ({(review - collect) / revisions * 1000:.0f} ms per revision)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
