"""``add-resource``, the baked project's console script, grows a service one resource at a time.

A project is baked, migrated to head, then given ``order`` and ``order_line``: each adds one
package, its tests and exactly one revision on top of the previous head, and the result
migrates, passes its own tests and lint, and (with FastAPI) serves both collections from a
real uvicorn process. Every refused name leaves the project byte-identical.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from string import Template

import pytest
from cookiecutter.main import cookiecutter
from sqlalchemy import create_engine, inspect, pool

from tests.helpers import (
    BIN_DIR,
    DEFAULT_BAKE_TESTS,
    PACKAGE,
    TEMPLATE_DIR,
    add_resource,
    alembic,
    assert_all_passed,
    bake_for_absent_server,
    baked_tests,
    copy_template_tree,
    default_bake_at_head,
    for_database_api,
    git,
    revision_files,
    run,
    serving,
    tree_snapshot,
    unused_port,
)

NEW_RESOURCES = ("order", "order_line")
# Each new resource's own tests: CRUD, 409, four 422 bodies and an unknown field in POST and
# PATCH (FastAPI), or a model round trip.
NEW_TESTS = {"fastapi": 8, "none": 1}
BAKE_URLS = {
    "sqlite": "sqlite:///my_service.db",
    "postgresql": "postgresql+psycopg://app:secret@127.0.0.1:9/app",
}


def add_resource_command(project: Path, *args: str, env=None, cwd=None, check=True):
    """``poetry run my-service add-resource ...``: the console script's own module, run by
    the test interpreter (where the project's dependencies are installed)."""
    command = [sys.executable, "-m", f"{PACKAGE}.cli", "add-resource", *args]
    return run(command, cwd=cwd or project, env=env, check=check)


def down_revision(path: Path) -> str:
    return re.search(r"^down_revision: .* = \"(\w+)\"$", path.read_text(), re.MULTILINE)[1]


def head(project: Path, env) -> str:
    return alembic(project, "heads", env=env).stdout.split()[0]


# The sync driver that reads an async project's database from the test.
SYNC_DRIVERS = {"+asyncpg": "+psycopg", "+aiosqlite": ""}


def table_names(url: str) -> set[str]:
    for async_driver, sync_driver in SYNC_DRIVERS.items():
        url = url.replace(async_driver, sync_driver, 1)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


WITH_FASTAPI = [
    ("sqlite", "fastapi", "sync"),
    ("postgresql", "fastapi", "sync"),
    ("postgresql", "fastapi", "async"),
]


def combination(param) -> str:
    return "-".join(param)


@pytest.fixture(scope="module", params=[*WITH_FASTAPI, ("sqlite", "none", "sync")], ids=combination)
def grown(request, tmp_path_factory):
    """A project given ``order`` then ``order_line`` on a database at head, and what each
    command did: (project, DATABASE_URL, web framework, {name: (result, new revisions,
    head before)})."""
    backend, web_framework, database_api = request.param
    out = tmp_path_factory.mktemp(f"grow-{combination(request.param)}")

    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(out),
            extra_context={
                "database_url": for_database_api(BAKE_URLS[backend], database_api),
                "web_framework": web_framework,
                "database_api": database_api,
            },
        )
    )
    if backend == "sqlite":
        url = f"sqlite:///{out / 'service.db'}"
        databases_before = None
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"grow_{web_framework}_{database_api}")
        databases_before = server.databases()
    url = for_database_api(url, database_api)
    env = {"DATABASE_URL": url}
    alembic(project, "upgrade", "head", env=env)
    added = {}
    for name in NEW_RESOURCES:
        before, head_before = revision_files(project), head(project, env)
        result = add_resource_command(project, name, env=env)
        new = sorted(set(revision_files(project)) - set(before))
        added[name] = (result, new, head_before)
    if databases_before is not None:
        assert server.databases() == databases_before, "a throwaway database was left"
    return project, url, web_framework, added


