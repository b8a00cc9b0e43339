"""Throughput and latency of the baked FastAPI service on a real PostgreSQL server, beside
two minimal hand-written FastAPI apps doing the same queries: one through the ORM, one
through SQLAlchemy Core.

    .venv/bin/python benchmarks/service.py [--quick] [--runs N] [--duration S]

The script starts a throwaway PostgreSQL server (``tests/postgres.py``), bakes a project
for it, migrates it to head and seeds ``ROWS`` items. Four uvicorn processes (one worker,
no access log, 127.0.0.1) serve: the baked app, the two hand-written apps (written into the
temporary folder) and a constant ASGI app. ``wrk`` (one thread, ``CONNECTIONS`` keep-alive
connections, a fixed duration and at most ``MAX_REQUESTS`` requests per run) loads each;
case and baseline alternate run by run (``compare``), after a warm-up run of each. Each
route is measured three times: baked vs Core (the whole gap), baked vs ORM (what the
template adds) and ORM vs Core (what the ORM itself costs). The constant app shows the
load generator's ceiling on this machine. Figures are printed, never asserted; see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from bake import PACKAGE, bake
from sqlalchemy import create_engine, pool, text
from timing import (
    PYTHON,
    BenchmarkError,
    add_load_arguments,
    clean_environment,
    compare,
    load_settings,
    number,
    print_report,
    progress,
    run,
    run_as_script,
    times,
)

from tests.postgres import free_port, running_server

ROWS = 200
PAGE = 50
CONNECTIONS = 8
# A cap on each wrk run besides its duration (wrk itself only knows durations).
MAX_REQUESTS = 200_000
STARTUP_LIMIT = 60  # seconds a uvicorn process gets to answer its first request
STOP_LIMIT = 20
UVICORN_OPTIONS = ["--host", "127.0.0.1", "--workers", "1"]

# The hand-written baseline: the same table, driver and engine options as the baked
# project's database/session.py (pre-ping, a pool of POOL_SIZE connections, the baked
# settings' default, given to both apps in the environment by seeded_project, and no
# overflow), SQLAlchemy Core queries and a pydantic response model giving the same JSON
# as the baked app's.
HAND_WRITTEN_APP = """\
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger, Column, Connection, DateTime, MetaData, String, Table, Text, create_engine, select,
)

engine = create_engine(
    os.environ["DATABASE_URL"],
    pool_pre_ping=True,
    pool_size=int(os.environ["POOL_SIZE"]),
    max_overflow=0,
)
item = Table(
    "item",
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    Column("name", String(200)),
    Column("description", Text),
    Column("status", String),
    Column("created_at", DateTime(timezone=True)),
)


class Item(BaseModel):
    id: int
    name: str
    description: str | None
    status: str
    created_at: datetime


def connection() -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


Conn = Annotated[Connection, Depends(connection)]
app = FastAPI()


@app.get("/items")
def list_items(conn: Conn, limit: int = 50, offset: int = 0) -> list[Item]:
    query = select(item).order_by(item.c.id).limit(limit).offset(offset)
    return [Item(**row) for row in conn.execute(query).mappings()]


@app.get("/items/{id}")
def get_item(conn: Conn, id: int) -> Item:
    row = conn.execute(select(item).where(item.c.id == id)).mappings().first()
    if row is None:
        raise HTTPException(404, f"Item {id} not found")
    return Item(**row)
"""


# The second baseline: the same queries through the ORM, written the way the FastAPI and
# SQLAlchemy documentation write them: a mapped class, select(Item) and session.get, a
# plain Session from a yield dependency, and a read schema with from_attributes that
# FastAPI fills from the entities (response_model). Same engine options as above; the
# baked app against it shows what the template adds to the plain ORM code, and it against
# the Core app shows what the ORM itself costs.
HAND_WRITTEN_ORM_APP = """\
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, DateTime, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine(
    os.environ["DATABASE_URL"],
    pool_pre_ping=True,
    pool_size=int(os.environ["POOL_SIZE"]),
    max_overflow=0,
)
SessionLocal = sessionmaker(engine)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    status: str
    created_at: datetime


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
app = FastAPI()


