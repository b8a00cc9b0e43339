"""The baked web service as it runs for real: ``python -m uvicorn <package>.main:app`` in
its own process, on a SQLite file and on real PostgreSQL and MariaDB databases, driven over
HTTP; with database_api=async too, on PostgreSQL through asyncpg.

One project is baked per worker and shared by the tests that only read it; the tests that
add a resource bake their own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from cookiecutter.main import cookiecutter

from tests.helpers import (
    TEMPLATE_DIR,
    add_resource,
    alembic,
    refused_start,
    revision_files,
    serving,
)
from tests.postgres import free_port

PACKAGE = "my_service"
# Each backend's project is baked for it: revisions are rendered for the dialect named at
# bake time. Run time uses DATABASE_URL from the environment, never this placeholder.
BAKE_URLS = {
    "sqlite": "sqlite:///my_service.db",
    "postgresql": "postgresql+psycopg://app:secret@127.0.0.1:9/app",
    "mysql": "mysql+pymysql://app:secret@127.0.0.1:9/app",
}
# The driver an async project's URL names, per backend.
ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg", "mysql": "aiomysql"}


def for_database_api(url: str, database_api: str) -> str:
    """``url`` with the driver a ``database_api`` project uses on its backend."""
    if database_api == "sync":
        return url
    scheme, _, rest = url.partition("://")
    backend = scheme.partition("+")[0]
    return f"{backend}+{ASYNC_DRIVERS[backend]}://{rest}"


@pytest.fixture(scope="session")
def service_projects(tmp_path_factory):
    """``project(backend, database_api)``: a project baked with web_framework=fastapi for
    that backend and database API, once per worker; tests must not change its files."""
    baked: dict[tuple[str, str], Path] = {}

    def project(backend: str, database_api: str = "sync") -> Path:
        if (backend, database_api) not in baked:
            baked[backend, database_api] = Path(
                cookiecutter(
                    str(TEMPLATE_DIR),
                    no_input=True,
                    extra_context={
                        "web_framework": "fastapi",
                        "database_api": database_api,
                        "database_url": for_database_api(BAKE_URLS[backend], database_api),
                    },
                    output_dir=str(tmp_path_factory.mktemp(f"service-{backend}-{database_api}")),
                )
            )
        return baked[backend, database_api]

    return project


@pytest.fixture(scope="session")
def service_project(service_projects) -> Path:
    return service_projects("sqlite")


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'service.db'}"


def new_database(request, tmp_path_factory, backend: str, database_api: str = "sync") -> str:
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
    else:
        server = request.getfixturevalue(
            "postgres_server" if backend == "postgresql" else "mariadb_server"
        )
        url = server.create_database(f"service_{uuid.uuid4().hex[:12]}")
    return for_database_api(url, database_api)


# Every backend with the sync API; the async API on PostgreSQL (asyncpg), where async
# services mostly run.
SERVICES = [("sqlite", "sync"), ("postgresql", "sync"), ("mysql", "sync"), ("postgresql", "async")]


@pytest.fixture(scope="module", params=SERVICES, ids=["-".join(service) for service in SERVICES])
def api(request, tmp_path_factory, service_projects) -> Iterator[httpx.Client]:
    """A service on a database at head, shared by the tests of this module that add
    rows with names of their own."""
    backend, database_api = request.param
    project = service_projects(backend, database_api)
    url = new_database(request, tmp_path_factory, backend, database_api)
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    log = tmp_path_factory.mktemp("log") / "uvicorn.log"
    with serving(project, url, log) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def create(api: httpx.Client, **fields) -> httpx.Response:
    response = api.post("/items", json=fields)
    assert response.status_code == 201, response.text
    return response


def test_crud_round_trip(api):
    name = unique("crud")
    response = create(api, name=name, description="first version")
    created = response.json()
    assert created["name"] == name and created["status"] == "draft"
    location = response.headers["location"]
    assert location == f"{api.base_url}/items/{created['id']}"

    assert api.get(location).json() == created
    listed = api.get("/items", params={"limit": 100}).json()
    assert created in listed
    assert [row["id"] for row in listed] == sorted(row["id"] for row in listed)

    response = api.patch(location, json={"description": "second", "status": "published"})
    assert response.status_code == 200, response.text
    assert response.json() == {**created, "description": "second", "status": "published"}
    assert api.get(location).json() == response.json()

    assert api.delete(location).status_code == 204
    assert api.get(location).status_code == 404
    assert api.delete(location).status_code == 404


def test_pages_are_bounded_and_ordered(api):
    ids = [create(api, name=unique("page")).json()["id"] for _ in range(3)]
    everything = []
    offset = 0
    while page := api.get("/items", params={"limit": 2, "offset": offset}).json():
        assert len(page) <= 2
        everything += page
        offset += 2
    assert [row["id"] for row in everything] == sorted({row["id"] for row in everything})
    assert set(ids) <= {row["id"] for row in everything}
    assert api.get("/items", params={"limit": 101}).status_code == 422


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_missing_row_is_404(api, method):
    response = api.request(method, "/items/987654321", json={"description": "x"})
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Item 987654321 not found",
        "request_id": response.headers["x-request-id"],
    }


def test_duplicate_name_is_409_naming_the_field(api):
    name = unique("taken")
    create(api, name=name)
    response = api.post("/items", json={"name": name})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Another item already has this name.",
        "fields": ["name"],
        "request_id": response.headers["x-request-id"],
    }

    other = create(api, name=unique("other")).json()
    response = api.patch(f"/items/{other['id']}", json={"name": name})
    assert response.status_code == 409
    assert response.json()["fields"] == ["name"]
    assert api.get(f"/items/{other['id']}").json() == other


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/items", {"description": "no name"}),
        ("POST", "/items", {"name": ""}),
        ("POST", "/items", {"name": "x" * 201}),
        ("POST", "/items", {"name": "nul \x00 inside"}),
        ("POST", "/items", {"name": "ok", "status": "lost"}),
        ("POST", "/items", ["not", "an", "object"]),
        ("PATCH", "/items/1", {"name": None}),
        ("GET", "/items?limit=101", None),
        ("GET", "/items?limit=-1", None),
        ("GET", "/items?offset=abc", None),
        ("GET", f"/items/{2**63}", None),
        ("GET", "/items?offset=9223372036854775808", None),
        ("GET", "/items/one", None),
    ],
)
def test_invalid_input_is_422(api, method, path, body):
    response = api.request(method, path, json=body)
    assert response.status_code == 422, response.text


def test_lone_surrogate_is_422(api):
    # Sent as raw JSON: httpx would refuse to encode the string itself.
    response = api.post(
        "/items", content=b'{"name": "\\ud800"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_misspelled_field_is_422_naming_it(api, method):
    existing = create(api, name=unique("spelled")).json()
    path = "/items" if method == "POST" else f"/items/{existing['id']}"
    response = api.request(method, path, json={"name": unique("renamed"), "descripton": "typo"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "descripton"]
    assert error["type"] == "extra_forbidden"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert api.get(f"/items/{existing['id']}").json() == existing


def test_openapi_operation_ids_are_the_route_names(api):
    schema = api.get("/openapi.json").json()
    ids = {
        (method, path): operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert ids == {
        ("get", "/health"): "health",
        ("get", "/ready"): "ready",
        ("get", "/items"): "list_items",
        ("post", "/items"): "create_item",
        ("get", "/items/{id}"): "get_item",
        ("patch", "/items/{id}"): "update_item",
        ("delete", "/items/{id}"): "delete_item",
    }


def test_openapi_descriptions_are_plain_text(api):
    text = api.get("/openapi.json").text
    assert "``" not in text
    assert not re.search(r":[a-z]+:`", text)
    schema = api.get("/openapi.json").json()
    assert "`description`" in schema["components"]["schemas"]["ItemUpdate"]["description"]
    assert schema["paths"]["/items"]["get"]["description"].startswith("One page, by id")


def test_openapi_lists_the_resource_and_probes(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/health", "/ready", "/items", "/items/{id}"}
    assert set(paths["/items"]) == {"get", "post"}
    assert set(paths["/items/{id}"]) == {"get", "patch", "delete"}


@pytest.mark.parametrize(
    ("backend", "database_api"), [("sqlite", "sync"), ("postgresql", "sync"), ("sqlite", "async")]
)
def test_ready_follows_the_migrations(
    request, service_projects, tmp_path_factory, backend, database_api
):
    service_project = service_projects(backend, database_api)
    fresh_database = new_database(request, tmp_path_factory, backend, database_api)
    env = {"DATABASE_URL": fresh_database}
    log = tmp_path_factory.mktemp("log") / "uvicorn.log"
    with serving(service_project, fresh_database, log) as client:
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["current"] == [] and response.json()["head"] == ["0001"]
        assert client.get("/health").status_code == 200

        alembic(service_project, "upgrade", "head", env=env)
        response = client.get("/ready")
        assert response.status_code == 200, response.text
        assert response.json()["current"] == ["0001"]

        alembic(service_project, "downgrade", "base", env=env)
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["reason"] == "database is behind this build's head revision"
        assert response.json()["current"] == []

        alembic(service_project, "upgrade", "head", env=env)
        assert client.get("/ready").status_code == 200


# A revision a newer build ships on top of the initial one.
NEWER_BUILD_REVISION = """\
\"\"\"A column the newer build added.\"\"\"

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("item", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("item", "note")
"""


@pytest.mark.parametrize(
    ("backend", "database_api"), [("sqlite", "sync"), ("postgresql", "sync"), ("sqlite", "async")]
)
def test_a_rolling_deploy_keeps_the_previous_build_ready(
    request, service_projects, tmp_path, tmp_path_factory, backend, database_api
):
    """The new build migrates the database while the previous build still serves: the
    previous build, which does not know the new revision, stays ready (and serves); a
    build whose database is behind it is not ready."""
    previous_build = service_projects(backend, database_api)
    newer_build = tmp_path / "newer-build"
    shutil.copytree(previous_build, newer_build, ignore=shutil.ignore_patterns("*.db"))
    (newer_build / "alembic" / "versions" / "0002_note.py").write_text(NEWER_BUILD_REVISION)
    url = new_database(request, tmp_path_factory, backend, database_api)
    env = {"DATABASE_URL": url}

    alembic(previous_build, "upgrade", "head", env=env)
    with serving(previous_build, url, tmp_path / "previous.log") as client:
        assert client.get("/ready").status_code == 200
        alembic(newer_build, "upgrade", "head", env=env)
        response = client.get("/ready")
        assert response.status_code == 200, response.text
        assert response.json()["current"] == ["0002"] and response.json()["head"] == ["0001"]
        assert create(client, name=unique("after the new build")).json()["id"]

    alembic(newer_build, "downgrade", "0001", env=env)
    with serving(newer_build, url, tmp_path / "newer.log") as client:
        response = client.get("/ready")
        assert response.status_code == 503, response.text
        assert response.json()["reason"] == "database is behind this build's head revision"
        assert response.json()["current"] == ["0001"] and response.json()["head"] == ["0002"]


def test_readiness_is_read_from_the_project_whatever_the_working_directory(
    service_project, tmp_path
):
    url = sqlite_url(tmp_path)
    alembic(service_project, "upgrade", "head", env={"DATABASE_URL": url})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(service_project)}
    script = (
        "from fastapi.testclient import TestClient\n"
        f"from {PACKAGE}.main import app\n"
        "response = TestClient(app).get('/ready')\n"
        "print(response.status_code, response.json()['head'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "200 ['0001']", result.stderr


@pytest.mark.parametrize("database_api", ["sync", "async"])
def test_unreachable_database_is_503_without_secrets(service_projects, tmp_path, database_api):
    password = "s3cr3t-Pa55"
    port = free_port()  # nothing listens there
    url = for_database_api(
        f"postgresql+psycopg://app:{password}@127.0.0.1:{port}/app", database_api
    )
    with serving(service_projects("sqlite", database_api), url, tmp_path / "uvicorn.log") as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        listed = client.get("/items")
        created = client.post("/items", json={"name": "while down"})

    assert ready.status_code == 503
    assert ready.json()["reason"] == "database unreachable"
    assert listed.status_code == 503 and created.status_code == 503
    for response in (listed, created):
        assert response.json() == {
            "detail": "The database is unavailable; try again later.",
            "request_id": response.headers["x-request-id"],
        }
    for response in (ready, listed, created):
        for secret in (password, str(port), "postgresql", "app@"):
            assert secret not in response.text


# The drivers whose connection a silent server cannot hold past CONNECT_TIMEOUT.
CONNECTING_DRIVERS = [
    ("sync", "postgresql+psycopg"),
    ("async", "postgresql+asyncpg"),
    ("sync", "mysql+pymysql"),
]


@pytest.mark.parametrize(
    ("database_api", "scheme"), CONNECTING_DRIVERS, ids=[scheme for _, scheme in CONNECTING_DRIVERS]
)
def test_a_database_that_never_answers_is_a_503_after_the_connect_timeout(
    service_projects, tmp_path, database_api, scheme
):
    # A port that takes connections and never answers: the kernel completes the TCP
    # handshakes of its backlog, and nobody reads the driver's first message or sends
    # the server's greeting.
    with socket.create_server(("127.0.0.1", 0), backlog=16) as silent:
        port = silent.getsockname()[1]
        url = f"{scheme}://app:secret@127.0.0.1:{port}/app"
        project = service_projects("sqlite", database_api)
        settings = {"CONNECT_TIMEOUT": "2", "STATEMENT_TIMEOUT": "2"}
        with serving(project, url, tmp_path / "uvicorn.log", env=settings) as client:
            # Without a limit the request would wait for as long as the connection
            # stays open: the client gives up first.
            response = client.get("/items", timeout=20)
    assert response.status_code == 503, response.text
    assert response.json()["detail"] == "The database is unavailable; try again later."


# --- property-based: requests built from /openapi.json -------------------------------------


def test_no_request_built_from_the_schema_gets_a_5xx_or_breaks_the_schema(api):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    # Some rows, so that ids hit existing rows as well as missing ones.
    for _ in range(3):
        create(api, name=unique("seed"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:

        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check_operation(case):
            case.call_and_validate(base_url=str(api.base_url), checks=checks)

        check_operation()


# --- a resource added by the user ---------------------------------------------------------

ORDER_MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    reference: Mapped[str] = mapped_column(String(40), unique=True)
"""

ORDER_ROUTER = """\
from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from my_service.api.dependencies import SessionDep

from .models import Order

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderIn(BaseModel):
    item_id: int
    reference: str


class OrderOut(OrderIn):
    model_config = ConfigDict(from_attributes=True)

    id: int


@router.post("", status_code=status.HTTP_201_CREATED)
def create_order(session: SessionDep, body: OrderIn) -> OrderOut:
    order = Order(**body.model_dump())
    session.add(order)
    session.commit()
    return OrderOut.model_validate(order)
"""


def test_a_new_resource_package_is_served_with_no_edit_elsewhere(tmp_path):
    project = Path(
        cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path / "bake"))
    )
    models = add_resource(project, PACKAGE, "order", ORDER_MODELS)
    models.with_name("router.py").write_text(ORDER_ROUTER)
    url = sqlite_url(tmp_path)
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "revision", "--autogenerate", "-m", "add order table", env=env)
    assert len(revision_files(project)) == 2
    alembic(project, "upgrade", "head", env=env)

    with serving(project, url, tmp_path / "uvicorn.log") as client:
        assert "/orders" in client.get("/openapi.json").json()["paths"]
        item = create(client, name="ordered").json()
        response = client.post("/orders", json={"item_id": item["id"], "reference": "A-1"})
        assert response.status_code == 201, response.text
        assert response.json() == {"id": 1, "item_id": item["id"], "reference": "A-1"}
        # The shared error handling covers the new table's unique column too.
        response = client.post("/orders", json={"item_id": item["id"], "reference": "A-1"})
        assert response.status_code == 409
        assert response.json() == {
            "detail": "Another order already has this reference.",
            "fields": ["reference"],
            "request_id": response.headers["x-request-id"],
        }
        assert client.get("/ready").status_code == 200


