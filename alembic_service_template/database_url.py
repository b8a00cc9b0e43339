"""Reading the ``database_url`` answer: which backend, which driver, what to install.

SQLAlchemy's own parser (``sqlalchemy.engine.make_url``) is used when it is importable.
Cookiecutter is often installed on its own (``pipx install cookiecutter``), so a
standard-library parser following the same RFC 1738 grammar stands in for it there;
the template's tests check that both agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

# The database APIs a project can use (the database_api prompt), the default first.
DATABASE_APIS = ("sync", "async")

# Per database API, the backends the template supports, each with its drivers and the
# requirement each driver needs in pyproject.toml; the first driver of a backend is the
# one a URL naming none gets (SQLAlchemy's own default for sync).
DRIVERS: dict[str, dict[str, dict[str, str]]] = {
    "sync": {
        "sqlite": {"pysqlite": ""},
        "postgresql": {
            "psycopg": "psycopg[binary] (>=3.2,<4.0)",
            "psycopg2": "psycopg2-binary (>=2.9,<3.0)",
            "pg8000": "pg8000 (>=1.31,<2.0)",
        },
        "mysql": {
            "mysqldb": "mysqlclient (>=2.2,<3.0)",
            # The rsa extra brings cryptography, which MySQL 8's default authentication
            # (caching_sha2_password) needs over a connection without TLS.
            "pymysql": "pymysql[rsa] (>=1.1,<2.0)",
        },
    },
    "async": {
        "sqlite": {"aiosqlite": "aiosqlite (>=0.21,<1.0)"},
        "postgresql": {
            "asyncpg": "asyncpg (>=0.30,<1.0)",
            # psycopg 3 is one driver for both APIs.
            "psycopg": "psycopg[binary] (>=3.2,<4.0)",
        },
        "mysql": {
            # 0.3 wheels install top-level "examples" and "docs" packages beside it.
            "aiomysql": "aiomysql[rsa] (>=0.2,<0.3)",
            "asyncmy": "asyncmy (>=0.2,<1.0)",
        },
    },
}
# The sync drivers (today's default answers) are what the URL alone is read with.
DRIVER_REQUIREMENTS = DRIVERS["sync"]
DEFAULT_DRIVERS = {backend: next(iter(drivers)) for backend, drivers in DRIVER_REQUIREMENTS.items()}
DEFAULT_ASYNC_DRIVERS = {
    backend: next(iter(drivers)) for backend, drivers in DRIVERS["async"].items()
}

UNENCODED_AT_IN_PASSWORD = (
    "the password contains '@': percent-encode it as %40 (and ':' as %3A, '/' as %2F, '%' as %25)"
)

# Schemes other tools write that SQLAlchemy no longer accepts.
LEGACY_SCHEMES = {"postgres": "postgresql+psycopg"}
# What an async project reads a URL naming no driver as: an async engine needs an async
# driver, and postgres:// and postgresql:// are what hosting platforms hand out.
ASYNC_SCHEMES = {
    "postgres": f"postgresql+{DEFAULT_ASYNC_DRIVERS['postgresql']}",
    **{backend: f"{backend}+{driver}" for backend, driver in DEFAULT_ASYNC_DRIVERS.items()},
}

_RFC_1738 = re.compile(
    r"""
    (?P<name>[\w+]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class DatabaseUrl:
    """The parts of a database URL, with the password decoded."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None

    @property
    def backend(self) -> str:
        return self.drivername.partition("+")[0]

    @property
    def driver(self) -> str:
        return self.drivername.partition("+")[2] or DEFAULT_DRIVERS.get(self.backend, "")

    def render(self, password: str | None = None) -> str:
        """The URL as text, with ``password`` in place of the real one (none if None)."""
        text = f"{self.drivername}://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None and password is not None:
                text += ":" + quote(password, safe=" +*")
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        return text


def parse_database_url(text: str) -> DatabaseUrl:
    """Parse ``text`` as SQLAlchemy does; raise ValueError when it is not a URL."""
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
    except ImportError:
        return _parse_with_stdlib(text)
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as error:
        raise ValueError(str(error)) from None
    return DatabaseUrl(url.drivername, url.username, url.password, url.host, url.port, url.database)


def _parse_with_stdlib(text: str) -> DatabaseUrl:
    match = _RFC_1738.match(text)
    if match is None:
        raise ValueError("Could not parse SQLAlchemy URL from given URL string")
    parts = match.groupdict()
    port = parts["port"]
    # As SQLAlchemy does: 'host:' (an empty port) is an error, not "no port".
    port_number = None if port is None else int(port)
    return DatabaseUrl(
        drivername=parts["name"],
        username=_unquoted(parts["username"]),
        password=_unquoted(parts["password"]),
        host=parts["ipv4host"] or parts["ipv6host"],
        port=port_number,
        database=_unquoted(parts["database"]),
    )


def _unquoted(part: str | None) -> str | None:
    return None if part is None else unquote(part)


def scheme_replacements(database_api: str = "sync") -> dict[str, str]:
    """The schemes a project of ``database_api`` rewrites, and what to."""
    return ASYNC_SCHEMES if database_api == "async" else LEGACY_SCHEMES


def normalise_scheme(text: str, database_api: str = "sync") -> str:
    """``text`` with a legacy scheme (``postgres://``) replaced, and for ``async`` a scheme
    naming no driver given the default async one; otherwise unchanged."""
    scheme, separator, rest = text.partition("://")
    replacements = scheme_replacements(database_api)
    if separator and scheme in replacements:
        return f"{replacements[scheme]}://{rest}"
    return text


def describe_problem(url: DatabaseUrl, database_api: str = "sync") -> str | None:
    """Why a ``database_api`` project cannot use ``url``, or None when it can."""
    if url.backend not in DRIVER_REQUIREMENTS:
        backends = ", ".join(DRIVER_REQUIREMENTS)
        return f"backend {url.backend!r} is not supported; use one of: {backends}"
    drivers = DRIVERS[database_api][url.backend]
    if url.driver not in drivers:
        allowed = ", ".join(f"{url.backend}+{driver}" for driver in drivers)
        other_api = next(api for api in DATABASE_APIS if api != database_api)
        if url.driver in DRIVERS[other_api][url.backend]:
            return (
                f"has the {other_api}-only driver {url.driver!r}, which database_api="
                f"{database_api} cannot use; use one of: {allowed}"
                + (" (or database_api=async)" if other_api == "async" else "")
            )
        return (
            f"driver {url.driver!r} is not supported for {url.backend} with database_api="
            f"{database_api}; use one of: {allowed}"
        )
    if url.host and "@" in url.host:
        return UNENCODED_AT_IN_PASSWORD
    if not url.database or url.database == ":memory:":
        what = (
            "a file path, as in sqlite:///service.db"
            if url.backend == "sqlite"
            else "a database name"
        )
        return f"the URL names no database; give {what}"
    if url.backend != "sqlite" and not url.host:
        return "the URL names no host; give one, as in postgresql+psycopg://user:password@localhost:5432/service"
    return None


def driver_requirement(url: DatabaseUrl, database_api: str = "sync") -> str:
    """The pyproject.toml requirement of the URL's driver ('' when Python ships it)."""
    return DRIVERS[database_api][url.backend][url.driver]