@app.get("/items", response_model=list[ItemRead])
def list_items(session: SessionDep, limit: int = 50, offset: int = 0):
    return session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset)).all()


@app.get("/items/{id}", response_model=ItemRead)
def get_item(session: SessionDep, id: int):
    item = session.get(Item, id)
    if item is None:
        raise HTTPException(404, f"Item {id} not found")
    return item
"""


def baked_pool_size(project: Path, env: dict[str, str]) -> str:
    """The pool size ``project``'s settings default to (its POOL_SIZE setting)."""
    code = (
        f"from {PACKAGE}.settings import Settings\n"
        "print(Settings.model_fields['pool_size'].default)"
    )
    return run([PYTHON, "-c", code], cwd=project, env=env).stdout.strip()


# The load generator's ceiling: an ASGI app that answers a constant without a framework.
CONSTANT_APP = """\
BODY = b'{"status":"ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
"""

# wrk's Lua hooks: ids spread over the seeded rows, and a cap on the requests per run.
WRK_SCRIPT = """\
local done = 0
local max_requests = MAX_REQUESTS
local random_ids = RANDOM_IDS

request = function()
    if random_ids then
        return wrk.format("GET", "/items/" .. math.random(1, ROWS))
    end
    return wrk.format("GET", wrk.path)
end

response = function(status, headers, body)
    done = done + 1
    if done >= max_requests then
        wrk.thread:stop()
    end
end
"""


@dataclass
class Load:
    """One wrk run: requests per second, latency percentiles (ms) and the serving process's
    CPU time (user + system, all its threads) per request, in ms."""

    rps: float
    p50: float
    p99: float
    requests: int
    cpu_ms: float = 0.0


@dataclass
class ServiceRow:
    label: str
    case: list[Load]
    baseline_label: str
    baseline: list[Load]

    @staticmethod
    def medians(loads: list[Load]) -> tuple[float, float, float, float]:
        return (
            statistics.median(load.rps for load in loads),
            statistics.median(load.p50 for load in loads),
            statistics.median(load.p99 for load in loads),
            statistics.median(load.cpu_ms for load in loads),
        )

    @property
    def ratio(self) -> float:
        return self.medians(self.case)[0] / self.medians(self.baseline)[0]


# ---------------------------------------------------------------- the load generator