# --- the service under concurrent load ------------------------------------------------

# The baked app as it is, plus one route of the test's own that reads the engine's pool:
# its size, how many connections are checked out right now and how many were ever opened.
POOL_PROBE = f"""\
from sqlalchemy import event
from sqlalchemy.pool import Pool

from {PACKAGE}.database.session import get_engine
from {PACKAGE}.main import app

opened = 0


# Every pool of the process, without building the engine before the service does.
@event.listens_for(Pool, "connect")
def count_connection(*_args) -> None:
    global opened
    opened += 1


@app.get("/test-probe/pool")
async def pool_status() -> dict[str, int]:
    pool = get_engine().pool
    return {{"size": pool.size(), "checked_out": pool.checkedout(), "opened": opened}}
"""
IN_FLIGHT = 64
ROUNDS = 3


async def concurrent_load(base_url: str) -> tuple[int, list[tuple[str, int]]]:
    """Rounds of IN_FLIGHT requests released together: creates, reads, lists, updates,
    conflicts and misses. Returns the most requests seen in flight at once, and each
    request's (kind, status)."""
    in_flight = peak = 0
    outcomes: list[tuple[str, int]] = []
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:

        async def send(kind: str, method: str, path: str, start: asyncio.Barrier, **kwargs):
            nonlocal in_flight, peak
            await start.wait()
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                response = await client.request(method, path, **kwargs)
            finally:
                in_flight -= 1
            outcomes.append((kind, response.status_code))
            return response

        # The first round is IN_FLIGHT creates on a cold service; a created row serves the
        # reads, updates and conflicts of the rounds after it.
        start = asyncio.Barrier(IN_FLIGHT)
        created = await asyncio.gather(
            *(
                send("create", "POST", "/items", start, json={"name": unique("load")})
                for _ in range(IN_FLIGHT)
            )
        )
        taken = created[0].json()
        for _ in range(ROUNDS - 1):
            start = asyncio.Barrier(IN_FLIGHT)
            requests = []
            for number in range(IN_FLIGHT):
                kind = ("create", "get", "list", "update", "conflict", "missing")[number % 6]
                if kind == "create":
                    requests.append(
                        send(kind, "POST", "/items", start, json={"name": unique("load")})
                    )
                elif kind == "get":
                    requests.append(send(kind, "GET", f"/items/{taken['id']}", start))
                elif kind == "list":
                    requests.append(send(kind, "GET", "/items", start, params={"limit": 50}))
                elif kind == "update":
                    body = {"description": unique("load")}
                    requests.append(send(kind, "PATCH", f"/items/{taken['id']}", start, json=body))
                elif kind == "conflict":
                    body = {"name": taken["name"]}
                    requests.append(send(kind, "POST", "/items", start, json=body))
                else:
                    requests.append(send(kind, "GET", "/items/987654321", start))
            await asyncio.gather(*requests)
    return peak, outcomes


