"""A real, throwaway PostgreSQL server for the tests (a pytest plugin).

``postgres_server`` (session scope) runs ``initdb`` and ``pg_ctl`` from the installed
PostgreSQL binaries: a private data directory, a free TCP port on 127.0.0.1, the unix
socket in a private directory, and no durability (``fsync=off``). Under pytest-xdist
every worker starts its own server; nothing is shared between them.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user
(created as a system user if missing). Where the binaries are missing they are installed
with apt-get when that is possible (root, Debian-like); otherwise the fixture fails, it
never skips: a test suite that quietly skips its database tests proves nothing.

The tests connect as a login role (not a superuser, but allowed to create databases, as
the baked tests need) whose password holds the characters that break naive URL handling;
``create_database()`` returns a SQLAlchemy URL with that password percent-encoded.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, inspect, pool, text

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
SUPERUSER = "postgres"
ROLE = "service_user"
# '@', ':', '/', '%', '#', '?' all mean something in a URL; the quote tests the SQL quoting.
ROLE_PASSWORD = "p@ss:w/rd%#?'&="
HOST = "127.0.0.1"
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Speed over durability: the data is thrown away at the end of the session.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
    "shared_buffers": "16MB",
    "log_min_messages": "warning",
}
COMMAND_TIMEOUT = 120


def _has_server_programs(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in SERVER_PROGRAMS)


def _version_key(directory: Path) -> tuple[int, ...]:
    version = directory.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: from PATH, else the newest
    ``/usr/lib/postgresql/<version>/bin`` (Debian keeps them off PATH)."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        # /usr/local/bin/initdb may be a link; the real directory has all three programs.
        for candidate in (Path(on_path).resolve().parent, Path(on_path).parent):
            if _has_server_programs(candidate):
                return candidate
    installed = [
        path for path in Path("/usr/lib/postgresql").glob("*/bin") if _has_server_programs(path)
    ]
    return max(installed, key=_version_key) if installed else None


def _install_with_apt() -> None:
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        result = subprocess.run(
            command, check=False, env=environment, capture_output=True, text=True
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip().splitlines()[-10:]
            pytest.fail(
                f"Installing PostgreSQL failed: {' '.join(command)}\n" + "\n".join(output),
                pytrace=False,
            )


def require_bin_dir() -> Path:
    bin_dir = find_bin_dir()
    if bin_dir is not None:
        return bin_dir
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _install_with_apt()
        bin_dir = find_bin_dir()
        if bin_dir is not None:
            return bin_dir
    pytest.fail(
        "The PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or "
        "under /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: "
        "'apt-get install postgresql'; `bash .ci/run` does it) and run the tests again.",
        pytrace=False,
    )


def server_user() -> str | None:
    """The user the server runs as when the tests run as root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in (SUPERUSER, "pytest-postgres"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    command = [
        "useradd",
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        "pytest-postgres",
    ]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    try:  # another xdist worker may have created it at the same moment
        pwd.getpwnam("pytest-postgres")
    except KeyError:
        pytest.fail(
            f"Could not create a user to run PostgreSQL as: {result.stderr.strip()}", pytrace=False
        )
    return "pytest-postgres"


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _make_traversable(directory: Path) -> None:
    """Let another user reach ``directory`` (search permission only on its parents)."""
    for parent in directory.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)


