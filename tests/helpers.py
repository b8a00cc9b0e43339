"""Running real commands against baked projects."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# Console scripts installed next to the interpreter running the tests (cookiecutter, poetry, ruff).
BIN_DIR = Path(sys.executable).parent
# Never inherited by a command the tests run: a database URL in the caller's shell would
# send the tests to an outside database, and an active environment would be Poetry's.
SCRUBBED_ENVIRONMENT = (
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "VIRTUAL_ENV",
    "POETRY_ACTIVE",
    # Would send uv's project environment outside the baked project.
    "UV_PROJECT_ENVIRONMENT",
    # Would change what the baked service logs, which tests read.
    "LOG_LEVEL",
    "LOG_FORMAT",
)


@functools.cache
def package_index_url() -> str:
    """The simple index Poetry resolves through (poetry-plugin-pypi-mirror), found at run time.

    ``POETRY_PYPI_MIRROR_URL`` when set, else pip's configured index (``PIP_INDEX_URL``,
    ``pip config get global.index-url``), else pip's own default: some networks' proxies
    serve only a simple index, and no index address is written in the repository.
    """
    for name in ("POETRY_PYPI_MIRROR_URL", "PIP_INDEX_URL"):
        if os.environ.get(name):
            return os.environ[name]
    configured = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True,
        text=True,
        check=False,
    )
    if configured.returncode == 0 and configured.stdout.strip():
        return configured.stdout.strip()
    from pip._internal.models.index import PyPI

    return PyPI.simple_url


def poetry_environment() -> dict[str, str]:
    """Poetry through the index above; each baked project keeps its virtualenv inside it,
    so nothing outlives the test's temporary folder."""
    return {
        "POETRY_PYPI_MIRROR_URL": package_index_url(),
        "POETRY_VIRTUALENVS_IN_PROJECT": "true",
        "POETRY_NO_INTERACTION": "1",
    }


def uv_environment(cache_dir: Path) -> dict[str, str]:
    """uv through the same index as Poetry (never a default of its own), its cache in
    ``cache_dir`` (inside the test's temporary folders), no interpreter downloads, and no
    uv.toml of the caller's read."""
    return {
        "UV_DEFAULT_INDEX": package_index_url(),
        "UV_CACHE_DIR": str(cache_dir),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_CONFIG": "1",
    }


# uv, installed next to the test interpreter (requirements-dev.txt).
UV = BIN_DIR / "uv"
# PATH for commands that must find a baked project's tools in its own virtualenv only
# (``uv run pytest``, ``poetry run pytest``): never the test interpreter's copies.
SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])


def _interpreter_candidates(version: str):
    yield shutil.which(f"python{version}")
    yield from (f"{folder}/python{version}" for folder in ("/usr/local/bin", "/usr/bin"))
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    yield from map(str, sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}")))


