"""The baked Dockerfile and compose file, built and run with a real Docker daemon against
a real PostgreSQL (tests/docker.py, tests/postgres.py).

One project (PostgreSQL, web_framework=fastapi) is baked and its image built once for the
module; every container uses the host's network, where the test PostgreSQL listens.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cookiecutter.main import cookiecutter

from tests.helpers import TEMPLATE_DIR
from tests.postgres import free_port

# One daemon for these tests: under pytest-xdist (--dist loadgroup) they share a worker.
pytestmark = pytest.mark.xdist_group("docker")

SLUG = "my-service"
PACKAGE = "my_service"
# The URL the bake saw; at run time DATABASE_URL comes from the environment.
BAKE_URL = "postgresql+psycopg://app:secret@127.0.0.1:9/app"
STARTUP_LIMIT = 60


@pytest.fixture(scope="module")
def service_project(tmp_path_factory) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"database_url": BAKE_URL, "web_framework": "fastapi"},
            output_dir=str(tmp_path_factory.mktemp("docker-project")),
        )
    )


@pytest.fixture(scope="module")
def service_image(docker_daemon, python_base_image, service_project) -> str:
    """The baked project's image, tagged as its compose file names it."""
    docker_daemon.build(service_project, SLUG, python_base_image)
    return SLUG


def wait_for(url: str, deadline: float) -> httpx.Response:
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_image_runs_as_a_user_and_holds_no_secret(docker_daemon, service_image):
    # One container for every look (each one costs a copy of the image with vfs).
    script = (
        f"id -u; echo ---; ls -A /app; echo ---; ls /app/.venv/bin; echo ---; ls /app/{PACKAGE};"
        f" echo ---; ls /app/{PACKAGE}/database"
    )
    looks = docker_daemon.docker("run", "--rm", service_image, "sh", "-c", script).stdout
    uid, listing, tools, package, database = (part.split() for part in looks.split("---\n"))
    assert uid != ["0"]
    assert sorted(listing) == [".venv", "alembic", "alembic.ini", PACKAGE]
    assert "uvicorn" in tools and "poetry" not in tools
    # Development tools stay out: add-resource's scaffold and the tests' throwaway databases.
    assert "main.py" in package and "scaffold" not in package
    assert "session.py" in database and "throwaway.py" not in database
    assert "squash.py" not in database
    config = json.loads(docker_daemon.docker("image", "inspect", service_image).stdout)[0]
    environment = "\n".join(config["Config"]["Env"])
    # Build arguments of the build stage never reach the runtime image.
    assert "POETRY_PYPI_MIRROR_URL" not in environment
    assert "PIP_INDEX_URL" not in environment


def test_migrate_then_serve(docker_daemon, service_image, postgres_server):
    url = postgres_server.create_database("docker_migrate")
    migrate = docker_daemon.docker(
        "run", "--rm", "--network", "host", "--env", f"DATABASE_URL={url}",
        service_image, "alembic", "upgrade", "head",
    )  # fmt: skip
    assert "Running upgrade  -> 0001" in migrate.stderr
    assert postgres_server.tables(url) == {"alembic_version", "item"}

    port = free_port()
    name = f"app-{uuid.uuid4().hex[:8]}"
    docker_daemon.docker(
        "run", "--detach", "--name", name, "--network", "host",
        "--env", f"DATABASE_URL={url}", "--env", f"UVICORN_PORT={port}",
        # The image's HEALTHCHECK, checked every second instead of every 30.
        "--health-interval", "1s",
        service_image,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        assert wait_for(f"http://127.0.0.1:{port}/health", deadline).status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5)
        assert ready.status_code == 200, ready.text
        created = httpx.post(f"http://127.0.0.1:{port}/items", json={"name": "boxed"}, timeout=5)
        assert created.status_code == 201, created.text
        # It listens on every interface (0.0.0.0), as a published port needs, not on the
        # loopback alone that this host-network test would reach either way.
        sockets = docker_daemon.docker("exec", name, "cat", "/proc/net/tcp").stdout
        listening = [
            line.split()[1] for line in sockets.splitlines()[1:] if line.split()[3] == "0A"
        ]
        assert f"00000000:{port:04X}" in listening, sockets
        # The server process itself (PID 1) runs as the image's user.
        owner = docker_daemon.docker("exec", name, "stat", "-c", "%U", "/proc/1").stdout
        assert owner.strip() == "app"
        while (status := inspect(docker_daemon, name, "{{.State.Health.Status}}")) == "starting":
            assert time.monotonic() < deadline, "the HEALTHCHECK never reported"
            time.sleep(0.5)
        assert status == "healthy"
    finally:
        docker_daemon.docker("rm", "--force", name, check=False)


