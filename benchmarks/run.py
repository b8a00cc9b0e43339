#!/usr/bin/env python3
"""Benchmarks of the template: baking and migrations in one run and one table (and, opt-in,
the template's own test suite).

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # fewer runs and sizes, for CI smoke use
    python benchmarks/run.py --with-tests   # also time the template's own test suite

The rows come from ``bake.py`` and ``migrations.py`` (each also runs alone); the baked
service and the migration review have their own scripts, ``service.py`` and ``review.py``.
Nothing here asserts a time; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import migrations
from bake import PACKAGES_SHOWN, bake_rows
from timing import (
    BIN_DIR,
    DEV_MODULES,
    PYTHON,
    TEMPLATE_DIR,
    Row,
    clean_environment,
    missing_modules,
    print_report,
    progress,
    run_as_script,
    table,
    timed,
)


def bench_test_suite() -> Row:
    progress("the template's test suite (minutes)")
    env = clean_environment([BIN_DIR])
    suite, _ = timed(
        [PYTHON, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"], TEMPLATE_DIR, env
    )
    collect, _ = timed(
        [PYTHON, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider"],
        TEMPLATE_DIR,
        env,
    )
    return Row("template test suite, pytest -n 2", suite, "pytest --collect-only", collect, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    migrations.add_arguments(parser)
    parser.add_argument(
        "--with-tests",
        action="store_true",
        help="also time the template's own test suite (takes minutes)",
    )
    parser.add_argument("--no-poetry", action="store_true", help="skip the Poetry hook path")
    args = parser.parse_args(argv)
    runs, sizes = migrations.runs_and_sizes(args)
    missing = missing_modules(DEV_MODULES)
    if missing:
        parser.error(f"{PYTHON} lacks {', '.join(missing)}: install requirements-dev.txt first")

    notes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="template-bench-") as tmp:
        work = Path(tmp)
        poetry_runs = None if args.no_poetry else (1 if args.quick else runs)
        rows, baked = bake_rows(work, runs, poetry_runs)
        rows += migrations.migration_rows(work, baked, sizes, runs)
        if args.with_tests:
            rows.append(bench_test_suite())
        else:
            notes.append(
                "template test suite (python -m pytest -n 2 -q): skipped; "
                "pass --with-tests to time it (takes minutes)"
            )
    notes += [f"{row.label}: skipped ({row.skipped})" for row in rows if row.skipped]
    print_report(
        f"Template benchmarks ({'quick' if args.quick else 'full'}: {runs} runs per case, "
        f"sizes {', '.join(map(str, sizes))})",
        PACKAGES_SHOWN,
        table(rows),
        notes,
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_as_script(main)