@functools.cache
def find_interpreter(version: str) -> str | None:
    """A Python ``version`` ("3.13") interpreter on this machine: on PATH, in /usr/local/bin
    or /usr/bin, or under pyenv's versions; None if there is none. Each candidate is run,
    so a pyenv shim for a version pyenv has not selected (it exits non-zero) or a
    ``pythonX.Y`` of another version is passed over."""
    for candidate in _interpreter_candidates(version):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        try:
            probe = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                env=child_environment(),
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def child_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without SCRUBBED_ENVIRONMENT, then ``env`` on top (a test
    that needs DATABASE_URL passes it here)."""
    inherited = {key: value for key, value in os.environ.items() if key not in SCRUBBED_ENVIRONMENT}
    return {**inherited, **(env or {})}


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True):
    """Run ``command``; on an unexpected exit, fail with everything it printed."""
    full_env = child_environment(
        {
            **poetry_environment(),
            "PATH": f"{BIN_DIR}{os.pathsep}{os.environ['PATH']}",
            **(env or {}),
        }
    )
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{command} exited {result.returncode} in {cwd}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def alembic(project: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    """The real Alembic CLI in ``project``, as ``poetry run alembic`` would run it."""
    return run([sys.executable, "-m", "alembic", *args], cwd=project, env=env, check=check)


def revision_files(project: Path) -> list[Path]:
    return sorted((project / "alembic" / "versions").rglob("*.py"))


INITIAL_REVISION = "alembic/versions/0001_initial.py"
# The tests a baked project ships with (its own suite may only grow).
BAKED_PROJECT_TESTS = 4
# Exactly the tests of a default bake (SQLite, web_framework=fastapi): the migration and
# model tests, and the API tests.
DEFAULT_BAKE_TESTS = 35
# The same on PostgreSQL, which adds squawk's review of each revision (here the initial one).
POSTGRES_BAKE_TESTS = DEFAULT_BAKE_TESTS + 1


def initial_revision(project: Path) -> Path:
    """The initial revision the bake made; fails the test when there is none, or more."""
    assert [path.relative_to(project).as_posix() for path in revision_files(project)] == [
        INITIAL_REVISION
    ], f"the bake did not make {INITIAL_REVISION} (and nothing else) in {project}"
    return project / INITIAL_REVISION


def assert_all_passed(result: subprocess.CompletedProcess, at_least: int = 1) -> int:
    """A pytest run (default verbosity) passed every test it collected: no skip, xfail,
    error or deselection; returns the count. ``at_least``: tests it must have collected."""
    collected = re.search(r"^collected (\d+) items?\b", result.stdout, re.MULTILINE)
    assert collected, result.stdout
    summary = result.stdout.strip().splitlines()[-1]
    outcomes = {
        word: int(count)
        for count, word in re.findall(r"(\d+) ([a-z]+)", summary)
        if not word.startswith("warning")
    }
    count = int(collected[1])
    assert outcomes == {"passed": count}, result.stdout
    assert count >= at_least, result.stdout
    return count


def remake_initial_revision(project: Path, package: str, dialect: str) -> str:
    """Delete the initial revision and make it again for ``dialect`` from the project's
    models as they are now, with the hook's own code; return its text."""
    (project / INITIAL_REVISION).unlink()
    script = TEMPLATE_DIR / "alembic_service_template" / "initial_revision.py"
    run([sys.executable, str(script), str(project), package, dialect], cwd=project)
    return initial_revision(project).read_text()


def add_resource(project: Path, package: str, name: str, body: str) -> Path:
    """Add ``<package>/resources/<name>/models.py``, as a user adding a resource would."""
    resource = project / package / "resources" / name
    resource.mkdir(parents=True)
    (resource / "__init__.py").write_text("")
    models = resource / "models.py"
    models.write_text(body)
    return models


def cookiecutter_cli(output_dir, *args, env=None):
    """The cookiecutter CLI with --no-input; the result is returned, never checked."""
    command = [
        sys.executable,
        "-m",
        "cookiecutter",
        "--no-input",
        str(TEMPLATE_DIR),
        "-o",
        str(output_dir),
        *args,
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        env=child_environment(env),
        timeout=120,
    )


def tree_snapshot(root):
    """Every file and folder under ``root`` with its bytes (files) or None (folders)."""
    return {
        path.relative_to(root).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        )
        for path in sorted(root.rglob("*"))
        if "__pycache__" not in path.parts
    }


def file_tree(root):
    """Relative path -> bytes of every file under ``root`` (no bytecode caches)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and ".git" not in path.relative_to(root).parts
    }


# A resource with a foreign key to the example resource and an enum of its own.
ENUM_ORDER_MODELS = """\
import enum

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from my_service.database.base import Base


