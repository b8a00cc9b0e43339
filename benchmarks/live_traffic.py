"""Writers' waits and failed writes while a migration changes their busy table: the
revision autogenerate writes (online form) beside Alembic's default form of the same change.

    .venv/bin/python benchmarks/live_traffic.py [--quick] [--runs N] [--rows N] [--writers N]

The script starts a throwaway PostgreSQL server (``tests/postgres.py``) and runs
``tests/live_traffic.py``'s harness: a baked project whose ``item`` table holds ``--rows``
rows, and for each case (an index, a foreign key, ...) one real ``alembic upgrade head``
per run on a fresh copy of the seeded database, while ``--writers`` threads, each on its
own connection, insert and update rows in a loop. The online and the default form
alternate run by run (``compare``'s order). Figures are printed, never asserted; see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from timing import at_least_one, number, print_report, progress, run_as_script, times

from tests.live_traffic import CASES, Case, Traffic, bake_busy_table
from tests.postgres import running_server

PACKAGES = ("alembic", "sqlalchemy", "psycopg")
ROWS, QUICK_ROWS = 1_000_000, 100_000
RUNS = 3
WRITERS = 2


@dataclass
class CaseRow:
    case: Case
    online: list[Traffic]
    default: list[Traffic]

    @staticmethod
    def longest_wait_ms(runs: list[Traffic]) -> float:
        return statistics.median(traffic.longest_wait for traffic in runs) * 1000

    @staticmethod
    def failed(runs: list[Traffic]) -> int:
        return sum(len(traffic.failures) for traffic in runs)

    @staticmethod
    def held(runs: list[Traffic]) -> str:
        """Samples in which a writer waited for a lock the migration held, of all samples."""
        held = sum(len(traffic.held_by) for traffic in runs)
        return f"{held} of {sum(traffic.samples for traffic in runs)}"

    @staticmethod
    def migration_s(runs: list[Traffic]) -> float:
        return statistics.median(traffic.migration_seconds for traffic in runs)


def measure(table, case: Case, runs: int, writers: int) -> CaseRow:
    """``runs`` runs of each form, alternating which goes first."""
    row = CaseRow(case, [], [])
    for index in range(runs):
        order = ("default", "online") if index % 2 else ("online", "default")
        for form in order:
            progress(f"{case.name}, {form} form, run {index + 1} of {runs}")
            getattr(row, form).append(table.run(case, form, writers))
    return row


def report_table(rows: list[CaseRow]) -> list[str]:
    lines = [
        "| Case | Online: longest wait (ms) | Online: failed writes | Online: held (samples)"
        " | Online: migration (s) | Default: longest wait (ms) | Default: failed writes"
        " | Default: held (samples) | Default: migration (s)"
        " | Ratio (longest wait, default/online) | Runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        online, default = row.longest_wait_ms(row.online), row.longest_wait_ms(row.default)
        lines.append(
            f"| {row.case.name} | {number(online, 2)} | {row.failed(row.online)}"
            f" | {row.held(row.online)} | {number(row.migration_s(row.online))}"
            f" | {number(default, 2)} | {row.failed(row.default)} | {row.held(row.default)}"
            f" | {number(row.migration_s(row.default))}"
            f" | {times(default / online if online else None)} | {len(row.online)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"1 run per form, {QUICK_ROWS:,} rows (smoke use)"
    )
    parser.add_argument(
        "--runs", type=at_least_one, help=f"runs per form and case (default {RUNS}, 1 with --quick)"
    )
    parser.add_argument(
        "--rows",
        type=at_least_one,
        help=f"rows in the table (default {ROWS:,}; {QUICK_ROWS:,} with --quick)",
    )
    parser.add_argument(
        "--writers", type=at_least_one, default=WRITERS, help=f"writer threads (default {WRITERS})"
    )
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else RUNS)
    rows = args.rows if args.rows is not None else (QUICK_ROWS if args.quick else ROWS)
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="live-traffic-bench-") as tmp,
        running_server(prefix="live-traffic-bench-postgres-") as server,
    ):
        progress(f"baking the project and seeding {rows:,} rows")
        table = bake_busy_table(server, Path(tmp), rows)
        lock_timeout = table.lock_timeout
        measured = [measure(table, case, runs, args.writers) for case in CASES]

    print_report(
        f"Writers during a migration ({'quick' if args.quick else 'full'}: {runs} run(s) per"
        f" form, {rows:,} rows, {args.writers} writer(s), PostgreSQL on 127.0.0.1)",
        PACKAGES,
        report_table(measured),
        [
            "longest wait: median over the runs of the longest single write;"
            " failed writes: all runs together",
            "held: samples (one every 1-3 ms, all runs) in which a writer waited for"
            " a lock the migration held",
            f"the project's migration lock_timeout: {number(lock_timeout)} s",
        ],
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    # tests/postgres.py reports a server that would not start through pytest.fail, and
    # tests/helpers.py a command that failed through AssertionError.
    run_as_script(main, pytest.fail.Exception, AssertionError, RuntimeError)
