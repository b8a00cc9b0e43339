"""The Dockerfile, compose file and CI workflow of every backend and web framework: each
passes its linter and schema, and the compose file wires the services as documented.
(tests/test_docker.py builds and runs them; tests/test_ci_workflow.py runs the workflow.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.helpers import BIN_DIR, COMPOSE_PASSWORD, PACKAGE, TEMPLATE_DIR, run

URLS = {
    "sqlite": "sqlite:///my_service.db",
    "postgresql": "postgresql+psycopg2://app:secret@db.internal/app",
    "mysql": "mysql+pymysql://app:secret@db.internal:3306/app",
    # mysqlclient compiles in the build stage.
    "mysqldb": "mysql+mysqldb://app:secret@db.internal:3306/app",
    # database_api=async: the services get the async driver's URL.
    "asyncpg": "postgresql+asyncpg://app:secret@db.internal/app",
}
COMBINATIONS = [(backend, web) for backend in URLS for web in ("fastapi", "none")]
PASSWORD_VARIABLE = {
    "postgresql": "POSTGRES_PASSWORD",
    "mysql": "MYSQL_PASSWORD",
    "mysqldb": "MYSQL_PASSWORD",
    "asyncpg": "POSTGRES_PASSWORD",
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    baked: dict[tuple[str, str], Path] = {}

    def project(backend: str, web: str) -> Path:
        if (backend, web) not in baked:
            baked[backend, web] = Path(
                cookiecutter(
                    str(TEMPLATE_DIR),
                    no_input=True,
                    extra_context={
                        "database_url": URLS[backend],
                        "web_framework": web,
                        "database_api": "async" if backend == "asyncpg" else "sync",
                    },
                    output_dir=str(tmp_path_factory.mktemp(f"{backend}-{web}")),
                )
            )
        return baked[backend, web]

    return project


def compose_config(project: Path, env: dict[str, str] | None = None, check: bool = True):
    return run(
        [str(BIN_DIR / "docker-compose"), "config", "--format", "json"],
        cwd=project,
        env={"DOCKER_HOST": "unix:///nonexistent", **(env or {})},
        check=check,
    )


@pytest.mark.parametrize(("backend", "web"), COMBINATIONS)
def test_linters_and_schemas_pass(projects, backend, web):
    project = projects(backend, web)
    run([str(BIN_DIR / "hadolint"), "Dockerfile"], cwd=project)
    run([str(BIN_DIR / "actionlint"), ".github/workflows/ci.yml"], cwd=project)
    schemas = {
        "vendor.github-workflows": ".github/workflows/ci.yml",
        "vendor.compose-spec": "compose.yaml",
    }
    for schema, path in schemas.items():
        run([str(BIN_DIR / "check-jsonschema"), "--builtin-schema", schema, path], cwd=project)


@pytest.mark.parametrize(("backend", "web"), COMBINATIONS)
def test_compose_runs_migrate_once_before_the_app(projects, backend, web):
    project = projects(backend, web)
    secret = {PASSWORD_VARIABLE[backend]: "from-the-environment"} if backend != "sqlite" else {}
    services = json.loads(compose_config(project, secret).stdout)["services"]

    expected = {"migrate"} | ({"app"} if web == "fastapi" else set())
    expected |= {"db"} if backend != "sqlite" else set()
    assert set(services) == expected
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    url = services["migrate"]["environment"]["DATABASE_URL"]
    if web == "fastapi":
        condition = services["app"]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
        assert services["app"].get("command") is None  # the image's: the API, never migrations
        assert services["app"]["environment"]["DATABASE_URL"] == url
    if backend == "sqlite":
        assert url == "sqlite:////data/my_service.db"
        assert [volume["target"] for volume in services["migrate"]["volumes"]] == ["/data"]
        return
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["db"]["healthcheck"]["test"]
    (volume,) = services["db"]["volumes"]
    assert volume["type"] == "volume"  # a named volume keeps the data across `down`
    # The password reaches the services from the environment, the driver from the bake.
    assert url.startswith(URLS[backend].partition("://")[0] + "://app:from-the-environment@db:")


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_compose_reads_the_password_the_bake_put_in_dotenv(projects, backend):
    project = projects(backend, "fastapi")
    variable = PASSWORD_VARIABLE[backend]
    (password,) = [
        line.partition("=")[2]
        for line in (project / ".env").read_text().splitlines()
        if line.startswith(f"{variable}=")
    ]
    assert len(password) == 32 and password.isalnum()
    services = json.loads(compose_config(project).stdout)["services"]
    assert f":{password}@db:" in services["migrate"]["environment"]["DATABASE_URL"]
    assert password not in (project / "compose.yaml").read_text()
    assert "secret" not in (project / "compose.yaml").read_text()


def test_each_bake_makes_its_own_database_password(projects):
    """A password every bake shared would be everybody's: each bake draws its own."""
    passwords = {
        COMPOSE_PASSWORD.search((projects("postgresql", web) / ".env").read_text()).group()
        for web in ("fastapi", "none")
    }
    assert len(passwords) == 2, passwords


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_compose_refuses_to_start_without_the_database_password(projects, backend, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(projects(backend, "fastapi"), project)
    dotenv = project / ".env"
    dotenv.write_text(COMPOSE_PASSWORD.sub("", dotenv.read_text()))
    result = compose_config(project, check=False)
    assert result.returncode != 0
    assert f"set {PASSWORD_VARIABLE[backend]} in .env" in result.stderr


def test_workflow_reviews_postgresql_revisions_only(projects):
    """squawk lints PostgreSQL's SQL: its step is in the PostgreSQL workflow alone."""
    for backend in ("sqlite", "postgresql", "mysql"):
        workflow = yaml.safe_load(
            (projects(backend, "fastapi") / ".github/workflows/ci.yml").read_text()
        )
        commands = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
        reviews = [command for command in commands if "test_migration_review.py" in command]
        assert len(reviews) == (backend == "postgresql"), commands


def test_compose_trusts_proxy_headers_from_forwarded_allow_ips_only(projects):
    """Unset, uvicorn's own default (this host only); set, passed on as it is."""
    project = projects("sqlite", "fastapi")
    for given, passed in ((None, "127.0.0.1"), ("10.0.0.5", "10.0.0.5")):
        env = {"FORWARDED_ALLOW_IPS": given} if given else {}
        services = json.loads(compose_config(project, env).stdout)["services"]
        assert services["app"]["environment"]["FORWARDED_ALLOW_IPS"] == passed


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_workflow_migrates_checks_and_round_trips_before_the_tests(projects, backend):
    """The order tests/test_ci_workflow.py runs them in: the models checked against a
    database at head, every downgrade run, the tests last."""
    workflow = yaml.safe_load(
        (projects(backend, "fastapi") / ".github/workflows/ci.yml").read_text()
    )
    lines = [
        line.strip()
        for step in workflow["jobs"]["test"]["steps"]
        for line in step.get("run", "").splitlines()
    ]
    assert [line for line in lines if line.startswith("poetry run alembic ")] == [
        "poetry run alembic upgrade head",
        "poetry run alembic check",
        "poetry run alembic downgrade base",
        "poetry run alembic upgrade head",
    ]
    assert lines[-1] == "poetry run pytest"


def test_build_context_leaves_out_secrets_environments_and_databases(projects):
    ignored = {
        line.strip()
        for line in (projects("sqlite", "fastapi") / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv/", "*.db", "**/__pycache__/", ".pytest_cache/", ".git/"} <= ignored
    # What the image is built from stays in the context.
    for needed in ("pyproject.toml", "poetry.lock*", "README.md", "alembic", "alembic.ini"):
        assert needed not in ignored
    # squash stays out; what env.py and /ready read of its work goes in: they name the
    # baseline to a database left behind.
    assert f"{PACKAGE}/database/squash.py" in ignored
    assert not {f"{PACKAGE}/database/squashed.py", "alembic/squashed/"} & ignored