EXPECTED_STATUS = {
    "create": 201,
    "get": 200,
    "list": 200,
    "update": 200,
    "conflict": 409,
    "missing": 404,
}


@pytest.fixture
def probed_service(request, service_projects, tmp_path_factory, postgres_server):
    """Serves the PostgreSQL project of ``database_api`` (the test's parameter), migrated,
    with the pool probe route, on a database of its own: yields the client and a function
    giving the states of the service's sessions on the server. No traceback may be logged."""
    database_api = request.node.callspec.params["database_api"]
    project = service_projects("postgresql", database_api)
    url = new_database(request, tmp_path_factory, "postgresql", database_api)
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    probe_dir = tmp_path_factory.mktemp("probe")
    (probe_dir / "pool_probe.py").write_text(POOL_PROBE)
    log = probe_dir / "uvicorn.log"
    database = url.rpartition("/")[2]

    def session_states() -> list[str]:
        with postgres_server.admin_connection() as admin:
            query = "SELECT state FROM pg_stat_activity WHERE datname = %s"
            return [state for (state,) in admin.execute(query, (database,))]

    with serving(project, url, log, app="pool_probe:app", app_dir=probe_dir) as client:
        yield client, session_states


@pytest.mark.parametrize("database_api", ["async", "sync"])
def test_service_under_concurrent_load_returns_every_connection(probed_service, database_api):
    """A cold service hit by IN_FLIGHT requests at once: one engine, at most its pool's
    connections, every one back in the pool afterwards (async: one event loop; sync: a
    thread per request)."""
    client, session_states = probed_service
    # The test has not touched the engine: the service's startup must have built it, or
    # the load's first requests race to build one each.
    peak, outcomes = asyncio.run(concurrent_load(str(client.base_url)))
    assert peak >= 50, f"only {peak} requests were in flight at once"
    assert len(outcomes) == ROUNDS * IN_FLIGHT
    unexpected = [(kind, status) for kind, status in outcomes if status != EXPECTED_STATUS[kind]]
    assert unexpected == [], unexpected[:10]

    pool = client.get("/test-probe/pool").json()
    assert pool["checked_out"] == 0, pool
    # Each connection is opened once and kept: none beyond the pool's size, none
    # closed and opened again as the load rises and falls.
    assert 1 <= pool["opened"] <= pool["size"], pool
    # The server's side: no session left inside a transaction, and no more connections
    # than the pool holds.
    states = session_states()
    assert len(states) <= pool["size"], states
    assert "idle in transaction" not in states, states


