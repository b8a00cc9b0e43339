"""Probes: ``/health`` (the process serves) and ``/ready`` (the database is usable).

Ready means the database answers and is at the head revision of ``alembic/versions``:
a service whose migrations have not run would fail on its first query.
"""

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.api.dependencies import SessionDep
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


def head_revisions() -> list[str]:
    return sorted(ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_heads())


def current_revisions(session: Session) -> list[str]:
    return sorted(MigrationContext.configure(session.connection()).get_current_heads())


@router.get("/health")
{{ "async " if cookiecutter.database_api == "async" }}def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "Not ready: database unreachable or not at head"},
    },
)
{%- if cookiecutter.database_api == "async" %}
async def ready(session: SessionDep) -> Readiness | JSONResponse:
    head = head_revisions()
    try:
        # Alembic reads the version table through a sync connection: run_sync gives one.
        current = await session.run_sync(current_revisions)
    except (DBAPIError, OSError):  # OSError: asyncpg could not reach the server
{%- else %}
def ready(session: SessionDep) -> Readiness | JSONResponse:
    head = head_revisions()
    try:
        current = current_revisions(session)
    except DBAPIError:
{%- endif %}
        return _not_ready(Readiness(status="unavailable", reason="database unreachable", head=head))
    if current != head:
        reason = "database is not at the head revision"
        return _not_ready(
            Readiness(status="unavailable", reason=reason, current=current, head=head)
        )
    return Readiness(status="ready", current=current, head=head)


def _not_ready(readiness: Readiness) -> JSONResponse:
    return JSONResponse(status_code=503, content=readiness.model_dump())
