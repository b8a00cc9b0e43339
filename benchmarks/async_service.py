"""database_api=async beside database_api=sync on a real PostgreSQL server: the baked
service's throughput and latency at 1, 16 and 64 concurrent clients (1 and 16 with
``--quick``), and
``alembic upgrade head`` through each project's env.py.

    .venv/bin/python benchmarks/async_service.py [--quick] [--runs N] [--duration S]

One throwaway PostgreSQL server (``tests/postgres.py``); two projects baked for it, one per
database API (async through asyncpg, sync through psycopg), serving the same database,
migrated to head and seeded with ``ROWS`` items. Both are served by uvicorn (one
worker, no access log) and loaded with ``wrk`` (one thread, N keep-alive connections) on
``GET /items/{id}`` (random ids) and ``GET /items?limit=PAGE``; async and sync runs
alternate (``compare``), after a warm-up of each. The migration rows time the whole
``alembic upgrade head`` process on an empty database of each project's own (downgraded
to base, untimed, between runs). Figures are printed, never asserted; see benchmarks/README.md.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from bake import PACKAGE, bake
from service import (
    MAX_REQUESTS,
    PAGE,
    ServiceRow,
    measure,
    parse_load_run,
    same_answers,
    seed,
    uvicorn,
    wrk_script,
)
from service import table as service_table
from timing import (
    PYTHON,
    BenchmarkError,
    Row,
    clean_environment,
    compare,
    print_report,
    progress,
    run,
    run_as_script,
    table,
    timed,
    times,
)

from tests.postgres import running_server

CLIENTS = (1, 16, 64)
QUICK_CLIENTS = (1, 16)
PACKAGES = (
    "fastapi", "starlette", "uvicorn", "sqlalchemy", "greenlet", "asyncpg", "psycopg",
    "alembic",
)  # fmt: skip
DRIVERS = {"async": "asyncpg", "sync": "psycopg"}


@dataclass
class Project:
    path: Path
    serve_env: dict[str, str]
    migrate_env: dict[str, str]


def with_driver(url: str, database_api: str) -> str:
    return url.replace("postgresql+psycopg://", f"postgresql+{DRIVERS[database_api]}://")


def baked_projects(stack: ExitStack, work: Path) -> dict[str, Project]:
    """Per database API, its project and two environments: one naming the database both
    services serve (migrated and seeded once, so both answer with the same rows), one
    naming a database of its own for timing migrations. The server stops with ``stack``."""
    progress("starting PostgreSQL")
    server = stack.enter_context(running_server(prefix="async-bench-postgres-"))
    served = server.create_database("bench_service")
    projects = {}
    for database_api in DRIVERS:
        progress(f"baking the {database_api} project")
        url = with_driver(served, database_api)
        project = bake(work / database_api, f"database_api={database_api}", f"database_url={url}")
        serve_env = clean_environment() | {"DATABASE_URL": url}
        scratch = server.create_database(f"bench_migrations_{database_api}")
        migrate_env = clean_environment() | {"DATABASE_URL": with_driver(scratch, database_api)}
        projects[database_api] = Project(project, serve_env, migrate_env)
    progress("migrating and seeding the served database")
    run(
        [PYTHON, "-m", "alembic", "upgrade", "head"],
        projects["sync"].path,
        projects["sync"].serve_env,
    )
    seed(served)
    return projects


@contextmanager
def both_services(work: Path, projects: dict[str, Project]) -> Iterator[dict[str, str]]:
    """Fresh uvicorn processes of both projects: base URL per database API."""
    with ExitStack() as stack:
        yield {
            database_api: stack.enter_context(
                uvicorn(
                    f"{PACKAGE}.main:app",
                    project.path,
                    project.serve_env,
                    work / f"{database_api}.log",
                    "/health",
                )
            )
            for database_api, project in projects.items()
        }


def service_rows(
    wrk: str, work: Path, runs: int, duration: int, projects: dict[str, Project], clients_levels
) -> tuple[list[ServiceRow], list[str]]:
    """Each endpoint at each number of clients, the async service beside the sync one, each
    case on freshly started services (a service a case leaves broken cannot spoil the next);
    the rows, and why a case that could not be measured was not."""
    with both_services(work, projects) as served:
        same_answers(served["async"], served["sync"])
    by_id = wrk_script(work, random_ids=True, max_requests=MAX_REQUESTS)
    by_path = wrk_script(work, random_ids=False, max_requests=MAX_REQUESTS)
    rows, failures = [], []
    for clients in clients_levels:
        for label, path, script in (
            (f"GET /items/{{id}}, {clients} client(s)", "/", by_id),
            (f"GET /items?limit={PAGE}, {clients} client(s)", f"/items?limit={PAGE}", by_path),
        ):
            progress(f"{label}: {runs} runs of {duration:g} s each, after a warm-up")
            with both_services(work, projects) as served:
                try:
                    case, baseline = measure(
                        wrk,
                        runs,
                        duration,
                        (served["async"] + path, script),
                        (served["sync"] + path, script),
                        connections=clients,
                    )
                except BenchmarkError as error:
                    reason = str(error).splitlines()[0]
                    for database_api, url in served.items():
                        reason = reason.replace(url, f"the {database_api} service at {url}")
                    failures.append(f"{label}: not measured: {reason}")
                    continue
            rows.append(ServiceRow(f"async, {label}", case, "sync", baseline))
    return rows, failures


def migration_row(projects: dict[str, Project], runs: int) -> Row:
    """``alembic upgrade head`` from base, async env.py (one asyncpg connection driven through
    run_sync) beside sync env.py (psycopg)."""
    progress(f"alembic upgrade head: {runs} runs each, after a warm-up")

    def upgrade(database_api: str):
        project = projects[database_api]

        def one() -> float:
            run([PYTHON, "-m", "alembic", "downgrade", "base"], project.path, project.migrate_env)
            elapsed, _ = timed(
                [PYTHON, "-m", "alembic", "upgrade", "head"], project.path, project.migrate_env
            )
            return elapsed

        return one

    async_median, sync_median = compare(runs, upgrade("async"), upgrade("sync"))
    return Row(
        "alembic upgrade head, async env.py (asyncpg)",
        async_median,
        "sync env.py (psycopg)",
        sync_median,
        runs,
    )


def main(argv: list[str] | None = None) -> int:
    clients = " and ".join(map(str, QUICK_CLIENTS))
    args, runs, duration, wrk = parse_load_run(
        argv, __doc__, f"one short run per case, {clients} clients (smoke use)"
    )
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="async-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        projects = baked_projects(stack, work)
        clients = QUICK_CLIENTS if args.quick else CLIENTS
        rows, failures = service_rows(wrk, work, runs, duration, projects, clients)
        # No service runs meanwhile; the migrations run on databases of their own.
        migrations = migration_row(projects, max(runs, 3))

    print_report(
        f"Async beside sync ({'quick' if args.quick else 'full'}: {runs} run(s) of"
        f" {duration:g} s per case, wrk 1 thread, uvicorn 1 worker, PostgreSQL on 127.0.0.1)",
        PACKAGES,
        service_table(rows),
    )
    print("\n".join(table([migrations])))
    print()
    for failure in failures:
        print(f"Note: {failure}")
    for row in rows:
        print(f"Ratio async/sync, {row.label.removeprefix('async, ')}: {times(row.ratio)}")
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    # tests/postgres.py reports a server that would not start through pytest.fail.
    run_as_script(main, pytest.fail.Exception)
