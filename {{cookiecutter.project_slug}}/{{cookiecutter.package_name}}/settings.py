"""Settings read from the environment, then from the project's ``.env``.

``.env`` and a relative SQLite path are resolved against the project root (the folder
holding ``alembic.ini``), so commands behave the same from any working directory.
"""

{% if cookiecutter.web_framework == "fastapi" -%}
import re
{% endif -%}
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import URL, make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
{%- if cookiecutter.database_api == "async" %}
# The async engine needs an async driver; hosting platforms hand out URLs naming none
# (and postgres://, which SQLAlchemy no longer accepts): those get the default one.
SCHEME_REPLACEMENTS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "mysql": "mysql+aiomysql",
}
{%- else %}
# Hosting platforms still hand out URLs with schemes SQLAlchemy no longer accepts.
SCHEME_REPLACEMENTS = {"postgres": "postgresql+psycopg"}
{%- endif %}


class PoolSettings(BaseSettings):
    """The application's connection pool and its time limits, in seconds (POOL_SIZE=20,
    STATEMENT_TIMEOUT=2.5, ...). A request that gets no connection within POOL_TIMEOUT
    is a 503, and so is a statement still running after STATEMENT_TIMEOUT: under load,
    failing fast beats a queue that only grows. database/session.py applies them.

    Part of ``Settings``; also read on their own when the app is built, which needs no
    DATABASE_URL, so that an invalid value stops the service before it starts.
    """

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    pool_size: int = Field(default=10, ge=1)
    pool_timeout: float = Field(default=30, gt=0)
    statement_timeout: float = Field(default=30, gt=0)
    connect_timeout: float = Field(default=10, gt=0)


class Settings(PoolSettings):
    model_config = SettingsConfigDict(
        env_file=PROJECT_ROOT / ".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # A validation error would otherwise quote the URL, password included.
        hide_input_in_errors=True,
        arbitrary_types_allowed=True,
    )

    # A SQLAlchemy URL; percent-encode special characters in the password. Its repr
    # (and so the settings' repr) shows the password as ***.
    database_url: Annotated[URL, NoDecode]

    @field_validator("database_url", mode="before")
    @classmethod
    def _parse_database_url(cls, value: object) -> URL:
        return normalise_database_url(value if isinstance(value, URL) else make_url(str(value)))


# A PostgreSQL duration: 500ms, 5s, 2min, 1h.
Duration = Annotated[str, StringConstraints(pattern=r"^[0-9]+(ms|s|min|h)$")]


class MigrationSettings(BaseSettings):
    """How long a migration on PostgreSQL may wait for a lock, and run one statement.

    A migration waiting for a lock blocks every query queued behind it, so it gives up
    early instead; retry it when the table is quieter. Override for one run with
    ``MIGRATION_LOCK_TIMEOUT=30s alembic upgrade head`` (or in ``.env``).
    """

    model_config = SettingsConfigDict(
        env_prefix="MIGRATION_", env_file=PROJECT_ROOT / ".env", extra="ignore"
    )

    lock_timeout: Duration = "5s"
    statement_timeout: Duration = "5min"


def normalise_database_url(url: URL) -> URL:
    """``url`` with its scheme replaced where SCHEME_REPLACEMENTS says, and a relative
    SQLite path made absolute."""
    if url.drivername in SCHEME_REPLACEMENTS:
        url = url.set(drivername=SCHEME_REPLACEMENTS[url.drivername])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_absolute() and not url.database.startswith("file:"):
            url = url.set(database=str(PROJECT_ROOT / path))
    return url


class LoggingSettings(BaseSettings):
    """How the service logs (logging_config.py): LOG_LEVEL, and LOG_FORMAT ``text`` for
    people or ``json`` (one object per line) for a log collector."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


@contextmanager
def exit_on_invalid_settings() -> Iterator[None]:
    """Settings read inside stop the process on an invalid value with one ``error:`` line
    naming the setting, the value and what it accepts. For settings read at startup: a
    traceback through the server's import machinery would bury that line."""
    try:
        yield
    except ValidationError as error:
        problems = [
            f"{'.'.join(map(str, problem['loc'])).upper()}={problem['input']!r}:"
            f" {problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors()
        ]
        raise SystemExit(f"error: invalid setting {'; '.join(problems)}") from None


{% if cookiecutter.web_framework == "fastapi" -%}
# An origin as browsers send it: scheme, lowercase host (or [IPv6]) and optional port.
ORIGIN = re.compile(r"https?://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?")


class HttpSettings(BaseSettings):
    """What the app needs when it is built, before any request: read apart from
    ``Settings``, so that importing the app needs no DATABASE_URL."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    # The origins whose pages may call the API from a browser, comma-separated
    # (CORS_ORIGINS=https://app.example.com,http://localhost:5173). None by default: no
    # CORS headers, so browsers let only the API's own origin read its responses.
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        origins = [origin.strip() for origin in value.split(",") if origin.strip()]
        for origin in origins:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: CORS_ORIGINS takes origins such as"
                    " https://example.com or http://localhost:5173 (no path, no *),"
                    " separated by commas"
                )
        return origins


{% endif -%}
@lru_cache
def get_settings() -> Settings:
    return Settings()
