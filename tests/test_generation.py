"""Baking: the tree, supported and unsupported answers, lint and compile of every bake."""

import json
import re
import sys
import tomllib

import pytest

from alembic_service_template.answers import SUPPORTED_PYTHON_VERSIONS, fill_in
from tests.helpers import (
    TEMPLATE_DIR,
    add_resource,
    alembic,
    cookiecutter_cli,
    dotenv_without_compose_password,
    initial_revision,
    remake_initial_revision,
    revision_files,
    run,
)

EXPECTED_FILES = [
    ".cookiecutter.json",
    ".dockerignore",
    ".env",
    ".env.example",
    ".github/workflows/ci.yml",
    ".gitignore",
    "Dockerfile",
    "README.md",
    "alembic.ini",
    "alembic/env.py",
    "alembic/script.py.mako",
    "alembic/versions/0001_initial.py",
    "compose.yaml",
    "k8s/.checkov.yaml",
    "k8s/app/deployment.yaml",
    "k8s/app/kustomization.yaml",
    "k8s/app/network-policy.yaml",
    "k8s/app/pod-disruption-budget.yaml",
    "k8s/app/service.yaml",
    "k8s/kustomization.yaml",
    "k8s/migrate/job.yaml",
    "k8s/migrate/kustomization.yaml",
    "k8s/migrate/network-policy.yaml",
    "k8s/release/kustomization.yaml",
    "my_service/__init__.py",
    "my_service/api/__init__.py",
    "my_service/api/dependencies.py",
    "my_service/api/errors.py",
    "my_service/api/fields.py",
    "my_service/api/health.py",
    "my_service/api/request_context.py",
    "my_service/api/routers.py",
    "my_service/cli.py",
    "my_service/database/__init__.py",
    "my_service/database/autogenerate_filter.py",
    "my_service/database/base.py",
    "my_service/database/discovery.py",
    "my_service/database/format_revision.py",
    "my_service/database/migrations.py",
    "my_service/database/online_ddl.py",
    "my_service/database/session.py",
    "my_service/database/squash.py",
    "my_service/database/squashed.py",
    "my_service/database/throwaway.py",
    "my_service/database/types.py",
    "my_service/logging_config.py",
    "my_service/main.py",
    "my_service/resources/__init__.py",
    "my_service/resources/item/__init__.py",
    "my_service/resources/item/models.py",
    "my_service/resources/item/router.py",
    "my_service/resources/item/schemas.py",
    "my_service/scaffold/__init__.py",
    "my_service/scaffold/data_revision.py",
    "my_service/scaffold/names.py",
    "my_service/scaffold/resource.py",
    "my_service/scaffold/templates/resource/__init__.py.tmpl",
    "my_service/scaffold/templates/resource/models.py.tmpl",
    "my_service/scaffold/templates/resource/router.py.tmpl",
    "my_service/scaffold/templates/resource/schemas.py.tmpl",
    "my_service/scaffold/templates/tests/test_api.py.tmpl",
    "my_service/settings.py",
    "pyproject.toml",
    "tests/conftest.py",
    "tests/test_api.py",
    "tests/test_migrations.py",
    "tests/test_models.py",
]
# Jinja left behind: an expression, a statement, or a cookiecutter variable.
UNRENDERED = re.compile(r"{{|}}|{%|%}|\bcookiecutter\.(?!json)")

SUPPORTED = [
    {},
    {"project_name": "Billing API", "resource_name": "invoice_line"},
    {"database_url": "postgresql+psycopg://app:secret@localhost:5432/app"},
    {"database_url": "postgresql://app@db.internal/app", "python_version": "3.12"},
    {"database_url": "postgresql+psycopg2://app@localhost/app", "python_version": "3.13"},
    {"database_url": "postgresql+pg8000://app@localhost/app"},
    {"database_url": "mysql+pymysql://app:secret@localhost:3306/app", "python_version": "3.14"},
    {"database_url": "sqlite:////var/lib/service/data.db", "package_name": "core_service"},
    # A long package name: the lines importing from it must still fit the project's ruff.
    {"project_name": "Customer Loyalty Points Ledger Service", "web_framework": "fastapi"},
    {"web_framework": "none", "database_url": "postgresql+psycopg://app@localhost/app"},
    {"web_framework": "none", "database_url": "mysql+mysqldb://app@localhost/app"},
]


def project_files(project):
    return sorted(
        path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()
    )


def test_default_bake_has_the_documented_tree(baked):
    assert project_files(baked) == EXPECTED_FILES


def test_baking_writes_no_bytecode_into_the_template(baked):
    """Whatever the template's tree holds, every later bake copies: the hooks read the
    baked project's code there without importing it."""
    project_template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    assert not list(project_template.rglob("__pycache__"))


