{%- set async_api = cookiecutter.database_api == "async" -%}
"""The HTTP API through FastAPI's TestClient, on the throwaway test database.

The app's sessions come from ``alembic_engine`` (see conftest.py) through a dependency
override, so these tests never touch the database in DATABASE_URL.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
{%- if async_api %}
from sqlalchemy.ext.asyncio import async_sessionmaker
{%- else %}
from sqlalchemy.orm import sessionmaker
{%- endif %}

from {{ cookiecutter.package_name }}.database.session import create_database_engine, get_session
from {{ cookiecutter.package_name }}.main import create_app

COLLECTION = "/{{ cookiecutter.__collection }}"


@pytest.fixture
def client(alembic_engine):
    app = create_app()
{%- if async_api %}
    sessions = async_sessionmaker(alembic_engine, expire_on_commit=False)

    async def session_on_test_database():
        async with sessions() as session:
            yield session
{%- else %}
    sessions = sessionmaker(alembic_engine, expire_on_commit=False)

    def session_on_test_database():
        with sessions() as session:
            yield session
{%- endif %}

    app.dependency_overrides[get_session] = session_on_test_database
    return TestClient(app)


@pytest.fixture
def migrated(alembic_runner):
    alembic_runner.migrate_up_to("heads")
    yield
    alembic_runner.migrate_down_to("base")


def create(client, **fields):
    response = client.post(COLLECTION, json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_crud_round_trip(client, migrated):
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
def test_missing_row_is_404(client, migrated, method):
    response = client.request(method, f"{COLLECTION}/12345", json={})
    assert response.status_code == 404
    assert "12345" in response.json()["detail"]


def test_taken_name_is_409_naming_the_field(client, migrated):
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
def test_invalid_input_is_422(client, migrated, method, path, body):
    create(client, name="existing")
    response = client.request(method, path, json=body)
    assert response.status_code == 422, response.text


def test_pages_follow_the_id_order(client, migrated):
    ids = [create(client, name=f"row {number}")["id"] for number in range(5)]
    page = client.get(COLLECTION, params={"limit": 2, "offset": 2}).json()
    assert [row["id"] for row in page] == ids[2:4]


def test_a_page_costs_the_same_statements_whatever_its_size(client, migrated, alembic_engine):
    for number in range(20):
        create(client, name=f"row {number}")
    statements = []
    {%- if async_api %}
    # Statements run on the sync engine the async one drives.
    event.listen(
        alembic_engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(1)
    )
    {%- else %}
    event.listen(alembic_engine, "before_cursor_execute", lambda *args: statements.append(1))
    {%- endif %}

    def statements_for(limit):
        statements.clear()
        assert len(client.get(COLLECTION, params={"limit": limit}).json()) == limit
        return len(statements)

    assert statements_for(1) == statements_for(20)


def test_ready_only_at_the_head_revision(client, alembic_runner):
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["current"] == []
    assert response.json()["head"] != []

    alembic_runner.migrate_up_to("heads")
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["current"] == response.json()["head"]
    alembic_runner.migrate_down_to("base")


def test_a_pool_with_no_free_connection_is_503(alembic_engine, migrated):
    app = create_app()
    engine = create_database_engine(
        alembic_engine.url, pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    sessions = {{ "async_" if async_api }}sessionmaker(engine)

    {{ "async " if async_api }}def session_on_a_busy_pool():
        # The pool's only connection stays busy: the request waits for one in vain.
        {{ "async " if async_api }}with engine.connect(), sessions() as session:
            yield session

    app.dependency_overrides[get_session] = session_on_a_busy_pool
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
    assert response.json() == {"detail": "The database is unavailable; try again later."}


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}