# Long enough for a request to reach the service, far too short for it to be answered.
CUT_AFTER = 0.02
# How long the service may take to answer again once its clients are gone: well below
# the pool's 30 s timeout, which is what a stalled sync service waits for.
ANSWER_AGAIN_WITHIN = 10


async def cut_requests(base_url: str, item_id: int) -> int:
    """ROUNDS of IN_FLIGHT reads sent at once, each abandoned by its client after
    CUT_AFTER seconds (the connection closed mid-request, as wrk does when a run ends).
    Returns how many were cut."""
    cut = 0
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=0)
    # Only the wait for the answer is cut short: every request reaches the service whole.
    timeout = httpx.Timeout(ANSWER_AGAIN_WITHIN, read=CUT_AFTER)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:

        async def send(path: str) -> None:
            nonlocal cut
            try:
                await client.get(path)
            except httpx.TimeoutException:
                cut += 1

        for _ in range(ROUNDS):
            paths = [f"/items/{item_id}", "/items?limit=50"]
            await asyncio.gather(*(send(paths[number % 2]) for number in range(IN_FLIGHT)))
    return cut


@pytest.mark.parametrize("database_api", ["async", "sync"])
def test_service_answers_again_after_its_clients_give_up_mid_request(probed_service, database_api):
    """Clients that disconnect while their requests wait for the pool leave nothing
    behind: the service answers the next request, every connection returns to the pool
    and no session of the service stays inside a transaction."""
    client, session_states = probed_service
    item = create(client, name=unique("cut")).json()
    cut = asyncio.run(cut_requests(str(client.base_url), item["id"]))
    assert cut >= IN_FLIGHT, f"only {cut} requests were cut"

    response = client.get("/items", params={"limit": 50}, timeout=ANSWER_AGAIN_WITHIN)
    assert response.status_code == 200, response.text
    # The abandoned requests still run to their end; then the pool is whole again.
    give_up = time.monotonic() + ANSWER_AGAIN_WITHIN
    while (checked_out := client.get("/test-probe/pool").json()["checked_out"]) != 0:
        assert time.monotonic() < give_up, f"{checked_out} connections never came back"
        time.sleep(0.1)
    states = session_states()
    assert "idle in transaction" not in states, states


