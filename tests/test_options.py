"""options.py: the one table of which files each choice keeps, and the hook applying it."""

import ast
import importlib.metadata
import json
import re
import sys
import tomllib
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from alembic_service_template import answers, options
from alembic_service_template.options import OPTION_PATHS, excluded_paths, remove_excluded
from tests.helpers import (
    BAKED_PROJECT_TESTS,
    DEFAULT_BAKE_TESTS,
    TEMPLATE_DIR,
    assert_all_passed,
    baked_tests,
    run,
)

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
ANSWERS = {
    "package_name": "core",
    "resource_name": "order_line",
    "__database_backend": "postgresql",
    "telemetry": "opentelemetry",
}


def test_choices_are_those_cookiecutter_offers_default_first():
    offered = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    for prompt, choices in options.CHOICES.items():
        assert tuple(offered[prompt]) == choices
        assert prompt in offered["__prompts__"]


def test_every_choice_has_an_entry_and_every_entry_a_choice():
    choices = {**options.CHOICES, **options.DERIVED_CHOICES}
    expected = {(name, value) for name, values in choices.items() for value in values}
    assert set(OPTION_PATHS) == expected


@pytest.mark.parametrize("path", sorted({p for paths in OPTION_PATHS.values() for p in paths}))
def test_listed_paths_are_template_files_or_folders(path):
    assert (PROJECT_TEMPLATE / path).exists()


def test_a_path_belongs_to_one_choice_at_most():
    listed = [path for paths in OPTION_PATHS.values() for path in paths]
    assert len(listed) == len(set(listed))


def test_fastapi_keeps_everything_but_the_model_only_test_of_add_resource():
    # A new resource's API test covers its model there.
    excluded = excluded_paths({**ANSWERS, "web_framework": "fastapi"})
    assert excluded == ["core/scaffold/templates/tests/test_models.py.tmpl"]


def test_none_leaves_out_the_web_layer_with_names_rendered():
    excluded = excluded_paths({**ANSWERS, "web_framework": "none"})
    assert "core/main.py" in excluded
    # The web layer is the whole api/ package; resources live outside it (issue 18).
    assert "core/api" in excluded
    assert "core/resources/order_line/router.py" in excluded
    assert "core/resources/order_line/schemas.py" in excluded
    assert "tests/test_api.py" in excluded
    assert "core/scaffold/templates/resource/router.py.tmpl" in excluded
    assert not any("{" in path or "cookiecutter" in path for path in excluded)
    assert not any(path.endswith("models.py") for path in excluded)


def test_remove_excluded_deletes_what_exists_and_skips_what_does_not(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "main.py").write_text("")
    (tmp_path / "core" / "models.py").write_text("")
    (tmp_path / "core" / "api").mkdir()
    (tmp_path / "core" / "api" / "routers.py").write_text("")
    remove_excluded(tmp_path, ["core/main.py", "core/api", "core/absent.py"])
    assert sorted(p.name for p in (tmp_path / "core").iterdir()) == ["models.py"]


@pytest.mark.parametrize("value", ["fastapi", "none"])
def test_web_framework_choices_are_accepted(value):
    assert answers.check_web_framework(value) is None


@pytest.mark.parametrize("value", ["flask", "FastAPI", ""])
def test_other_web_frameworks_are_refused_naming_the_choices(value):
    assert answers.check_web_framework(value) == "must be one of fastapi, none"


@pytest.mark.parametrize("value", ["sync", "async"])
def test_database_api_choices_are_accepted(value):
    assert answers.check_database_api(value) is None


@pytest.mark.parametrize("value", ["asyncio", "Async", ""])
def test_other_database_apis_are_refused_naming_the_choices(value):
    assert answers.check_database_api(value) == "must be one of sync, async"


# --- every combination baked for real -------------------------------------------------------

UNRENDERED = re.compile(r"{{|}}|{%|%}|\bcookiecutter\.(?!json)")
WEB_TRACES = re.compile(
    r"fastapi|uvicorn|httpx|starlette|router|/health|/ready|Run the service", re.IGNORECASE
)


def project_files(project: Path) -> set[str]:
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


BACKENDS = ("sqlite", "postgresql", "mysql")
# The URL each combination is baked for (no server behind it: baking needs none), by
# backend and database API; the tests run against a real server through DATABASE_URL.
BAKE_URLS = {
    ("sqlite", "sync"): "sqlite:///my_service.db",
    ("sqlite", "async"): "sqlite+aiosqlite:///my_service.db",
    ("postgresql", "sync"): "postgresql+psycopg://app:secret@127.0.0.1:9/app",
    ("postgresql", "async"): "postgresql+asyncpg://app:secret@127.0.0.1:9/app",
    ("mysql", "sync"): "mysql+pymysql://app:secret@127.0.0.1:9/app",
    ("mysql", "async"): "mysql+aiomysql://app:secret@127.0.0.1:9/app",
}
COMBINATIONS = [
    (web_framework, database_api, backend)
    for web_framework in options.CHOICES["web_framework"]
    for database_api in options.CHOICES["database_api"]
    for backend in BACKENDS
]