def test_each_resource_adds_one_revision_on_the_previous_head(grown):
    project, url, _, added = grown
    for name, (result, new, head_before) in added.items():
        assert len(new) == 1, f"{name}: {new}"
        (revision,) = new
        assert down_revision(revision) == head_before, name
        assert f'"{name}"' in revision.read_text()
        # The file to review and the command that applies it.
        relative = revision.relative_to(project).as_posix()
        assert f"Review its revision, {relative}, then apply it:" in result.stdout
        assert "poetry run alembic upgrade head" in result.stdout
    env = {"DATABASE_URL": url}
    assert table_names(url) == {"alembic_version", "item"}, "add-resource touched DATABASE_URL"
    alembic(project, "upgrade", "head", env=env)
    assert table_names(url) == {"alembic_version", "item", *NEW_RESOURCES}
    alembic(project, "check", env=env)
    alembic(project, "downgrade", "0001", env=env)
    assert table_names(url) == {"alembic_version", "item"}
    alembic(project, "upgrade", "head", env=env)


def test_new_resources_are_in_the_service_style_and_pass_tests_and_lint(grown):
    project, url, web_framework, _ = grown
    for name in NEW_RESOURCES:
        package = project / PACKAGE / "resources" / name
        expected = {"__init__.py", "models.py"} | (
            {"schemas.py", "router.py"} if web_framework == "fastapi" else set()
        )
        assert {path.name for path in package.iterdir() if path.is_file()} == expected
        assert (project / "tests" / f"test_{name}.py").is_file()
    models = (project / PACKAGE / "resources/order_line/models.py").read_text()
    assert "class OrderLine(Base):" in models and '__tablename__ = "order_line"' in models
    assert "mapped_column(String(200), unique=True)" in models

    ruff = str(BIN_DIR / "ruff")
    run([ruff, "check", "--no-cache", "."], cwd=project)
    run([ruff, "format", "--check", "--no-cache", "."], cwd=project)
    # The suite runs on a throwaway database of the project's backend, never on DATABASE_URL.
    env = {"DATABASE_URL": url}
    passed = assert_all_passed(baked_tests(project, env=env))
    if web_framework == "fastapi" and url.startswith("sqlite"):
        assert passed == DEFAULT_BAKE_TESTS + len(NEW_RESOURCES) * NEW_TESTS["fastapi"]
    else:
        assert passed >= len(NEW_RESOURCES) * NEW_TESTS[web_framework]


@pytest.mark.parametrize("grown", WITH_FASTAPI, ids=combination, indirect=True)
def test_uvicorn_serves_crud_for_both_new_collections(grown, tmp_path):
    project, url, _, _ = grown
    alembic(project, "upgrade", "head", env={"DATABASE_URL": url})
    with serving(project, url, tmp_path / "uvicorn.log") as client:
        for collection in ("/orders", "/order_lines"):
            response = client.post(collection, json={"name": "first"})
            assert response.status_code == 201, response.text
            created = response.json()
            location = response.headers["location"]
            assert location == f"{client.base_url}{collection}/{created['id']}"
            assert client.get(location).json() == created
            assert created in client.get(collection).json()
            response = client.patch(location, json={"name": "second"})
            assert response.json() == {**created, "name": "second"}
            assert client.post(collection, json={"name": "second"}).status_code == 409
            assert client.patch(location, json={"name": None}).status_code == 422
            assert client.delete(location).status_code == 204
            assert client.get(location).status_code == 404
            response = client.post(collection, json={"name": "third", "nmae": "typo"})
            assert response.status_code == 422, response.text
            assert response.json()["detail"][0]["loc"] == ["body", "nmae"]
        assert client.get("/ready").status_code == 200
        # Three resources, each with five routes, and the two probes: one id each.
        schema = client.get("/openapi.json").json()
        ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
        assert len(ids) == len(set(ids)) == 17, ids
        assert {"list_orders", "list_order_lines", "get_order_line", "update_order"} <= set(ids)


def test_the_database_of_database_url_is_never_opened(baked, tmp_path):
    never_created = tmp_path / "service.db"
    add_resource_command(baked, "order", env={"DATABASE_URL": f"sqlite:///{never_created}"})
    assert len(revision_files(baked)) == 2
    assert not never_created.exists()


@pytest.mark.parametrize(
    ("backend", "server_fixture"), [("postgresql", "postgres_server"), ("mysql", "mariadb_server")]
)
def test_a_server_backend_compares_on_a_throwaway_database(request, bake, backend, server_fixture):
    server = request.getfixturevalue(server_fixture)
    # DATABASE_URL names a database that does not exist: only its server is used.
    url = server.url("never_created")
    result = bake(database_url=url)
    assert result.exit_code == 0, result.exception
    before = server.databases()
    add_resource_command(result.project_path, "order", env={"DATABASE_URL": url})
    (revision,) = [path for path in revision_files(result.project_path) if "add_order" in path.name]
    assert 'op.create_table(\n        "order",' in revision.read_text()
    assert server.databases() == before