# --- under pressure: time limits, a full pool, settings, errors that are not outages ---------

# The baked app and routes of the test's own: a statement that sleeps on the server while
# holding its connection, and a bug that raises an OSError.
PRESSURE_PROBE = """\
import time

from sqlalchemy import text

from {package}.api.dependencies import SessionDep
from {package}.main import app


@app.get("/test-probe/sleep/{{seconds}}")
{async_}def sleep(session: SessionDep, seconds: float) -> dict[str, float]:
    {await_}session.execute(text("{sleep}"), {{"seconds": seconds}})
    return {{"slept": seconds}}


# A sync route blocked on something slow that is not the database (another service).
@app.get("/test-probe/block/{{seconds}}")
def block(seconds: float) -> dict[str, float]:
    time.sleep(seconds)
    return {{"blocked": seconds}}


@app.get("/test-probe/broken")
async def broken() -> None:
    raise PermissionError("a bug of ours, not an outage")
"""


# A statement that sleeps on the server, per backend.
SLEEP = {"postgresql": "SELECT pg_sleep(:seconds)", "mysql": "SELECT SLEEP(:seconds)"}


@contextmanager
def pressured_service(
    request, service_projects, tmp_path_factory, database_api, backend="postgresql", **settings
):
    """The ``backend`` project of ``database_api`` migrated and served with the pressure
    probe routes and ``settings`` (POOL_SIZE="1", ...) in its environment: (client, log)."""
    project = service_projects(backend, database_api)
    url = new_database(request, tmp_path_factory, backend, database_api)
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    probe_dir = tmp_path_factory.mktemp("pressure")
    keyword = {"async_": "async ", "await_": "await "} if database_api == "async" else {}
    probe = PRESSURE_PROBE.format(
        package=PACKAGE, sleep=SLEEP[backend], **{"async_": "", "await_": "", **keyword}
    )
    (probe_dir / "pressure_probe.py").write_text(probe)
    log = probe_dir / "uvicorn.log"
    with serving(
        project, url, log, app="pressure_probe:app", app_dir=probe_dir, env=settings
    ) as client:
        yield client, log