@pytest.fixture(scope="module")
def baked_by_choice(tmp_path_factory):
    """``bake(web_framework, database_api, backend, telemetry)``: that combination, baked
    once per module (per xdist worker); tests must not change its files."""
    baked: dict[tuple[str, ...], Path] = {}

    def bake(
        web_framework: str,
        database_api: str = "sync",
        backend: str = "sqlite",
        telemetry: str = "none",
    ) -> Path:
        key = (web_framework, database_api, backend, telemetry)
        if key not in baked:
            output = tmp_path_factory.mktemp("-".join(key))
            baked[key] = Path(
                cookiecutter(
                    str(TEMPLATE_DIR),
                    no_input=True,
                    extra_context={
                        "web_framework": web_framework,
                        "database_api": database_api,
                        "database_url": BAKE_URLS[backend, database_api],
                        "telemetry": telemetry,
                    },
                    output_dir=str(output),
                )
            )
        return baked[key]

    return bake


def server_database_url(request, combination: tuple[str, ...]) -> dict[str, str]:
    """DATABASE_URL for a combination's tests: a database on the real server of its
    backend, through the driver it was baked for (SQLite needs none: temporary files)."""
    web_framework, database_api, backend, *telemetry = combination
    if backend == "sqlite":
        return {}
    driver = BAKE_URLS[backend, database_api].partition("://")[0].partition("+")[2]
    name = "_".join(["options", web_framework, database_api, *telemetry])
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database(name)
        return {"DATABASE_URL": url.replace("postgresql+psycopg://", f"postgresql+{driver}://")}
    return {"DATABASE_URL": request.getfixturevalue("mariadb_server").create_database(name, driver)}


@pytest.mark.parametrize(
    ("web_framework", "database_api", "backend"),
    COMBINATIONS,
    ids=["-".join(combination) for combination in COMBINATIONS],
)
def test_each_combination_bakes_a_clean_project_that_passes_its_tests(
    request, baked_by_choice, web_framework, database_api, backend
):
    project = baked_by_choice(web_framework, database_api, backend)
    assert_rendered_and_linted(project)
    combination = (web_framework, database_api, backend)
    env = {"PYTHONDONTWRITEBYTECODE": "1", **server_database_url(request, combination)}
    result = baked_tests(project, env=env)
    # The model and migration tests, the API's with fastapi, squawk's review on PostgreSQL.
    shipped = DEFAULT_BAKE_TESTS if web_framework == "fastapi" else BAKED_PROJECT_TESTS
    expected = shipped + (backend == "postgresql")
    assert assert_all_passed(result) == expected, result.stdout


def assert_rendered_and_linted(project: Path) -> None:
    for path in project.rglob("*"):
        if path.is_file() and path.name != "script.py.mako" and "__pycache__" not in path.parts:
            assert not UNRENDERED.search(path.read_text()), f"unrendered Jinja in {path}"
    run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=project)


# telemetry=opentelemetry needs web_framework=fastapi (none is refused: test_telemetry.py).
# Every such combination is rendered, linted and has its imports declared; the project's
# own tests run on SQLite (sync) and PostgreSQL (async), as telemetry changes no test and
# only main.py's startup (tests/test_telemetry.py runs it for real).
TELEMETRY_COMBINATIONS = [
    ("fastapi", database_api, backend, "opentelemetry")
    for database_api in options.CHOICES["database_api"]
    for backend in BACKENDS
]
TELEMETRY_TESTED = {("sync", "sqlite"), ("async", "postgresql")}


@pytest.mark.parametrize(
    "combination", TELEMETRY_COMBINATIONS, ids=["-".join(c) for c in TELEMETRY_COMBINATIONS]
)
def test_each_telemetry_combination_bakes_a_clean_project(request, baked_by_choice, combination):
    project = baked_by_choice(*combination)
    assert (project / "my_service" / "telemetry.py").is_file()
    assert (project / "otel-collector.yaml").is_file()
    assert_rendered_and_linted(project)
    assert_imports_declared(project)
    web_framework, database_api, backend, _ = combination
    if (database_api, backend) not in TELEMETRY_TESTED:
        return
    env = {"PYTHONDONTWRITEBYTECODE": "1", **server_database_url(request, combination)}
    result = baked_tests(project, env=env)
    assert assert_all_passed(result) == DEFAULT_BAKE_TESTS + (backend == "postgresql")