def inspect(docker_daemon, container: str, template: str) -> str:
    return docker_daemon.docker("inspect", "--format", template, container).stdout.strip()


def test_compose_up_migrates_then_starts_the_app(
    docker_daemon, service_image, service_project, postgres_server, tmp_path
):
    """``docker compose up`` with the database swapped for the test PostgreSQL by an
    override file, the standard compose way; everything else is the baked compose.yaml."""
    url = postgres_server.create_database("docker_compose_up")
    port = free_port()
    # The database is outside compose (the db service is in a profile nobody starts), and
    # the services use the host's network, where it listens.
    override = f"""
services:
  db:
    profiles: [external]
  migrate:
    network_mode: host
    depends_on: !reset {{}}
    environment:
      DATABASE_URL: {json.dumps(url)}
  app:
    network_mode: host
    ports: !reset []
    environment:
      DATABASE_URL: {json.dumps(url)}
      UVICORN_PORT: "{port}"
"""
    override_file = tmp_path / "compose.override.yaml"
    override_file.write_text(override)
    project = f"pytest{uuid.uuid4().hex[:8]}"
    compose = (
        "--project-name", project,
        "--file", str(service_project / "compose.yaml"),
        "--file", str(override_file),
    )  # fmt: skip
    environment = {"POSTGRES_PASSWORD": "unused"}
    try:
        docker_daemon.compose(
            *compose, "up", "--detach", "--no-build", cwd=service_project, env=environment
        )
        deadline = time.monotonic() + STARTUP_LIMIT
        assert wait_for(f"http://127.0.0.1:{port}/ready", deadline).status_code == 200
        containers = {
            service: docker_daemon.compose(
                *compose, "ps", "--all", "--quiet", service, cwd=service_project, env=environment
            ).stdout.strip()
            for service in ("migrate", "app")
        }
        assert inspect(docker_daemon, containers["migrate"], "{{.State.ExitCode}}") == "0"
        migrated_at = inspect(docker_daemon, containers["migrate"], "{{.State.FinishedAt}}")
        app_started_at = inspect(docker_daemon, containers["app"], "{{.State.StartedAt}}")
        # RFC 3339 times in UTC with the same number of digits compare as text.
        assert migrated_at < app_started_at
        assert postgres_server.tables(url) == {"alembic_version", "item"}
    finally:
        docker_daemon.compose(
            *compose, "down", "--volumes", cwd=service_project, env=environment, check=False
        )


def test_mysqlclient_image_migrates_mariadb(
    docker_daemon, python_base_image, mariadb_server, tmp_path_factory
):
    """A mysql+mysqldb project (web_framework=none): the build stage compiles mysqlclient,
    the runtime image has the client library, and its default command migrates."""
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={
                "database_url": "mysql+mysqldb://app:secret@127.0.0.1:9/app",
                "web_framework": "none",
            },
            output_dir=str(tmp_path_factory.mktemp("docker-mysqldb")),
        )
    )
    image = "my-service-mysqldb"
    docker_daemon.build(project, image, python_base_image)
    url = mariadb_server.create_database("docker_mysqldb", driver="mysqldb")
    docker_daemon.docker(
        "run", "--rm", "--network", "host", "--env", f"DATABASE_URL={url}", image
    )  # fmt: skip
    assert mariadb_server.tables(url) == {"alembic_version", "item"}