# The server's words for a statement it stopped at the time limit.
STOPPED = {
    "postgresql": "canceling statement due to statement timeout",
    "mysql": "max_statement_time exceeded",
}
TIMED_SERVICES = [
    ("postgresql", "sync"),
    ("postgresql", "async"),
    ("mysql", "sync"),
    ("mysql", "async"),
]


@pytest.mark.parametrize(
    ("backend", "database_api"), TIMED_SERVICES, ids=["-".join(s) for s in TIMED_SERVICES]
)
def test_a_statement_past_the_statement_timeout_is_a_503_not_a_hang(
    request, service_projects, tmp_path_factory, backend, database_api
):
    with pressured_service(
        request, service_projects, tmp_path_factory, database_api, backend, STATEMENT_TIMEOUT="1"
    ) as (client, log):
        started = time.monotonic()
        response = client.get("/test-probe/sleep/20")
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.text
        assert 0.9 <= elapsed < 5, elapsed
        assert "statement" not in response.text and "sleep" not in response.text.lower()
        # A statement within the limit still runs, on the same pool.
        assert client.get("/test-probe/sleep/0.1").json() == {"slept": 0.1}
        assert client.get("/items").status_code == 200
        output = log.read_text()
    # The operator's log has the cause, with its traceback.
    assert "Traceback" in output and STOPPED[backend] in output