def test_telemetry_none_bakes_no_trace_of_opentelemetry(baked_by_choice):
    project = baked_by_choice("fastapi")
    assert not (project / "my_service" / "telemetry.py").exists()
    assert not (project / "otel-collector.yaml").exists()
    for relative in sorted(project_files(project) - {".cookiecutter.json"}):
        text = (project / relative).read_text().lower()
        assert "opentelemetry" not in text and "otel" not in text, relative


def test_sync_and_async_projects_have_the_same_files(baked_by_choice):
    for web_framework in options.CHOICES["web_framework"]:
        assert project_files(baked_by_choice(web_framework, "async")) == project_files(
            baked_by_choice(web_framework, "sync")
        )


def test_none_is_the_project_without_any_trace_of_the_web_layer(baked_by_choice):
    with_web, without = baked_by_choice("fastapi"), baked_by_choice("none")
    answers = {"package_name": "my_service", "resource_name": "item", "web_framework": "none"}
    # Each choice has its own test template for add-resource.
    only_without = set(excluded_paths({**answers, "web_framework": "fastapi"}))
    excluded = excluded_paths(answers)
    assert project_files(without) == {
        path
        for path in project_files(with_web) | only_without
        if not any(path == gone or path.startswith(f"{gone}/") for gone in excluded)
    }
    # Resources are not the web layer's: no api/ package without it (issue 18).
    assert not (without / "my_service" / "api").exists()
    assert (without / "my_service" / "resources" / "item" / "models.py").is_file()
    for relative in sorted(project_files(without) - {".cookiecutter.json"}):
        text = (without / relative).read_text()
        assert not WEB_TRACES.search(text), f"{relative}: {WEB_TRACES.search(text)}"
    pyproject = tomllib.loads((without / "pyproject.toml").read_text())
    assert [d.split()[0] for d in pyproject["project"]["dependencies"]] == [
        "alembic[tz]",
        "pydantic",
        "pydantic-settings",
        "sqlalchemy",
    ]
    assert [d.split()[0] for d in pyproject["dependency-groups"]["dev"]] == [
        "pytest",
        "pytest-alembic",
        "ruff",
    ]


def test_fastapi_adds_its_dependencies(baked_by_choice):
    pyproject = tomllib.loads((baked_by_choice("fastapi") / "pyproject.toml").read_text())
    names = [d.split()[0] for d in pyproject["project"]["dependencies"]]
    assert {"fastapi", "uvicorn"} <= set(names)
    assert "httpx2" in [d.split()[0] for d in pyproject["dependency-groups"]["dev"]]


@pytest.mark.parametrize(
    ("resource", "collection"),
    [
        ("item", "items"),
        ("category", "categories"),
        ("day", "days"),
        ("box", "boxes"),
        ("invoice_line", "invoice_lines"),
        ("batch", "batches"),
        ("status", "statuses"),
    ],
)
def test_collection_paths_are_plural(resource, collection):
    assert answers.plural(resource) == collection


def test_the_collection_path_follows_the_resource_name(tmp_path):
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"resource_name": "category"},
            output_dir=str(tmp_path),
        )
    )
    router = (project / "my_service/resources/category/router.py").read_text()
    assert 'APIRouter(prefix="/categories", tags=["categories"])' in router
    assert "def list_categories(" in router
    run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project)
    run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=project)
    result = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_api.py"],
        cwd=project,
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert re.search(r"\b31 passed\b", result.stdout), result.stdout


def imported_packages(project: Path) -> set[str]:
    """Top-level names of the third-party modules the project's Python files import."""
    imported = set()
    for path in project.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    own = {path.parent.name for path in project.glob("*/__init__.py")} | {"tests"}
    return imported - set(sys.stdlib_module_names) - own


def declared_distributions(project: Path) -> set[str]:
    """Normalized names of the distributions pyproject.toml asks for (runtime and dev)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    requirements = pyproject["project"]["dependencies"] + pyproject["dependency-groups"]["dev"]
    return {normalized(re.match(r"[A-Za-z0-9._-]+", line).group()) for line in requirements}


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@pytest.mark.parametrize(("web_framework", "database_api", "backend"), COMBINATIONS)
def test_every_imported_package_is_declared(baked_by_choice, web_framework, database_api, backend):
    # Importing what only arrives with another package breaks when that one drops it.
    assert_imports_declared(baked_by_choice(web_framework, database_api, backend))


def assert_imports_declared(project: Path) -> None:
    providers = importlib.metadata.packages_distributions()
    declared = declared_distributions(project)
    undeclared = {
        module: providers.get(module)
        for module in imported_packages(project)
        if not declared & {normalized(name) for name in providers.get(module, [module])}
    }
    assert not undeclared, f"imported but not in pyproject.toml: {undeclared}"