def parse_load_run(
    argv: list[str] | None,
    doc: str,
    quick_help: str = "one short run per case (smoke use, under a minute)",
) -> tuple[argparse.Namespace, int, int, str]:
    """A wrk benchmark's command line (``doc`` is its module docstring): the arguments,
    runs per case, seconds per run, and the wrk binary."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    add_load_arguments(parser, quick_help)
    args = parser.parse_args(argv)
    runs, duration = load_settings(args)
    return args, runs, duration, require_wrk()


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None and os.geteuid() == 0 and shutil.which("apt-get"):
        progress("installing wrk with apt-get (as .ci/run installs PostgreSQL)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(command, check=False, env=env, capture_output=True, timeout=600)
        wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchmarkError(
            "wrk, the load generator, is not installed: 'apt-get install wrk' (Debian/Ubuntu)"
        )
    return wrk


LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise BenchmarkError(f"unreadable wrk latency {value!r}")
    return float(match[1]) * LATENCY_UNITS[match[2]]


def parse_wrk(output: str) -> Load:
    problems = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .+", output)
    if problems:
        raise BenchmarkError(f"wrk saw failed requests:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)[ \t]*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)$", output, re.MULTILINE)
    requests = re.search(r"^\s+(\d+) requests in ", output, re.MULTILINE)
    if set(percentiles) != {"50", "99"} or rps is None or requests is None:
        raise BenchmarkError(f"unreadable wrk output:\n{output}")
    return Load(
        float(rps[1]), milliseconds(percentiles["50"]), milliseconds(percentiles["99"]),
        int(requests[1]),
    )  # fmt: skip


# The process serving each base URL ``uvicorn`` yields: ``load`` reads its CPU time.
SERVER_PIDS: dict[str, int] = {}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(wrk: str, url: str, script: Path, duration: int, connections: int = CONNECTIONS) -> Load:
    pid = next((pid for base, pid in SERVER_PIDS.items() if url.startswith(base + "/")), None)
    command = [
        wrk, "--threads", "1", "--connections", str(connections), "--duration", f"{duration}s",
        "--timeout", "10s", "--latency", "--script", str(script), url,
    ]  # fmt: skip
    cpu_before = cpu_seconds(pid) if pid else 0.0
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"wrk did not finish: {' '.join(command)}") from error
    cpu = cpu_seconds(pid) - cpu_before if pid else 0.0
    if result.returncode != 0:
        raise BenchmarkError(f"wrk exited {result.returncode}:\n{result.stderr}{result.stdout}")
    measured = parse_wrk(result.stdout)
    if not measured.requests:
        raise BenchmarkError(f"no request finished in {duration} s: {' '.join(command)}")
    measured.cpu_ms = cpu / measured.requests * 1000
    return measured


def wrk_script(work: Path, random_ids: bool, max_requests: int) -> Path:
    path = work / f"wrk-{'random-ids' if random_ids else 'path'}.lua"
    path.write_text(
        WRK_SCRIPT.replace("MAX_REQUESTS", str(max_requests))
        .replace("RANDOM_IDS", "true" if random_ids else "false")
        .replace("ROWS", str(ROWS))
    )
    return path


# ---------------------------------------------------------------- servers


@contextmanager
def uvicorn(
    app: str, cwd: Path, env: dict[str, str], log: Path, probe: str, access_log: bool = False
) -> Iterator[str]:
    """``python -m uvicorn app`` on a free loopback port until ``probe`` answers 200; yields
    its base URL and stops it (SIGTERM, then SIGKILL) on the way out. uvicorn's own access
    log is off unless ``access_log``."""
    options = [*UVICORN_OPTIONS, *([] if access_log else ["--no-access-log"])]
    for _attempt in range(3):  # another process may take the free port first
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        with log.open("w") as output:
            process = subprocess.Popen(
                [PYTHON, "-m", "uvicorn", app, "--port", str(port), *options],
                cwd=cwd,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            if serving(process, base_url + probe):
                SERVER_PIDS[base_url] = process.pid
                yield base_url
                return
        finally:
            SERVER_PIDS.pop(base_url, None)
            stop(process)
        if "address already in use" not in log.read_text(errors="replace"):
            break
    raise BenchmarkError(f"uvicorn {app} did not start:\n{log.read_text(errors='replace')}")


def serving(process: subprocess.Popen, url: str) -> bool:
    give_up = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < give_up and process.poll() is None:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- the two apps


def seed(database_url: str) -> None:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO item (name, description, status) SELECT 'item ' || n,"
                    " 'seeded row ' || n, 'draft' FROM generate_series(1, :rows) AS n"
                ),
                {"rows": ROWS},
            )
    finally:
        engine.dispose()


def same_answers(baked: str, hand_written: str) -> None:
    """Both apps answer the measured requests with the same JSON (times compared parsed)."""

    def normalised(url: str) -> object:
        response = httpx.get(url, timeout=10)
        if response.status_code != 200:
            raise BenchmarkError(f"GET {url}: {response.status_code} {response.text[:500]}")
        rows = response.json()
        for row in rows if isinstance(rows, list) else [rows]:
            row["created_at"] = datetime.fromisoformat(row["created_at"])
        return rows

    for path in ("/items/1", f"/items/{ROWS}", f"/items?limit={PAGE}"):
        if normalised(baked + path) != normalised(hand_written + path):
            raise BenchmarkError(f"the baked and hand-written apps answer {path} differently")
    if len(normalised(f"{baked}/items?limit={PAGE}")) != PAGE:
        raise BenchmarkError(f"/items?limit={PAGE} did not list {PAGE} rows")


# ---------------------------------------------------------------- measuring


def measure(
    wrk: str,
    runs: int,
    duration: int,
    case: tuple[str, Path],
    baseline: tuple[str, Path],
    connections: int = CONNECTIONS,
) -> tuple[list[Load], list[Load]]:
    """wrk on ``case`` and ``baseline`` (url, Lua script), interleaved by ``compare``."""
    loads: dict[str, list[Load]] = {"case": [], "baseline": []}

    def runner(key: str, url: str, script: Path):
        def one() -> float:
            measured = load(wrk, url, script, duration, connections)
            loads[key].append(measured)
            return measured.rps

        return one

    compare(runs, runner("case", *case), runner("baseline", *baseline))
    # compare's warm-up runs come first: leave them out.
    return loads["case"][1:], loads["baseline"][1:]


def table(rows: list[ServiceRow]) -> list[str]:
    lines = [
        "| Benchmark | Req/s | p50 (ms) | p99 (ms) | CPU (ms/req) | Baseline | Baseline req/s"
        " | Baseline p50 (ms) | Baseline p99 (ms) | Baseline CPU (ms/req) | Ratio (req/s)"
        " | Runs |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        rps, p50, p99, cpu = row.medians(row.case)
        base_rps, base_p50, base_p99, base_cpu = row.medians(row.baseline)
        lines.append(
            f"| {row.label} | {number(rps, 0)} | {number(p50, 2)} | {number(p99, 2)}"
            f" | {number(cpu, 2)} | {row.baseline_label} | {number(base_rps, 0)}"
            f" | {number(base_p50, 2)} | {number(base_p99, 2)} | {number(base_cpu, 2)}"
            f" | {times(row.ratio)} | {len(row.case)} |"
        )
    return lines


def cpu_overhead(row: ServiceRow) -> str:
    """How much more CPU per request the row's case takes than its baseline: ``+12 %``."""
    case_cpu, base_cpu = row.medians(row.case)[3], row.medians(row.baseline)[3]
    if not base_cpu:
        return "n/a"
    return f"{(case_cpu / base_cpu - 1) * 100:+.0f} %"


