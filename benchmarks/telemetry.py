"""What telemetry=opentelemetry costs a request: one baked project served twice on the
same PostgreSQL database, once exporting to an OTLP/HTTP receiver (every request traced,
its SQL statements too, and its metrics recorded) and once with no endpoint set (telemetry
off), in the same run.

    .venv/bin/python benchmarks/telemetry.py [--quick] [--runs N] [--duration S]

A throwaway PostgreSQL server (``tests/postgres.py``); a sync project baked with
telemetry=opentelemetry, migrated to head and seeded with ``ROWS`` items. Two uvicorn
processes (one worker, no access log) serve it; the one with telemetry exports to the
receiver of tests/otlp_receiver.py, running in this process (a collector's work: it
decodes every batch), with the SDK's default batching. ``wrk`` loads
``GET /items/{id}`` (random ids) and ``GET /items?limit=PAGE`` on each, on and off runs
alternating (``compare``) after a warm-up of each. Figures are printed, never asserted;
see benchmarks/README.md.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from bake import PACKAGE, bake
from service import (
    CONNECTIONS,
    baked_pool_size,
    database_rows,
    parse_load_run,
    seed,
    table,
    uvicorn,
)
from timing import (
    PYTHON,
    BenchmarkError,
    clean_environment,
    print_report,
    progress,
    run,
    run_as_script,
    times,
)

from tests.otlp_receiver import otlp_receiver
from tests.postgres import running_server

PACKAGES = (
    "fastapi", "uvicorn", "sqlalchemy", "psycopg", "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-http", "opentelemetry-instrumentation-fastapi",
    "opentelemetry-instrumentation-sqlalchemy",
)  # fmt: skip
ON_LABEL = "telemetry on"
OFF_LABEL = "telemetry off (no endpoint)"


def main(argv: list[str] | None = None) -> int:
    args, runs, duration, wrk = parse_load_run(argv, __doc__)
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="telemetry-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        progress("starting PostgreSQL")
        server = stack.enter_context(running_server(prefix="telemetry-bench-postgres-"))
        database_url = server.create_database("telemetry_bench")
        progress("baking, migrating and seeding")
        project = bake(work, f"database_url={database_url}", "telemetry=opentelemetry")
        env = clean_environment()
        for name in [name for name in env if name.startswith("OTEL_")]:
            del env[name]  # the caller's telemetry settings would change what is measured
        env["DATABASE_URL"] = database_url
        env["POOL_SIZE"] = baked_pool_size(project, env)
        run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=project, env=env)
        seed(database_url)
        receiver = stack.enter_context(otlp_receiver())
        progress("starting both uvicorn processes")
        on = stack.enter_context(
            uvicorn(
                f"{PACKAGE}.main:app",
                project,
                {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint},
                work / "on.log",
                "/health",
            )
        )
        off = stack.enter_context(
            uvicorn(f"{PACKAGE}.main:app", project, env, work / "off.log", "/health")
        )
        rows = database_rows(
            wrk, work, runs, duration, on, off, baseline_label=OFF_LABEL, service_label=ON_LABEL
        )
        # The last batch leaves within the SDK's schedule delay (5 s by default).
        give_up = time.monotonic() + 30
        while not receiver.spans() and time.monotonic() < give_up:
            time.sleep(0.2)
        spans = len(receiver.spans())
        if not spans:
            raise BenchmarkError("the service with telemetry on exported no span")

    print_report(
        f"Telemetry benchmarks ({'quick' if args.quick else 'full'}: {runs} run(s) of"
        f" {duration:g} s per case, wrk 1 thread, {CONNECTIONS} connections,"
        f" uvicorn 1 worker, PostgreSQL on 127.0.0.1)",
        PACKAGES,
        table(rows),
    )
    for row in rows:
        print(f"Ratio on/off, {row.label.removeprefix(ON_LABEL + ': ')}: {times(row.ratio)}")
    print(f"Spans received: {spans}")
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    # tests/postgres.py reports a server that would not start through pytest.fail.
    run_as_script(main, pytest.fail.Exception)