class OrderState(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"


class Order(Base):
    __tablename__ = "order"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    state: Mapped[OrderState] = mapped_column(
        Enum(
            OrderState,
            name="order_state",
            values_callable=lambda states: [state.value for state in states],
        ),
        default=OrderState.OPEN,
    )
"""


def unused_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The password the bake makes for compose.yaml's database (PostgreSQL and MySQL bakes).
COMPOSE_PASSWORD = re.compile(
    r"^# The password of compose\.yaml's own database .*\n(POSTGRES|MYSQL)_PASSWORD=\w+\n",
    re.MULTILINE,
)


def dotenv_without_compose_password(project: Path) -> str:
    """The project's .env without the compose database's random password (what the
    answers decide)."""
    return COMPOSE_PASSWORD.sub("", (project / ".env").read_text())


def bake_for_absent_server(bake, scheme: str, **answers: str) -> Path:
    """A project baked for a ``scheme`` URL with nothing listening behind it (baking needs
    no server), and ``answers``; its .env holds that URL and its initial revision was made."""
    url = f"{scheme}://app:secret@127.0.0.1:{unused_port()}/app"
    result = bake(database_url=url, **answers)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    assert dotenv_without_compose_password(project) == f"DATABASE_URL='{url}'\n"
    assert [path.name for path in revision_files(project)] == ["0001_initial.py"]
    return project


# The PostgreSQL URL a project is baked for: nothing listens behind it (baking connects
# to no database); the tests give DATABASE_URL a real server's.
POSTGRES_BAKE_URL = "postgresql+psycopg://app:secret@127.0.0.1:9/app"


def default_bake_at_head(output_dir: Path) -> tuple[Path, dict[str, str]]:
    """The default (SQLite) bake in ``output_dir``, upgraded to head on a database file of
    its own: (project, its DATABASE_URL environment)."""
    project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(output_dir)))
    env = {"DATABASE_URL": f"sqlite:///{output_dir / 'service.db'}"}
    alembic(project, "upgrade", "head", env=env)
    return project, env


def bake_for_postgres(output_dir: Path) -> Path:
    """The default project baked for PostgreSQL into ``output_dir``, hooks in-process."""
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(output_dir),
            extra_context={"database_url": POSTGRES_BAKE_URL},
        )
    )


# The async driver a test gives a project baked with database_api=async.
ASYNC_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
}


def for_database_api(url: str, database_api: str) -> str:
    """``url`` (a sync driver's, or none) as a ``database_api`` project names it."""
    if database_api == "sync":
        return url
    backend = url.partition(":")[0].partition("+")[0]
    return ASYNC_SCHEMES[backend] + url[url.index("://") :]


def current_revision(project: Path, env: dict[str, str]) -> str:
    return alembic(project, "current", env=env).stdout.strip()


def revision_id(revision_text: str) -> str:
    return re.search(r'^revision: str = "([0-9a-f]+)"$', revision_text, re.MULTILINE)[1]


# --- the example project and what tests do to it ----------------------------------------

PACKAGE = "my_service"
ITEM_MODELS = f"{PACKAGE}/resources/item/models.py"


def python(project, code, env=None, check=True):
    """Run ``code`` with the test interpreter in ``project``, as application code would."""
    return run([sys.executable, "-c", textwrap.dedent(code)], cwd=project, env=env, check=check)


def baked_tests(project, *args, env=None, cwd=None, check=True):
    """The baked project's own pytest (default verbosity, for ``assert_all_passed``)."""
    return run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd or project,
        env=env,
        check=check,
    )


def new_revision(project, before):
    (path,) = set(revision_files(project)) - set(before)
    return path


def autogenerate(project, message, env=None):
    before = revision_files(project)
    alembic(project, "revision", "--autogenerate", "-m", message, env=env)
    return new_revision(project, before)


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


# Application code storing times in two zones: they read back aware UTC, in instant order;
# a naive time is refused.
ROUND_TRIP = """
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from my_service.database.session import get_sessionmaker
from my_service.resources.item.models import Item

plus_two = timezone(timedelta(hours=2))
early = datetime(2026, 1, 1, 10, 0, tzinfo=plus_two)  # 08:00 UTC
late = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
with get_sessionmaker()() as session:
    session.add_all([Item(name="late", created_at=late), Item(name="early", created_at=early)])
    session.commit()
with get_sessionmaker()() as session:
    rows = session.scalars(select(Item).order_by(Item.created_at)).all()
    assert [row.name for row in rows] == ["early", "late"], rows
    assert rows[0].created_at == early and rows[0].created_at.tzinfo is UTC, rows[0].created_at
    default = session.scalars(select(Item.created_at).where(Item.name == "late")).one()
    assert default.tzinfo is UTC
    session.add(Item(name="naive", created_at=datetime(2026, 1, 1)))
    try:
        session.commit()
    except Exception as error:
        assert "has no time zone" in str(error), error
    else:
        raise AssertionError("a naive datetime was stored")
print("ok")
"""


def git(cwd, *args):
    return run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
    )


def template_clone(tmp_path):
    """A git repository holding the template's working tree as it is now (uncommitted edits too)."""
    clone = tmp_path / "template"
    copy_template_tree(clone)
    git(clone, "init", "-q", "-b", "main")
    # -f: the template's .env is tracked although the baked .gitignore matches it.
    git(clone, "add", "-A", "-f")
    git(clone, "commit", "-q", "-m", "template")
    return clone