SERVICE_PACKAGES = (
    "fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "psycopg", "psycopg-binary",
)  # fmt: skip
HAND_WRITTEN_LABEL = "hand-written FastAPI + Core"
HAND_WRITTEN_ORM_LABEL = "hand-written FastAPI + ORM"


def database_rows(
    wrk: str, work: Path, runs: int, duration: int, service: str, baseline: str,
    baseline_label: str = HAND_WRITTEN_LABEL, service_label: str = "",
) -> list[ServiceRow]:  # fmt: skip
    """``GET /items/{id}`` (random ids) and ``GET /items?limit=PAGE`` on the service at base
    URL ``service`` beside the one at ``baseline``, interleaved run by run. Both must already
    serve the seeded database (see ``seeded_project``); ``same_answers`` is checked first.
    ``service_label`` (``"hand-written ORM"``, say) starts the rows' labels when the service
    measured is not the baked one."""
    same_answers(service, baseline)
    by_id = wrk_script(work, random_ids=True, max_requests=MAX_REQUESTS)
    by_path = wrk_script(work, random_ids=False, max_requests=MAX_REQUESTS)
    rows = []
    for label, path, script in (
        (f"GET /items/{{id}}, {ROWS} rows, random ids", "/", by_id),
        (f"GET /items?limit={PAGE}", f"/items?limit={PAGE}", by_path),
    ):
        progress(f"{label}: {runs} runs of {duration:g} s each, after a warm-up")
        case, base = measure(
            wrk, runs, duration, (service + path, script), (baseline + path, script)
        )
        label = f"{service_label}: {label}" if service_label else label
        rows.append(ServiceRow(label, case, baseline_label, base))
    return rows


