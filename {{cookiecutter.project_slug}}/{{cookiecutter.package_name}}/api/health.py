"""Probes: ``/health`` (the process serves) and ``/ready`` (the database is usable).

Ready means the database answers and has this build's migrations: it is at the head
revision of ``alembic/versions``, or at a revision this build does not know, which a newer
build's migrations wrote. During a rolling deploy the new build migrates first, and the
replicas of the previous one must stay in service meanwhile. A database behind the head
(at an older revision, or empty) would fail queries this build makes: not ready. So would
one left at a revision that ``squash`` replaced (under ``alembic/squashed/``), which this
build does not know either but is behind it, not ahead.
"""

from functools import lru_cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.api.dependencies import SessionDep
{%- if cookiecutter.database_api == "async" %}
from {{ cookiecutter.package_name }}.api.errors import CONNECTION_FAILURES
{%- endif %}
from {{ cookiecutter.package_name }}.database.squashed import squashed_revisions
from {{ cookiecutter.package_name }}.settings import PROJECT_ROOT

# The project root, the package's parent, holds alembic.ini: found whatever the cwd.
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"

router = APIRouter(tags=["probes"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    reason: str | None = None
    current: list[str] = []
    head: list[str] = []


class BuildRevisions(BaseModel):
    head: list[str]
    known: frozenset[str]
    # Revisions that squash replaced (alembic/squashed/), each with its baseline.
    squashed: dict[str, str]


@lru_cache
def build_revisions() -> BuildRevisions:
    """This build's head revisions, every revision it ships and those squashed away, read
    once (the service's startup reads them): the files do not change while it runs."""
    scripts = ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))
    known = frozenset(script.revision for script in scripts.walk_revisions())
    squashed = {
        revision: baseline
        for revision, baseline in squashed_revisions().items()
        if revision not in known
    }
    return BuildRevisions(head=sorted(scripts.get_heads()), known=known, squashed=squashed)


def current_revisions(session: Session) -> list[str]:
    return sorted(MigrationContext.configure(session.connection()).get_current_heads())


# Async though it awaits nothing: answered on the event loop, not in a worker thread, so
# it answers even while every thread waits on the database, and a busy service is not
# restarted for failing its liveness probe.
@router.get("/health")
async def health() -> Health:
    """The process serves requests; the database is not consulted."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "Not ready: database unreachable or behind"},
    },
)
{%- if cookiecutter.database_api == "async" %}
async def ready(session: SessionDep) -> Readiness | JSONResponse:
    """Ready when the database answers and has this build's migrations (or a newer
    build's); a 503 saying why otherwise."""
    build = build_revisions()
    try:
        # Alembic reads the version table through a sync connection: run_sync gives one.
        current = await session.run_sync(current_revisions)
    except (DBAPIError, *CONNECTION_FAILURES):
{%- else %}
def ready(session: SessionDep) -> Readiness | JSONResponse:
    """Ready when the database answers and has this build's migrations (or a newer
    build's); a 503 saying why otherwise."""
    build = build_revisions()
    try:
        current = current_revisions(session)
    except DBAPIError:
{%- endif %}
        return _not_ready(
            Readiness(status="unavailable", reason="database unreachable", head=build.head)
        )
    readiness = Readiness(status="ready", current=current, head=build.head)
    if current == build.head:
        return readiness
    squashed = [revision for revision in current if revision in build.squashed]
    if squashed:
        readiness.status = "unavailable"
        readiness.reason = (
            f"database is at revision {squashed[0]}, which squash replaced with baseline"
            f" {build.squashed[squashed[0]]}: upgrade it with a build from before the squash,"
            " or recreate it"
        )
        return _not_ready(readiness)
    if any(revision not in build.known for revision in current):
        readiness.reason = "database is ahead of this build: a newer build migrated it"
        return readiness
    readiness.status = "unavailable"
    readiness.reason = "database is behind this build's head revision"
    return _not_ready(readiness)


def _not_ready(readiness: Readiness) -> JSONResponse:
    return JSONResponse(status_code=503, content=readiness.model_dump())
