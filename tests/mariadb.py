"""A real, throwaway MariaDB server for the tests (a pytest plugin).

``mariadb_server`` (session scope) runs ``mariadb-install-db`` and ``mariadbd`` (or
``mysqld``) from Debian's packages: a private data directory, a free TCP port on
127.0.0.1, the unix socket in a private directory, no binary log, no performance
schema, a small buffer pool and no durability. Under pytest-xdist every worker starts
its own server; nothing is shared between them. The grant tables are in force (never
``--skip-grant-tables``): the tests log in with a password, as an application does.

MariaDB runs as root when told to (``--user=root``), so no other user is needed. Where
the server is missing it is installed with apt-get when that is possible (root,
Debian-like); otherwise the fixture fails, it never skips: a test suite that quietly
skips its database tests proves nothing.

The tests connect as a login user (not root, without SUPER or GRANT OPTION, but allowed
to create and drop databases, as the baked tests need) whose password holds the
characters that break naive URL handling; ``create_database()`` returns a
``mysql+pymysql://`` (or ``mysql+mysqldb://``) URL with that password percent-encoded.
Root (with a random password) is only used over the private socket, to create the user
and the databases.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pymysql
import pytest
from sqlalchemy import create_engine, inspect, pool

SERVER_PROGRAMS = ("mariadbd", "mysqld")
INSTALL_PROGRAMS = ("mariadb-install-db", "mysql_install_db")
# Debian keeps the server in /usr/sbin, which a non-root PATH may lack.
SEARCH_DIRS = ("/usr/sbin", "/usr/bin", "/usr/libexec")
ROLE = "service_user"
# '@', ':', '/', '%', '#', '?' all mean something in a URL; the quote tests the SQL quoting.
ROLE_PASSWORD = "p@ss:w/rd%#?'&="
# Everything an application and its migrations need, CREATE and DROP of databases
# included; not SUPER, FILE, PROCESS, SHUTDOWN, CREATE USER or GRANT OPTION.
ROLE_PRIVILEGES = (
    "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, "
    "CREATE TEMPORARY TABLES, LOCK TABLES, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, "
    "ALTER ROUTINE, EXECUTE, TRIGGER, EVENT"
)
HOST = "127.0.0.1"
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")
# The server's own databases: everything else was created by a test.
SYSTEM_DATABASES = {"information_schema", "mysql", "performance_schema", "sys"}
# Speed over durability: the data is thrown away at the end of the session. The
# character set is the one a current server is configured with (Debian's is utf8mb4;
# the compiled-in default, used with --no-defaults, is latin1).
SERVER_OPTIONS = (
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=16M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
    "--skip-log-bin",
    "--performance-schema=OFF",
    "--skip-name-resolve",
    "--max-connections=40",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
)
COMMAND_TIMEOUT = 120
READY_TIMEOUT = 60


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
        for directory in SEARCH_DIRS:
            candidate = Path(directory, name)
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def find_programs() -> tuple[str, str] | None:
    """The server and the data directory initialiser, or None when either is missing."""
    server, installer = _find(SERVER_PROGRAMS), _find(INSTALL_PROGRAMS)
    return (server, installer) if server and installer else None


def _install_with_apt() -> None:
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # xdist workers would otherwise race for dpkg's lock; the second one finds it done.
    with open(Path(tempfile.gettempdir(), "pytest-mariadb-apt.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if find_programs() is not None:
            return
        for command in (
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "mariadb-server"],
        ):
            result = subprocess.run(
                command, check=False, env=environment, capture_output=True, text=True
            )
            if result.returncode != 0:
                output = (result.stderr or result.stdout).strip().splitlines()[-10:]
                pytest.fail(
                    f"Installing MariaDB failed: {' '.join(command)}\n" + "\n".join(output),
                    pytrace=False,
                )


def require_programs() -> tuple[str, str]:
    programs = find_programs()
    if programs is not None:
        return programs
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _install_with_apt()
        programs = find_programs()
        if programs is not None:
            return programs
    pytest.fail(
        "The MariaDB server (mariadbd or mysqld, and mariadb-install-db) was not found on "
        "PATH or in /usr/sbin. Install it (Debian/Ubuntu: 'apt-get install mariadb-server'; "
        "`bash .ci/run` does it) and run the tests again.",
        pytrace=False,
    )


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class MariaDBServer:
    """A running server; ``create_database()`` hands out fresh empty databases."""

    def __init__(self, server_program: str, install_program: str, base_dir: Path) -> None:
        self.server_program = server_program
        self.install_program = install_program
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir / "socket"
        self.socket = self.socket_dir / "mysqld.sock"
        self.log_file = base_dir / "server.log"
        self.host = HOST
        self.port = 0
        self.role = ROLE
        self.password = ROLE_PASSWORD
        self.root_password = ""  # set once the server is up
        self.process: subprocess.Popen | None = None

    # --- running the server programs -------------------------------------------------

    def _user_option(self) -> list[str]:
        # mariadbd refuses to run as root unless told to.
        return ["--user=root"] if os.geteuid() == 0 else []

    def server_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def init(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        result = subprocess.run(
            [
                self.install_program,
                "--no-defaults",  # not Debian's /etc/mysql configuration
                f"--datadir={self.data_dir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *self._user_option(),
                *SERVER_OPTIONS,
            ],
            check=False,
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if result.returncode != 0:
            pytest.fail(
                f"{self.install_program} exited {result.returncode}\n--- stdout\n"
                f"{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}",
                pytrace=False,
            )

    def _server_command(self) -> list[str]:
        return [
            self.server_program,
            "--no-defaults",  # must come first
            f"--datadir={self.data_dir}",
            f"--socket={self.socket}",
            f"--pid-file={self.base_dir / 'mysqld.pid'}",
            f"--log-error={self.log_file}",
            f"--bind-address={HOST}",
            f"--port={self.port}",
            f"--tmpdir={self.base_dir}",
            *self._user_option(),
            *SERVER_OPTIONS,
        ]

    def start(self, attempts: int = 3) -> None:
        """Start on a free port; another process may grab the port first, so retry."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            self.process = subprocess.Popen(
                self._server_command(),
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_until_ready():
                return
            self.stop()
            if attempt == attempts:
                pytest.fail(
                    f"MariaDB did not accept connections within {READY_TIMEOUT} s"
                    f" (port {self.port})\n--- server log\n{self.server_log()}",
                    pytrace=False,
                )

    def _wait_until_ready(self) -> bool:
        """Connect as root over the socket until it works; False when the server died or
        did not answer in time. Root has no password yet: one is set right away."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                connection = pymysql.connect(
                    unix_socket=str(self.socket), user="root", password="", connect_timeout=5
                )
            except pymysql.err.OperationalError:
                time.sleep(0.1)
                continue
            with connection:
                connection.cursor().execute("SELECT 1")
            # Also over TCP, where the tests connect.
            try:
                socket.create_connection((HOST, self.port), timeout=5).close()
            except OSError:
                return False
            return True
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: a normal shutdown
            try:
                self.process.wait(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=COMMAND_TIMEOUT)
        self.process = None

    # --- what the tests use --------------------------------------------------------

    def admin_connection(self) -> pymysql.Connection:
        """Root over the private unix socket, in autocommit mode."""
        return pymysql.connect(
            unix_socket=str(self.socket),
            user="root",
            password=self.root_password,
            autocommit=True,
        )

    def secure_root_and_create_role(self) -> None:
        """Give root a random password, drop its other accounts (reachable over TCP),
        and create the login user the tests connect as."""
        with (
            pymysql.connect(
                unix_socket=str(self.socket), user="root", password="", autocommit=True
            ) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT host FROM mysql.user WHERE user = 'root'")
            for (host,) in cursor.fetchall():
                if host != "localhost":
                    cursor.execute("DROP USER 'root'@%s", (host,))
            cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (self.role, self.password))
            cursor.execute(f"GRANT {ROLE_PRIVILEGES} ON *.* TO %s@'%%'", (self.role,))
            root_password = secrets.token_urlsafe(24)
            cursor.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (root_password,))
        self.root_password = root_password

    def url(self, name: str, driver: str = "pymysql") -> str:
        """The SQLAlchemy URL of database ``name`` for the login user, over TCP."""
        password = quote(self.password, safe="")
        return f"mysql+{driver}://{self.role}:{password}@{self.host}:{self.port}/{name}"

    def create_database(self, name: str, driver: str = "pymysql") -> str:
        """Create the empty database ``name`` (utf8mb4); return its URL for ``driver``
        (``pymysql`` or ``mysqldb``)."""
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"use a plain lowercase database name, not {name!r}")
        with self.admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        return self.url(name, driver)

    def databases(self) -> set[str]:
        """Every database on the server but its own system ones."""
        with self.admin_connection() as connection, connection.cursor() as cursor:
            cursor.execute("SHOW DATABASES")
            return {name for (name,) in cursor.fetchall()} - SYSTEM_DATABASES

    def tables(self, url: str) -> set[str]:
        """Names of the tables in the database at ``url``."""
        engine = create_engine(url, poolclass=pool.NullPool)
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """A MariaDB server of this test session (of this xdist worker), stopped at the end."""
    server_program, install_program = require_programs()
    # A short path: a unix socket's path is limited to about 100 bytes.
    base_dir = Path(tempfile.mkdtemp(prefix="pytest-mariadb-"))
    server = MariaDBServer(server_program, install_program, base_dir)
    try:
        server.init()
        server.start()
        server.secure_root_and_create_role()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)