def test_the_longest_name_still_passes_ruff(baked, tmp_path):
    longest = "customer_invoice_line_adjustment_entries"
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}"}
    add_resource_command(baked, longest, env=env)
    assert (
        f"class {longest.title().replace('_', '')}Read(BaseModel):"
        in (baked / PACKAGE / "resources" / longest / "schemas.py").read_text()
    )
    ruff = str(BIN_DIR / "ruff")
    run([ruff, "check", "--no-cache", "."], cwd=baked)
    run([ruff, "format", "--check", "--no-cache", "."], cwd=baked)
    assert (
        len(longest) == 40
        and "at most 40" in add_resource_command(baked, longest + "s", env=env, check=False).stderr
    )


# --- refused names ------------------------------------------------------------------------

BILLING_MODELS = """\
from sqlalchemy.orm import Mapped

from my_service.database.base import Base
from my_service.database.types import PrimaryKey


class Invoice(Base):
    __tablename__ = "invoice"

    id: Mapped[PrimaryKey]


class Shipment(Base):
    __tablename__ = "shipping"

    id: Mapped[PrimaryKey]
"""


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    """A project at head, and the run of ``add-resource`` that must refuse: (run, project)."""
    project, env = default_bake_at_head(tmp_path_factory.mktemp("refuse"))

    def refused(name: str, cwd: Path | None = None, extra_env=None) -> str:
        before = tree_snapshot(project)
        result = add_resource_command(
            project, name, env=env | (extra_env or {}), cwd=cwd, check=False
        )
        assert result.returncode == 1, result.stdout + result.stderr
        errors = [line for line in result.stderr.splitlines() if "error" in line.lower()]
        assert len(errors) == 1 and errors[0].startswith("error: add-resource: "), result.stderr
        assert tree_snapshot(project) == before, f"refusing {name!r} changed the project"
        return errors[0]

    return refused, project


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Order", "must be a lowercase identifier"),
        ("order-line", "must be a lowercase identifier"),
        ("1st_order", "must be a lowercase identifier"),
        ("order__line", "must be a lowercase identifier"),
        ("_order", "must be a lowercase identifier"),
        ("x" * 41, "must be a lowercase identifier of at most 40"),
        ("class", "must not be a Python keyword"),
        ("match", "must not be a Python keyword"),
        ("item", "the resource item exists already"),
        ("item_status", "an enum type item_status exists already"),
        ("database", "is the name of a module of my_service"),
        ("settings", "is the name of a module of my_service"),
        ("models", "is the name of a module of my_service"),
        ("mapped", "its class Mapped would hide a name models.py imports"),
        ("doc", "the service already answers /docs"),
    ],
)
def test_refused_names_change_nothing(refusing, name, reason):
    refused, _ = refusing
    error = refused(name)
    assert reason in error and repr(name) in error, error


def test_a_revision_that_cannot_be_written_takes_the_resource_back(refusing):
    refused, project = refusing
    template = project / "alembic" / "script.py.mako"
    kept = template.read_text()
    template.write_text(kept + "${no_such_name}\n")
    try:
        error = refused("order")
    finally:
        template.write_text(kept)
    assert "the revision could not be written" in error
    assert "the order resource was removed again" in error


def test_a_folder_that_is_not_the_service_is_refused(refusing, tmp_path):
    refused, project = refusing
    error = refused("order", cwd=tmp_path, extra_env={"PYTHONPATH": str(project)})
    assert f"{tmp_path} is not a baked service" in error
    assert list(tmp_path.iterdir()) == []


def test_existing_tables_and_unmigrated_models_are_refused(refusing):
    refused, project = refusing
    # A resource whose table has no revision yet: its name is taken, and until its
    # revision is written no other resource is added (it would land in their revision).
    add_resource(project, PACKAGE, "billing", BILLING_MODELS)
    try:
        assert "a table invoice exists already" in refused("invoice")
        assert "the model Shipment exists already" in refused("shipment")
        error = refused("refund")
        assert "the models differ from alembic/versions already" in error
        assert "(add_table invoice, add_table shipping): write that revision first" in error
    finally:
        shutil.rmtree(project / PACKAGE / "resources" / "billing")