def ceiling_row(wrk: str, work: Path, runs: int, duration: int, service: str, constant: str):
    """The service's ``/health`` beside the constant ASGI app: the load generator's ceiling."""
    progress("the load generator's ceiling")
    script = wrk_script(work, random_ids=False, max_requests=MAX_REQUESTS)
    case, baseline = measure(
        wrk, runs, duration, (service + "/health", script), (constant + "/", script)
    )
    return ServiceRow("GET /health (baked, no database)", case, "constant ASGI app", baseline)


def seeded_project(stack: ExitStack, work: Path) -> tuple[Path, dict[str, str]]:
    """A throwaway PostgreSQL server (stopped with ``stack``), a project baked for it,
    migrated to head and seeded with ``ROWS`` items: the project and its environment."""
    progress("starting PostgreSQL")
    server = stack.enter_context(running_server(prefix="service-bench-postgres-"))
    database_url = server.create_database("service_bench")
    progress("baking, migrating and seeding")
    project = bake(work, f"database_url={database_url}")
    env = clean_environment()
    env["DATABASE_URL"] = database_url
    # Both apps get the baked default, whatever the caller's environment says.
    env["POOL_SIZE"] = baked_pool_size(project, env)
    run([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=project, env=env)
    seed(database_url)
    return project, env


def main(argv: list[str] | None = None) -> int:
    args, runs, duration, wrk = parse_load_run(argv, __doc__)
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="service-bench-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        project, env = seeded_project(stack, work)
        (work / "hand_written.py").write_text(HAND_WRITTEN_APP)
        (work / "hand_written_orm.py").write_text(HAND_WRITTEN_ORM_APP)
        (work / "constant.py").write_text(CONSTANT_APP)
        progress("starting the four uvicorn processes")
        baked = stack.enter_context(
            uvicorn(f"{PACKAGE}.main:app", project, env, work / "baked.log", "/health")
        )
        hand_written = stack.enter_context(
            uvicorn("hand_written:app", work, env, work / "hand-written.log", "/items/1")
        )
        hand_written_orm = stack.enter_context(
            uvicorn("hand_written_orm:app", work, env, work / "hand-written-orm.log", "/items/1")
        )
        constant = stack.enter_context(
            uvicorn("constant:app", work, env, work / "constant.log", "/")
        )
        rows = database_rows(wrk, work, runs, duration, baked, hand_written)
        template_rows = database_rows(
            wrk, work, runs, duration, baked, hand_written_orm, HAND_WRITTEN_ORM_LABEL
        )
        orm_rows = database_rows(
            wrk, work, runs, duration, hand_written_orm, hand_written,
            service_label="hand-written ORM",
        )  # fmt: skip
        ceiling = ceiling_row(wrk, work, runs, duration, baked, constant)

    print_report(
        f"Service benchmarks ({'quick' if args.quick else 'full'}: {runs} run(s) of"
        f" {duration:g} s per case, wrk 1 thread, {CONNECTIONS} connections,"
        f" uvicorn 1 worker, PostgreSQL on 127.0.0.1)",
        SERVICE_PACKAGES,
        table([*rows, *template_rows, *orm_rows, ceiling]),
    )
    for row in rows:
        print(f"Ratio baked/hand-written, {row.label}: {times(row.ratio)} (target >= 0.9x)")
    for what, pairs in (
        ("baked over hand-written ORM (the template)", template_rows),
        ("hand-written ORM over Core (the ORM)", orm_rows),
    ):
        for row in pairs:
            route = row.label.removeprefix("hand-written ORM: ")
            print(f"CPU per request, {what}, {route}: {cpu_overhead(row)}")
    constant_rps = statistics.median(load.rps for load in ceiling.baseline)
    busiest = max(row.medians(row.case)[0] for row in rows)
    print(
        f"Load generator ceiling: {constant_rps:.0f} req/s against the constant app,"
        f" {constant_rps / busiest:.1f}x the fastest database row"
    )
    print(f"Total benchmark time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    # tests/postgres.py reports a server that would not start through pytest.fail.
    run_as_script(main, pytest.fail.Exception)