def copy_template_tree(clone: Path) -> None:
    """Write the template's working tree (its git-tracked and new files) into ``clone``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = TEMPLATE_DIR / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)


def quick_benchmark(script: str, *options: str) -> str:
    """What ``benchmarks/<script> --quick [options]`` prints; fails the test if it fails."""
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", "--quick", *options],
        check=False,
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# --- the baked web service in a uvicorn process -------------------------------------------

# Time a starting server gets to answer /health before the test gives up (not asserted).
STARTUP_LIMIT = 60
STOP_LIMIT = 30


class Service:
    """A uvicorn process serving the baked app on a free loopback port."""

    def __init__(
        self,
        project: Path,
        database_url: str,
        log: Path,
        app: str = f"{PACKAGE}.main:app",
        app_dir: Path | None = None,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.project = project
        # What ``python -m`` runs (the image's command, say), before the host and port.
        self.command = command or ["uvicorn", app] + (
            ["--app-dir", str(app_dir)] if app_dir else []
        )
        # More of the service's environment (POOL_SIZE=1, say), besides DATABASE_URL.
        self.env = env or {}
        self.database_url = database_url
        self.log = log
        self.app = app
        # Where uvicorn imports ``app`` from, besides the project (the working directory).
        self.app_dir = app_dir
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> None:
        for _attempt in range(3):  # another process may take the free port first
            port = unused_port()
            self.base_url = f"http://127.0.0.1:{port}"
            with self.log.open("w") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", *self.command]
                    + ["--host", "127.0.0.1", "--port", str(port)],
                    cwd=self.project,
                    env={
                        **os.environ,
                        "DATABASE_URL": self.database_url,
                        "PYTHONDONTWRITEBYTECODE": "1",
                        **self.env,
                    },
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_until_serving():
                return
            if "address already in use" not in self.output():
                break
        pytest.fail(f"uvicorn did not start:\n{self.output()}")

    def _wait_until_serving(self) -> bool:
        give_up = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.base_url}/health", timeout=5).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.process.kill()
        self.process.wait()
        return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a process manager stops a service; the exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"uvicorn ignored SIGTERM:\n{self.output()}")


@contextmanager
def serving(
    project: Path,
    database_url: str,
    log: Path,
    app: str = f"{PACKAGE}.main:app",
    app_dir: Path | None = None,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Iterator[httpx.Client]:
    """A running service and an HTTP client on it; it must stop gracefully on SIGTERM.

    uvicorn shuts down (lifespan included), then re-raises the signal so that the exit
    status tells a supervisor why it stopped: -SIGTERM, not 0, is its clean exit.
    """
    service = Service(project, database_url, log, app, app_dir, env, command)
    service.start()
    try:
        with httpx.Client(base_url=service.base_url, timeout=30) as client:
            yield client
    finally:
        exit_code = service.stop()
    output = service.output()
    assert exit_code == -signal.SIGTERM, output
    shutdown = output.partition("Shutting down")[2]
    assert "Application shutdown complete" in shutdown, output
    assert "Finished server process" in shutdown, output
    assert "Traceback" not in shutdown and "ERROR" not in shutdown, output


def refused_start(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """uvicorn started on the project's app with ``env`` added, expected to stop by itself
    (an invalid setting): its exit status and output."""
    # Imported here: tests.postgres is a pytest plugin (conftest.py), which pytest must
    # import first to rewrite its asserts.
    from tests.postgres import free_port

    return subprocess.run(
        [sys.executable, "-m", "uvicorn", f"{PACKAGE}.main:app", "--port", str(free_port())],
        cwd=project,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def hand_written_revision(project, message, upgrade, downgrade="pass", env=None) -> Path:
    """``alembic revision -m message`` filled in as a user writes a data migration."""
    before = revision_files(project)
    alembic(project, "revision", "-m", message, env=env)
    revision = new_revision(project, before)
    edit(revision, "def upgrade() -> None:\n    pass", f"def upgrade() -> None:\n    {upgrade}")
    edit(
        revision, "def downgrade() -> None:\n    pass", f"def downgrade() -> None:\n    {downgrade}"
    )
    return revision