def test_an_unreachable_server_is_refused_with_no_secret(bake):
    project = bake_for_absent_server(bake, "postgresql+psycopg")
    before = tree_snapshot(project)
    url = f"postgresql+psycopg://app:s3cret@127.0.0.1:{unused_port()}/app"
    result = add_resource_command(project, "order", env={"DATABASE_URL": url}, check=False)
    assert result.returncode == 1
    (error,) = result.stderr.splitlines()
    assert error.startswith("error: add-resource: cannot reach the server of DATABASE_URL")
    assert "s3cret" not in result.stdout + result.stderr
    assert tree_snapshot(project) == before


# --- a service baked before add-resource existed ------------------------------------------

CLI_TEMPLATE = "{{cookiecutter.project_slug}}/{{cookiecutter.package_name}}/cli.py"


SCRIPTS_TABLE = """[project.scripts]
# poetry run {{ cookiecutter.project_slug }} add-resource NAME (see the README)
"{{ cookiecutter.project_slug }}" = "{{ cookiecutter.package_name }}.cli:main"

"""


# The example router as the template wrote it before add-resource: its own Jinja, the
# resource's names as cookiecutter variables, rather than an include of the scaffold's.
OLD_STYLE_NAMES = {
    "name": "{{ cookiecutter.resource_name }}",
    "noun": '{{ cookiecutter.resource_name | replace("_", " ") }}',
    "model": "{{ cookiecutter.__model_class }}",
    "collection": "{{ cookiecutter.__collection }}",
    "package": "{{ cookiecutter.package_name }}",
}


def without_add_resource(clone: Path) -> None:
    """Make ``clone`` the template as it was before add-resource: no console script, no
    scaffold code (the naming rules the template itself loads stay), and an example
    router of its own."""
    baked_package = clone / CLI_TEMPLATE.rpartition("/")[0]
    router_template = baked_package / "scaffold" / "templates" / "resource" / "router.py.tmpl"
    example_router = baked_package / "resources" / "{{cookiecutter.resource_name}}" / "router.py"
    assert "include" in example_router.read_text(), "the example router is written anew"
    example_router.write_text(Template(router_template.read_text()).substitute(OLD_STYLE_NAMES))
    (clone / CLI_TEMPLATE).unlink()
    (baked_package / "scaffold" / "resource.py").unlink()
    shutil.rmtree(baked_package / "scaffold" / "templates")
    pyproject = clone / "{{cookiecutter.project_slug}}" / "pyproject.toml"
    text = pyproject.read_text()
    assert SCRIPTS_TABLE in text, "the console script's table moved: update SCRIPTS_TABLE"
    pyproject.write_text(text.replace(SCRIPTS_TABLE, ""))


def test_a_service_baked_before_add_resource_gets_it_with_cruft_update(tmp_path):
    # The template without add-resource (made from this tree, so no git history is
    # needed), then this template as the update.
    clone = tmp_path / "template"
    clone.mkdir()
    copy_template_tree(clone)
    without_add_resource(clone)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A", "-f")
    git(clone, "commit", "-q", "-m", "before add-resource")
    cruft = str(BIN_DIR / "cruft")
    out = tmp_path / "out"
    run([cruft, "create", "--no-input", str(clone), "--output-dir", str(out)], cwd=tmp_path)
    project = out / "my-service"
    assert not (project / PACKAGE / "cli.py").exists()
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "baked")

    # The template moves on to this version; the service takes the update.
    for path in clone.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    copy_template_tree(clone)
    git(clone, "add", "-A", "-f")
    git(clone, "commit", "-q", "-m", "add-resource")
    run([cruft, "update", "-y"], cwd=project)

    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}"}
    alembic(project, "upgrade", "head", env=env)
    add_resource_command(project, "order", env=env)
    alembic(project, "upgrade", "head", env=env)
    alembic(project, "check", env=env)
    assert table_names(env["DATABASE_URL"]) == {"alembic_version", "item", "order"}
    assert_all_passed(baked_tests(project, env=env))