@pytest.mark.parametrize("database_api", ["sync", "async"])
def test_a_request_finding_the_pool_busy_is_a_503_after_the_pool_timeout(
    request, service_projects, tmp_path_factory, database_api
):
    settings = {"POOL_SIZE": "2", "POOL_TIMEOUT": "1", "STATEMENT_TIMEOUT": "30"}
    with pressured_service(
        request, service_projects, tmp_path_factory, database_api, **settings
    ) as (client, log):

        async def pressure() -> tuple[list[int], list[tuple[int, float]]]:
            async with httpx.AsyncClient(base_url=str(client.base_url), timeout=30) as load:
                # Slow requests take both connections, then more requests arrive.
                slow = [asyncio.create_task(load.get("/test-probe/sleep/4")) for _ in range(2)]
                await asyncio.sleep(0.5)

                async def timed() -> tuple[int, float]:
                    started = time.monotonic()
                    response = await load.get("/items")
                    return response.status_code, time.monotonic() - started

                waiting = await asyncio.gather(*(timed() for _ in range(8)))
                return [response.status_code for response in await asyncio.gather(*slow)], waiting

        slow, waiting = asyncio.run(pressure())
        assert slow == [200, 200]
        for status, elapsed in waiting:
            assert status == 503 and 0.9 <= elapsed < 3, waiting
        # The pool is whole again once the slow requests are done.
        assert client.get("/items").status_code == 200
        output = log.read_text()
    assert "Traceback" in output and "TimeoutError" in output


# anyio's default thread limiter, which every sync route and dependency of FastAPI shares.
WORKER_THREADS = 40


def test_health_answers_while_every_worker_thread_is_busy(
    request, service_projects, tmp_path_factory
):
    """Sync routes blocked in every worker thread (on a slow call to another service, say):
    /health still answers, so a liveness probe does not restart a replica that is only
    busy."""
    with pressured_service(request, service_projects, tmp_path_factory, "sync") as (client, _):

        async def pressure() -> tuple[int, list[bool], list[int]]:
            limits = httpx.Limits(max_connections=WORKER_THREADS + 10)
            async with httpx.AsyncClient(
                base_url=str(client.base_url), timeout=30, limits=limits
            ) as load:
                busy = [
                    asyncio.create_task(load.get("/test-probe/block/5"))
                    for _ in range(WORKER_THREADS)
                ]
                await asyncio.sleep(1.5)
                # A sync route arriving now finds no free thread: it waits for one.
                queued = asyncio.create_task(load.get("/test-probe/block/0"))
                await asyncio.sleep(0.2)
                health = await load.get("/health")
                pending = [not task.done() for task in (*busy, queued)]
                answers = await asyncio.gather(*busy, queued)
                return health.status_code, pending, [answer.status_code for answer in answers]

        health, pending, answers = asyncio.run(pressure())
    assert answers == [200] * (WORKER_THREADS + 1), answers
    assert health == 200
    # /health answered while every thread was still busy, and a sync route still queued.
    assert all(pending), pending


@pytest.mark.parametrize(
    ("name", "value"), [("POOL_SIZE", "0"), ("POOL_TIMEOUT", "soon"), ("STATEMENT_TIMEOUT", "-1")]
)
def test_an_invalid_setting_stops_the_service_at_startup_naming_it(
    service_project, tmp_path, name, value
):
    result = refused_start(service_project, {"DATABASE_URL": sqlite_url(tmp_path), name: value})
    assert result.returncode != 0
    # One line, no traceback, before uvicorn starts serving.
    assert result.stderr.startswith(f"error: invalid setting {name}={value!r}: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert ("greater than" in result.stderr) == (value != "soon"), result.stderr


def test_an_oserror_that_is_no_outage_is_a_500_with_its_traceback(
    request, service_projects, tmp_path_factory
):
    with pressured_service(request, service_projects, tmp_path_factory, "async") as (client, log):
        response = client.get("/test-probe/broken")
        assert response.status_code == 500, response.text
    output = log.read_text()
    assert "Traceback" in output and "PermissionError: a bug of ours" in output


# The example model and its read schema with a time the database sets on every update.
UPDATED_AT_COLUMN = """
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), server_default=func.current_timestamp(), onupdate=func.current_timestamp()
    )
"""


def test_an_async_write_returns_the_values_the_database_generated(
    request, tmp_path, tmp_path_factory
):
    """An ``onupdate`` SQL expression is evaluated by the database, and the ORM expires the
    attribute after the write: the async PATCH must read it back, not fail with
    MissingGreenlet when the response reads it."""
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(tmp_path / "bake"),
            extra_context={
                "database_api": "async",
                "database_url": for_database_api(BAKE_URLS["postgresql"], "async"),
            },
        )
    )
    resource = project / PACKAGE / "resources" / "item"
    with (resource / "models.py").open("a") as models:
        models.write(UPDATED_AT_COLUMN)
    with (resource / "schemas.py").open("a") as schemas:
        schemas.write("    updated_at: datetime\n")
    url = new_database(request, tmp_path_factory, "postgresql", "async")
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "revision", "--autogenerate", "-m", "add updated_at", env=env)
    alembic(project, "upgrade", "head", env=env)

    with serving(project, url, tmp_path / "uvicorn.log") as client:
        created = create(client, name="stamped").json()
        response = client.patch(f"/items/{created['id']}", json={"description": "changed"})
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["description"] == "changed"
        assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(
            created["updated_at"]
        ), (created, updated)
        assert client.get(f"/items/{created['id']}").json() == updated


