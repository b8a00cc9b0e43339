"""What request IDs and JSON access logging cost the baked service: its throughput with
them on beside the same service with them off, measured in the same run.

    .venv/bin/python benchmarks/request_logging.py [--quick] [--runs N] [--duration S]

The script bakes the default project (SQLite), migrates it and creates ``PAGE`` items
through the API. Two uvicorn processes (one worker, 127.0.0.1, as ``service.py`` starts
them) serve the same database file: the baked app with ``LOG_FORMAT=json`` and
``LOG_LEVEL=INFO`` (a request ID per request, one JSON access line per request written to
a file), and a copy of the project without the request-context middleware, at
``LOG_LEVEL=WARNING`` (no ID, no access line). ``wrk`` loads each route of each, the two
interleaved run by run (``timing.compare``). Over HTTP the two differ by a few percent
at most, within the noise of a shared machine, so the script also times, in one process
of the baked project, the middleware and its JSON access line alone: an ASGI app that
answers at once, called with and without the middleware around it. Figures are printed,
never asserted; see benchmarks/README.md.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from bake import PACKAGE, bake
from service import (
    CONNECTIONS,
    MAX_REQUESTS,
    SERVICE_PACKAGES,
    ServiceRow,
    cpu_overhead,
    measure,
    parse_load_run,
    table,
    uvicorn,
    wrk_script,
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

PAGE = 50
# The one line of main.py that puts the request-context middleware in the app.
MIDDLEWARE_LINE = "    app.add_middleware(RequestContextMiddleware)\n"
ROUTES = (("GET /health", "/health"), (f"GET /items?limit={PAGE}", f"/items?limit={PAGE}"))
OFF_LABEL = "no request ID, no access log"
# Run in the baked project: microseconds of CPU per call of an ASGI app that answers at
# once, bare and inside the request-context middleware (a kept and a new request ID), with
# JSON access lines written to a file.
IN_PROCESS_TIMING = f"""
import asyncio, logging, os, sys, time
os.environ.update(LOG_FORMAT="json", LOG_LEVEL="INFO")
from {PACKAGE}.api.request_context import RequestContextMiddleware
from {PACKAGE}.logging_config import configure_logging

configure_logging()
logging.getLogger().handlers[-1].setStream(open(sys.argv[1], "w"))

async def answer(scope, receive, send):
    await send({{"type": "http.response.start", "status": 200, "headers": []}})
    await send({{"type": "http.response.body", "body": b"{{}}"}})

async def receive():
    return {{}}

async def send(message):
    pass

def scope(*headers):
    return {{"type": "http", "method": "GET", "path": "/health", "headers": list(headers)}}

async def per_call(app, scope, calls=20000):
    started = time.process_time()
    for _ in range(calls):
        await app(scope, receive, send)
    return (time.process_time() - started) / calls * 1e6

async def main():
    wrapped = RequestContextMiddleware(answer)
    kept = scope((b"x-request-id", b"edge-7f3a"))
    await per_call(wrapped, scope())  # warm-up
    bare = await per_call(answer, scope())
    print(bare, await per_call(wrapped, kept), await per_call(wrapped, scope()))

asyncio.run(main())
"""


def without_request_context(project: Path, copy: Path) -> Path:
    """A copy of ``project`` whose app leaves out the request-context middleware."""
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    main = copy / PACKAGE / "main.py"
    source = main.read_text()
    if source.count(MIDDLEWARE_LINE) != 1:
        raise BenchmarkError(f"{main} does not add the middleware in one line as expected")
    main.write_text(source.replace(MIDDLEWARE_LINE, ""))
    return copy


def check_logging(on: str, off: str, log: Path) -> None:
    """The service with logging on answers with an ID and logs a JSON access line carrying
    it; the one with logging off does neither."""
    response = httpx.get(on + "/health", timeout=10)
    request_id = response.headers.get("x-request-id")
    if request_id is None:
        raise BenchmarkError("the service with request IDs on sent no X-Request-ID")
    deadline = time.monotonic() + 5
    while request_id not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [json.loads(line) for line in log.read_text().splitlines() if request_id in line]
    if not any(line.get("logger") == f"{PACKAGE}.access" for line in lines):
        raise BenchmarkError(f"no JSON access line for request {request_id}:\n{log.read_text()}")
    if "x-request-id" in httpx.get(off + "/health", timeout=10).headers:
        raise BenchmarkError("the service with request IDs off still sends X-Request-ID")


def in_process_costs(project: Path, env: dict[str, str], work: Path, runs: int) -> list[float]:
    """Medians over ``runs`` processes of IN_PROCESS_TIMING's three figures (microseconds)."""
    figures = []
    for _ in range(runs):
        result = run(
            [PYTHON, "-c", IN_PROCESS_TIMING, str(work / "in-process.log")], cwd=project, env=env
        )
        figures.append([float(figure) for figure in result.stdout.split()])
    return [statistics.median(column) for column in zip(*figures, strict=True)]


def main(argv: list[str] | None = None) -> int:
    args, runs, duration, wrk = parse_load_run(argv, __doc__)
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="logging-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        progress("baking and migrating")
        project = bake(work / "bake")
        env = clean_environment()
        env["DATABASE_URL"] = f"sqlite:///{work / 'service.db'}"
        run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=project, env=env)
        plain = without_request_context(project, work / "plain")
        progress("starting the two uvicorn processes")
        on_log = work / "on.log"
        on = stack.enter_context(
            uvicorn(
                f"{PACKAGE}.main:app",
                project,
                {**env, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
                on_log,
                "/health",
            )
        )
        off = stack.enter_context(
            uvicorn(
                f"{PACKAGE}.main:app",
                plain,
                {**env, "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"},
                work / "off.log",
                "/health",
            )
        )
        for number in range(PAGE):
            httpx.post(on + "/items", json={"name": f"item {number}"}, timeout=10)
        check_logging(on, off, on_log)
        script = wrk_script(work, random_ids=False, max_requests=MAX_REQUESTS)
        rows = []
        for label, path in ROUTES:
            progress(label)
            case, baseline = measure(wrk, runs, duration, (on + path, script), (off + path, script))
            rows.append(ServiceRow(label, case, OFF_LABEL, baseline))
        progress("the middleware alone, in process")
        bare, kept, new = in_process_costs(project, {**env, "PYTHONPATH": str(project)}, work, runs)

    print_report(
        f"Request logging benchmarks ({'quick' if args.quick else 'full'}: {runs} run(s) of"
        f" {duration:g} s per case, wrk 1 thread, {CONNECTIONS} connections,"
        f" uvicorn 1 worker, SQLite; request IDs and JSON access lines on vs off)",
        SERVICE_PACKAGES,
        table(rows),
    )
    for row in rows:
        print(
            f"Ratio on/off, {row.label}: {times(row.ratio)} (target >= 0.9x);"
            f" CPU per request: {cpu_overhead(row)}"
        )
    print(
        f"In process, CPU per request: {bare:.1f} us for an app answering at once,"
        f" {kept:.1f} us inside the middleware with a kept request ID,"
        f" {new:.1f} us with a new one (median of {runs} process(es))"
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    run_as_script(main)
