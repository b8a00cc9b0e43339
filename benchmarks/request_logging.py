"""What request IDs and JSON access logging cost the baked service: its throughput with
them on beside the same service with them off, measured in the same run.

    .venv/bin/python benchmarks/request_logging.py [--quick] [--runs N] [--duration S]

The script bakes the default project (SQLite), migrates it and creates ``PAGE`` items
through the API. Three uvicorn processes (one worker, 127.0.0.1, as ``service.py`` starts
them) serve the same database file:

- the baked app, ``LOG_FORMAT=json`` and ``LOG_LEVEL=INFO``: a request ID per request and
  one JSON access line per request, written to a file;
- the plain service: a copy of the project without the request-context middleware and
  without ``configure_logging``, run with uvicorn's defaults, as the service ran before
  its logging was configured: uvicorn's own access line per request, no request ID;
- a silent service: the same copy with uvicorn's access log off (no ID, no line at all).

``wrk`` loads each route of the baked app beside each of the other two, interleaved run by
run (``timing.compare``). The script also times, in one process of the baked project, the
middleware and its JSON access line alone: an ASGI app that answers at once, called with
and without the middleware around it. Figures are printed, never asserted; see
benchmarks/README.md.
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
# The lines of main.py that put the request-context middleware in the app and set up its
# logging.
PLAIN_SERVICE_LINES = (
    "    app.add_middleware(RequestContextMiddleware)\n",
    "    configure_logging()\n",
)
ROUTES = (("GET /health", "/health"), (f"GET /items?limit={PAGE}", f"/items?limit={PAGE}"))
PLAIN_LABEL = "plain: uvicorn's access line, no request ID"
SILENT_LABEL = "silent: no request ID, no access line"
# The goal: request IDs and JSON access lines cost the plain service under 10 %.
TARGET = " (target >= 0.9x)"
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


def plain_service(project: Path, copy: Path) -> Path:
    """A copy of ``project`` whose app has neither the request-context middleware nor its
    logging set up, as the service was before either existed."""
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    main = copy / PACKAGE / "main.py"
    source = main.read_text()
    for line in PLAIN_SERVICE_LINES:
        if source.count(line) != 1:
            raise BenchmarkError(f"{main} does not hold {line.strip()!r} once as expected")
        source = source.replace(line, "")
    main.write_text(source)
    return copy


def wait_for(text: str, log: Path) -> str:
    """``log``'s text once it holds ``text`` (the server writes it after answering)."""
    deadline = time.monotonic() + 5
    while text not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return log.read_text()


def check_logging(on: str, plain: str, silent: str, logs: dict[str, Path]) -> None:
    """The baked service answers with an ID and logs a JSON access line carrying it; the
    plain one logs uvicorn's access line and sends no ID; the silent one does neither."""
    response = httpx.get(on + "/health", timeout=10)
    request_id = response.headers.get("x-request-id")
    if request_id is None:
        raise BenchmarkError("the service with request IDs on sent no X-Request-ID")
    text = wait_for(request_id, logs["on"])
    lines = [json.loads(line) for line in text.splitlines() if request_id in line]
    if not any(line.get("logger") == f"{PACKAGE}.access" for line in lines):
        raise BenchmarkError(f"no JSON access line for request {request_id}:\n{text}")
    for url in (plain, silent):
        if "x-request-id" in httpx.get(url + "/health", timeout=10).headers:
            raise BenchmarkError(f"{url} still sends X-Request-ID")
    access_line = '"GET /health HTTP/1.1" 200'
    plain_log = wait_for(access_line, logs["plain"])
    if access_line not in plain_log:
        raise BenchmarkError(f"the plain service wrote no uvicorn access line:\n{plain_log}")
    if "/health" in logs["silent"].read_text():
        raise BenchmarkError("the silent service wrote an access line")


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
        plain_copy = plain_service(project, work / "plain")
        progress("starting the three uvicorn processes")
        logs = {name: work / f"{name}.log" for name in ("on", "plain", "silent")}
        on = stack.enter_context(
            uvicorn(
                f"{PACKAGE}.main:app",
                project,
                {**env, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
                logs["on"],
                "/health",
            )
        )
        plain = stack.enter_context(
            uvicorn(
                f"{PACKAGE}.main:app", plain_copy, env, logs["plain"], "/health", access_log=True
            )
        )
        silent = stack.enter_context(
            uvicorn(f"{PACKAGE}.main:app", plain_copy, env, logs["silent"], "/health")
        )
        for number in range(PAGE):
            httpx.post(on + "/items", json={"name": f"item {number}"}, timeout=10)
        check_logging(on, plain, silent, logs)
        script = wrk_script(work, random_ids=False, max_requests=MAX_REQUESTS)
        rows = []
        for label, path in ROUTES:
            for baseline_label, baseline in ((PLAIN_LABEL, plain), (SILENT_LABEL, silent)):
                progress(f"{label}, beside {baseline_label}")
                case, base = measure(
                    wrk, runs, duration, (on + path, script), (baseline + path, script)
                )
                rows.append(ServiceRow(label, case, baseline_label, base))
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
            f"Ratio, {row.label} beside {row.baseline_label}: {times(row.ratio)}"
            f"{TARGET if row.baseline_label == PLAIN_LABEL else ''}; CPU per request:"
            f" {cpu_overhead(row)}"
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
