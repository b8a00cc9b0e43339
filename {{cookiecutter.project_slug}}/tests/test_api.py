{%- set async_api = cookiecutter.database_api == "async" -%}
{%- set session_dependency = "get_session" if async_api else "pooled_session" -%}
"""The HTTP API through FastAPI's TestClient, on the shared test database.

``client`` (see conftest.py) runs the application as it is, its own session setup
included; only its sessions are opened on the test's connection, never on the database
in DATABASE_URL.
"""

import re

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import event
{%- if async_api %}
from sqlalchemy.ext.asyncio import async_sessionmaker
{%- else %}
from sqlalchemy.orm import sessionmaker
{%- endif %}

{% if async_api -%}
from {{ cookiecutter.package_name }}.database.session import create_database_engine, get_session
{% else -%}
from {{ cookiecutter.package_name }}.api.dependencies import pooled_session
from {{ cookiecutter.package_name }}.database.session import create_database_engine
{% endif -%}
from {{ cookiecutter.package_name }}.main import create_app

COLLECTION = "/{{ cookiecutter.__collection }}"


def create(client, **fields):
    response = client.post(COLLECTION, json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_crud_round_trip(client):
    response = client.post(COLLECTION, json={"name": "first", "description": "An example"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "first"
    assert created["status"] == "draft"
    assert response.headers["location"].endswith(f"{COLLECTION}/{created['id']}")

    assert client.get(response.headers["location"]).json() == created
    assert client.get(COLLECTION).json() == [created]

    response = client.patch(f"{COLLECTION}/{created['id']}", json={"description": None})
    assert response.status_code == 200, response.text
    assert response.json() == {**created, "description": None}

    assert client.delete(f"{COLLECTION}/{created['id']}").status_code == 204
    assert client.get(f"{COLLECTION}/{created['id']}").status_code == 404
    assert client.get(COLLECTION).json() == []


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_missing_row_is_404(client, method):
    response = client.request(method, f"{COLLECTION}/12345", json={})
    assert response.status_code == 404
    assert "12345" in response.json()["detail"]


def test_taken_name_is_409_naming_the_field(client):
    create(client, name="taken")
    response = client.post(COLLECTION, json={"name": "taken"})
    assert response.status_code == 409
    assert response.json()["fields"] == ["name"]
    assert "name" in response.json()["detail"]

    other = create(client, name="other")
    response = client.patch(f"{COLLECTION}/{other['id']}", json={"name": "taken"})
    assert response.status_code == 409
    assert response.json()["fields"] == ["name"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", COLLECTION, {}),
        ("post", COLLECTION, {"name": ""}),
        ("post", COLLECTION, {"name": "x" * 201}),
        ("post", COLLECTION, {"name": "nul\x00"}),
        ("post", COLLECTION, {"name": "ok", "status": "unknown"}),
        ("patch", f"{COLLECTION}/1", {"name": None}),
        ("get", f"{COLLECTION}?limit=101", None),
        ("get", f"{COLLECTION}?limit=0", None),
        ("get", f"{COLLECTION}?offset=-1", None),
        ("get", f"{COLLECTION}/not-a-number", None),
        ("get", f"{COLLECTION}/{2**63}", None),
    ],
)
def test_invalid_input_is_422(client, method, path, body):
    create(client, name="existing")
    response = client.request(method, path, json=body)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("method", ["post", "patch"])
def test_an_unknown_field_is_422_naming_it(client, method):
    existing = create(client, name="existing")
    path = COLLECTION if method == "post" else f"{COLLECTION}/{existing['id']}"
    response = client.request(method, path, json={"name": "renamed", "descripton": "typo"})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "descripton"]
    assert client.get(f"{COLLECTION}/{existing['id']}").json() == existing


def test_pages_follow_the_id_order(client):
    ids = [create(client, name=f"row {number}")["id"] for number in range(5)]
    page = client.get(COLLECTION, params={"limit": 2, "offset": 2}).json()
    assert [row["id"] for row in page] == ids[2:4]


def test_a_page_costs_the_same_statements_whatever_its_size(client, migrated_engine):
    for number in range(20):
        create(client, name=f"row {number}")
    statements = []
{%- if async_api %}
    # Statements run on the sync engine the async one drives.
    engine = migrated_engine.sync_engine
{%- else %}
    engine = migrated_engine
{%- endif %}

    def count(*args):
        statements.append(1)

    def statements_for(limit):
        statements.clear()
        assert len(client.get(COLLECTION, params={"limit": limit}).json()) == limit
        return len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert statements_for(1) == statements_for(20)
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("turn", ["one", "other"])
def test_what_a_test_commits_is_gone_for_the_next(client, turn):
    # Both create the same unique name: each passes only if the other, whichever ran
    # first, left nothing behind.
    create(client, name="unique")
    assert [row["name"] for row in client.get(COLLECTION).json()] == ["unique"]


def test_ready_only_at_the_head_revision(alembic_engine, empty_database_alembic, app_sessions):
    # pytest-alembic's own empty database, not the shared one at head; sessions open
    # connections from the engine, as in production.
    app_sessions.configure(bind=alembic_engine)
    with TestClient(create_app()) as client:
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["current"] == []
        assert response.json()["head"] != []

        # Readiness reads the version table alone: stamping it is enough, and costs the
        # same whatever the length of the history.
        command.stamp(empty_database_alembic, "heads")
        response = client.get("/ready")
        assert response.status_code == 200, response.text
        assert response.json()["current"] == response.json()["head"]
    command.stamp(empty_database_alembic, "base")


def test_a_pool_with_no_free_connection_is_503(migrated_engine):
    app = create_app()
    engine = create_database_engine(
        migrated_engine.url, pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    sessions = {{ "async_" if async_api }}sessionmaker(engine)

    {{ "async " if async_api }}def session_on_a_busy_pool():
        # The pool's only connection stays busy: the request waits for one in vain.
        {{ "async " if async_api }}with engine.connect(), sessions() as session:
            yield session

    app.dependency_overrides[{{ session_dependency }}] = session_on_a_busy_pool
{%- if async_api %}
    with TestClient(app) as client:
        response = client.get(COLLECTION)
        # The pool's connection belongs to the client's event loop: closed there.
        client.portal.call(engine.dispose)
{%- else %}
    response = TestClient(app).get(COLLECTION)
    engine.dispose()
{%- endif %}
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The database is unavailable; try again later.",
        "request_id": response.headers["x-request-id"],
    }


def operations(client):
    schema = client.get("/openapi.json").json()
    return [operation for path in schema["paths"].values() for operation in path.values()]


def test_operation_ids_are_the_route_names_unique_across_resources(client):
    ids = [operation["operationId"] for operation in operations(client)]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert {
        "health",
        "ready",
        "list_{{ cookiecutter.__collection }}",
        "get_{{ cookiecutter.resource_name }}",
        "create_{{ cookiecutter.resource_name }}",
        "update_{{ cookiecutter.resource_name }}",
        "delete_{{ cookiecutter.resource_name }}",
    } <= set(ids)


def test_openapi_text_has_no_restructuredtext_markup(client):
    # Client generators and documentation viewers show descriptions as Markdown.
    text = client.get("/openapi.json").text
    assert "``" not in text
    assert not re.search(r":[a-z]+:`", text)


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("sent", "kept"), [("trace-42.a_b", True), ("a b", False), ("x" * 129, False)]
)
def test_each_answer_carries_a_request_id_keeping_a_sane_one(client, sent, kept):
    response = client.get("/health", headers={"X-Request-ID": sent})
    if kept:
        assert response.headers["x-request-id"] == sent
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_an_unexpected_error_is_a_json_500_without_its_traceback():
    app = create_app()

    @app.get("/test-failure")
    def fail() -> None:
        raise RuntimeError("a bug, its details for the log only")

    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/test-failure", headers={"X-Request-ID": "failing-1"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error", "request_id": "failing-1"}