class PostgresServer:
    """A running server; ``create_database()`` hands out fresh empty databases."""

    def __init__(self, bin_dir: Path, base_dir: Path, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.base_dir = base_dir
        self.user = user
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir / "socket"
        self.log_file = base_dir / "server.log"
        self.host = HOST
        self.port = 0
        self.role = ROLE
        self.password = ROLE_PASSWORD
        self.running = False

    # --- running the server programs -------------------------------------------------

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        return command if self.user is None else ["runuser", "-u", self.user, "--", *command]

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self._command(program, *args),
            check=False,
            cwd=self.base_dir,  # the server user may not be able to enter ours
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"{program} exited {result.returncode}\n--- stdout\n{result.stdout}\n"
                f"--- stderr\n{result.stderr}\n--- server log\n{self.server_log()}",
                pytrace=False,
            )
        return result

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def _give_to_server_user(self, *paths: Path) -> None:
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            for path in paths:
                os.chown(path, account.pw_uid, account.pw_gid)

    def init(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        self.data_dir.mkdir(mode=0o700)
        password_file = self.base_dir / "superuser-password"
        password_file.write_text(secrets.token_urlsafe(24) + "\n")
        password_file.chmod(0o600)
        self.base_dir.chmod(0o755)
        self._give_to_server_user(self.base_dir, self.data_dir, self.socket_dir, password_file)
        _make_traversable(self.base_dir)
        self._run(
            "initdb",
            "--pgdata", str(self.data_dir),
            "--username", SUPERUSER,
            "--pwfile", str(password_file),
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        )  # fmt: skip
        password_file.unlink()
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude = 'pytest_server.conf'\n")

    def start(self, attempts: int = 3) -> None:
        """Start on a free port; another process may grab the port first, so retry."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            settings = {
                **SERVER_SETTINGS,
                "listen_addresses": f"'{HOST}'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
            }
            conf = self.data_dir / "pytest_server.conf"
            conf.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
            self._give_to_server_user(conf)
            result = self._run(
                "pg_ctl", "start", "--pgdata", str(self.data_dir), "--log", str(self.log_file),
                "--wait", "--timeout", "60", check=attempt == attempts,
            )  # fmt: skip
            if result.returncode == 0:
                self.running = True
                return

    def stop(self) -> None:
        # Also after a start that failed half-way: a postmaster may be up all the same.
        if self.running or (self.data_dir / "postmaster.pid").exists():
            self._run(
                "pg_ctl",
                "stop",
                "--pgdata",
                str(self.data_dir),
                "--mode",
                "fast",
                "--wait",
                check=False,
            )
            self.running = False

    # --- what the tests use --------------------------------------------------------

    def admin_connection(self, dbname: str = "postgres") -> psycopg.Connection:
        """The superuser over the unix socket (trusted), in autocommit mode."""
        return psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=SUPERUSER,
            dbname=dbname,
            autocommit=True,
        )

    def create_role(self) -> None:
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER CREATEDB NOCREATEROLE PASSWORD {}"
                ).format(sql.Identifier(self.role), sql.Literal(self.password))
            )

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of database ``name`` for the login role, over TCP."""
        password = quote(self.password, safe="")
        return f"postgresql+psycopg://{self.role}:{password}@{self.host}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create the empty database ``name``, owned by the login role; return its URL."""
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"use a plain lowercase database name, not {name!r}")
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name), sql.Identifier(self.role)
                )
            )
        return self.url(name)

    def _query(self, url: str, query: str) -> list:
        engine = create_engine(url, poolclass=pool.NullPool)
        try:
            with engine.connect() as connection:
                return list(connection.execute(text(query)).scalars())
        finally:
            engine.dispose()

    def databases(self) -> set[str]:
        """Every database on the server but the templates."""
        with self.admin_connection() as connection:
            rows = connection.execute("SELECT datname FROM pg_database WHERE NOT datistemplate")
            return {name for (name,) in rows}

    def tables(self, url: str) -> set[str]:
        """Names of the tables in the public schema of the database at ``url``."""
        engine = create_engine(url, poolclass=pool.NullPool)
        try:
            return set(inspect(engine).get_table_names(schema="public"))
        finally:
            engine.dispose()

    def enum_types(self, url: str) -> set[str]:
        """Names of the enum types in the public schema of the database at ``url``."""
        return set(
            self._query(
                url,
                "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE t.typtype = 'e' AND n.nspname = 'public'",
            )
        )


@contextmanager
def running_server(prefix: str = "pytest-postgres-") -> Iterator[PostgresServer]:
    """A throwaway server with the login role, stopped and deleted on the way out."""
    bin_dir = require_bin_dir()
    user = server_user()
    # Not under pytest's basetemp: its parents are private to us (mode 0700), and the
    # server user must reach the data and socket directories.
    base_dir = Path(tempfile.mkdtemp(prefix=prefix))
    server = PostgresServer(bin_dir, base_dir, user)
    try:
        server.init()
        server.start()
        server.create_role()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (of this xdist worker), stopped at the end."""
    with running_server() as server:
        yield server