# --- browsers and proxies: CORS_ORIGINS, FORWARDED_ALLOW_IPS --------------------------------


@contextmanager
def sqlite_service(service_project, tmp_path, monkeypatch, **settings) -> Iterator[httpx.Client]:
    """The SQLite project migrated and run by the image's own command (its Dockerfile's
    CMD), with ``settings`` in its environment and CORS_ORIGINS and FORWARDED_ALLOW_IPS
    otherwise unset, whatever the caller's environment holds."""
    for name in ("CORS_ORIGINS", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    url = sqlite_url(tmp_path)
    alembic(service_project, "upgrade", "head", env={"DATABASE_URL": url})
    command = json.loads(
        re.search(r"^CMD (\[.*\])$", (service_project / "Dockerfile").read_text(), re.M)[1]
    )
    assert command[0] == "uvicorn", command
    with serving(
        service_project, url, tmp_path / "uvicorn.log", env=settings, command=command
    ) as client:
        yield client


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/items", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )


def test_cors_answers_the_configured_origins_only(service_project, tmp_path, monkeypatch):
    origins = "https://app.example.com, http://localhost:5173"
    with sqlite_service(service_project, tmp_path, monkeypatch, CORS_ORIGINS=origins) as client:
        for origin in ("https://app.example.com", "http://localhost:5173"):
            response = preflight(client, origin)
            assert response.status_code == 200, response.text
            assert response.headers["access-control-allow-origin"] == origin
            assert "POST" in response.headers["access-control-allow-methods"]
            # No cookies or HTTP auth of a signed-in user ride along a page's calls.
            assert "access-control-allow-credentials" not in response.headers
            # Preflights too pass through the request ID middleware, outermost.
            assert response.headers["x-request-id"], response.headers
        for origin in ("https://evil.example.com", "http://app.example.com", "null"):
            response = preflight(client, origin)
            assert "access-control-allow-origin" not in response.headers, origin
        # A page of an allowed origin reads the Location of the row it created.
        response = client.post(
            "/items", json={"name": unique("cors")}, headers={"Origin": "https://app.example.com"}
        )
        assert response.status_code == 201, response.text
        assert response.headers["access-control-allow-origin"] == "https://app.example.com"
        assert "location" in response.headers["access-control-expose-headers"].lower()
        response = client.get("/items", headers={"Origin": "https://evil.example.com"})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers


def test_no_cors_headers_without_cors_origins(service_project, tmp_path, monkeypatch):
    with sqlite_service(service_project, tmp_path, monkeypatch) as client:
        response = preflight(client, "https://app.example.com")
        assert response.status_code == 405, response.text
        assert not [name for name in response.headers if name.startswith("access-control-")]
        response = client.get("/items", headers={"Origin": "https://app.example.com"})
        assert response.status_code == 200
        assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    ("settings", "scheme"),
    [
        # The default trusts the loopback address, where the test's client is.
        ({}, "https"),
        ({"FORWARDED_ALLOW_IPS": "127.0.0.1"}, "https"),
        # A proxy elsewhere: the client's own header is ignored.
        ({"FORWARDED_ALLOW_IPS": "192.0.2.10"}, "http"),
    ],
    ids=["default", "trusted", "untrusted"],
)
def test_forwarded_proto_is_trusted_from_forwarded_allow_ips_only(
    service_project, tmp_path, monkeypatch, settings, scheme
):
    with sqlite_service(service_project, tmp_path, monkeypatch, **settings) as client:
        response = client.post(
            "/items",
            json={"name": unique("proxied")},
            headers={"X-Forwarded-Proto": "https", "Host": "api.example.com"},
        )
        assert response.status_code == 201, response.text
        created = response.json()
        assert response.headers["location"] == f"{scheme}://api.example.com/items/{created['id']}"


@pytest.mark.parametrize(
    "value", ["*", "app.example.com", "https://app.example.com/", "https://app.example.com/x"]
)
def test_an_invalid_cors_origins_stops_the_service_naming_it(service_project, tmp_path, value):
    env = {"DATABASE_URL": sqlite_url(tmp_path), "CORS_ORIGINS": f"https://ok.example.com,{value}"}
    result = refused_start(service_project, env)
    assert result.returncode != 0
    # One line, no traceback.
    assert result.stderr.startswith("error: invalid setting CORS_ORIGINS="), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert (
        f"{value!r} is not an origin: CORS_ORIGINS takes origins such as https://example.com"
        in result.stderr
    ), result.stderr