@pytest.mark.parametrize(
    "answers", SUPPORTED, ids=lambda answers: "-".join(answers.values()) or "defaults"
)
def test_supported_answers_bake_a_clean_project(bake, answers):
    result = bake(**answers)
    assert result.exit_code == 0, result.exception
    project = result.project_path

    for path in project.rglob("*"):
        if path.is_file() and path.name != "script.py.mako":
            assert not UNRENDERED.search(path.read_text()), f"unrendered Jinja in {path}"
    assert [path.name for path in revision_files(project)] == ["0001_initial.py"]
    tomllib.loads((project / "pyproject.toml").read_text())
    json.loads((project / ".cookiecutter.json").read_text())
    run([sys.executable, "-m", "compileall", "-q", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "check", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=project)


@pytest.mark.parametrize(
    ("url", "requirement"),
    [
        ("sqlite:///service.db", None),
        ("postgresql+psycopg://app@localhost/app", "psycopg[binary]"),
        ("postgresql://app@localhost/app", "psycopg[binary]"),
        ("postgres://app@localhost/app", "psycopg[binary]"),
        ("postgresql+psycopg2://app@localhost/app", "psycopg2-binary"),
        ("postgresql+pg8000://app@localhost/app", "pg8000"),
        ("mysql+pymysql://app@localhost/app", "pymysql"),
        ("mysql+mysqldb://app@localhost/app", "mysqlclient"),
        ("mysql://app@localhost/app", "mysqlclient"),
    ],
)
def test_the_driver_the_url_needs_is_a_dependency(bake, url, requirement):
    result = bake(database_url=url)
    assert result.exit_code == 0, result.exception
    dependencies = tomllib.loads((result.project_path / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    drivers = [
        d
        for d in dependencies
        if not d.startswith(
            ("alembic", "sqlalchemy", "pydantic", "fastapi", "uvicorn", "starlette", "anyio")
        )
    ]
    assert drivers == (
        [] if requirement is None else [next(d for d in drivers if d.startswith(requirement))]
    )


def test_initial_revision_is_rendered_for_postgresql_without_a_server(tmp_path):
    # Through the cookiecutter CLI and its hooks, as a user bakes.
    result = cookiecutter_cli(
        tmp_path, "database_url=postgresql+psycopg://app:secret@127.0.0.1:9/app"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Created the initial revision alembic/versions/0001_initial.py." in result.stdout
    revision = initial_revision(tmp_path / "my-service").read_text()
    # Rendered by PostgreSQL's rules: SQLite's would read "(CURRENT_TIMESTAMP)".
    assert 'server_default=sa.text("CURRENT_TIMESTAMP")' in revision
    assert 'sa.Enum("draft", "published", "archived", name="item_status").drop(' in revision


INDEXED_MODELS = """\
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
"""


def test_initial_revision_is_rendered_for_mysql(bake):
    url = "mysql+pymysql://app@localhost:3306/app"
    result = bake(database_url=url)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    revision = initial_revision(project).read_text()
    # MySQL alters tables in place: no batch mode. Its enum is a column type, not a named one.
    assert "batch_alter_table" not in revision
    assert 'sa.Enum("draft", "published", "archived", name="item_status")' in revision
    assert 'server_default=sa.text("CURRENT_TIMESTAMP")' in revision
    # The SQL it runs on MySQL (offline: no server, no driver needed).
    upgrade = alembic(project, "upgrade", "head", "--sql", env={"DATABASE_URL": url}).stdout
    assert "name VARCHAR(200) NOT NULL" in upgrade
    assert "status ENUM('draft','published','archived') NOT NULL" in upgrade
    assert "CREATE TYPE" not in upgrade
    downgrade = alembic(project, "downgrade", "0001:base", "--sql", env={"DATABASE_URL": url})
    assert "DROP TABLE item;" in downgrade.stdout and "DROP TYPE" not in downgrade.stdout

    # An index is where SQLite's batch mode would show: MySQL creates it directly.
    add_resource(project, "my_service", "order", INDEXED_MODELS)
    revision = remake_initial_revision(project, "my_service", "mysql")
    assert re.search(r'^    op\.create_index\(\s*op\.f\("ix_order_reference"\)', revision, re.M), (
        revision
    )
    assert "batch_alter_table" not in revision


@pytest.mark.parametrize("version", SUPPORTED_PYTHON_VERSIONS)
def test_python_version_sets_requires_python_and_ruffs_target(bake, version):
    result = bake(python_version=version)
    assert result.exit_code == 0, result.exception
    pyproject = tomllib.loads((result.project_path / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={version},<4.0"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")


def test_legacy_postgres_scheme_is_normalised_with_a_note(bake, capfd):
    result = bake(database_url="postgres://app@localhost/app")
    assert result.exit_code == 0, result.exception
    assert "postgresql+psycopg://" in capfd.readouterr().out
    dotenv = dotenv_without_compose_password(result.project_path)
    assert dotenv == "DATABASE_URL='postgresql+psycopg://app@localhost/app'\n"


def test_resource_name_shapes_the_example_model(bake):
    result = bake(resource_name="invoice_line")
    assert result.exit_code == 0, result.exception
    models = result.project_path / "my_service/resources/invoice_line/models.py"
    assert "class InvoiceLine(Base):" in models.read_text()
    assert (
        '"invoice_line"' in (result.project_path / "alembic/versions/0001_initial.py").read_text()
    )


@pytest.mark.parametrize("database_api", ["sync", "async"])
def test_the_example_router_is_the_one_add_resource_writes(bake, database_api):
    """One source for both: the baked add-resource template, filled in for the example."""
    result = bake(resource_name="order_line", database_api=database_api)
    assert result.exit_code == 0, result.exception
    package = result.project_path / "my_service"
    template = (package / "scaffold/templates/resource/router.py.tmpl").read_text()
    router = (package / "resources/order_line/router.py").read_text()
    assert router == fill_in(template, "order_line", "my_service")
    assert "${" not in router
    assert "class OrderLineRead" in (package / "resources/order_line/schemas.py").read_text()
    assert 'APIRouter(prefix="/order_lines", tags=["order_lines"])' in router
    assert ("async def get_order_line(" in router) == (database_api == "async")


def test_copy_without_render_lists_only_files():
    """Cookiecutter deletes and re-copies a listed folder under -f, even with -s: a folder
    users add files to (alembic/versions above all) must never be listed."""
    settings = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    project_template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    for pattern in settings["_copy_without_render"]:
        matches = list(project_template.glob(pattern))
        assert matches, f"{pattern} matches nothing"
        assert all(path.is_file() for path in matches), f"{pattern} names a folder"
