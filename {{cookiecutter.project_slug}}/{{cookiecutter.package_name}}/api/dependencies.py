"""What the routes ask FastAPI for: a database session and a page of a list."""

{% if cookiecutter.database_api == "sync" -%}
from collections.abc import AsyncIterator
from functools import lru_cache
{% endif -%}
from typing import Annotated

{% if cookiecutter.database_api == "sync" -%}
import anyio
{% endif -%}
from fastapi import Depends, Query
from pydantic import BaseModel, Field
{%- if cookiecutter.database_api == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{%- else %}
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session
{%- endif %}

from {{ cookiecutter.package_name }}.api.fields import MAX_BIG_INTEGER
{%- if cookiecutter.database_api == "async" %}
from {{ cookiecutter.package_name }}.database.session import get_session
{%- else %}
from {{ cookiecutter.package_name }}.database.session import get_sessionmaker
from {{ cookiecutter.package_name }}.settings import get_settings
{%- endif %}

MAX_PAGE_SIZE = 100
{% if cookiecutter.database_api == "async" %}
# One session per request, closed (and rolled back if not committed) when it ends. A
# request waits for a pooled connection in the event loop, for POOL_TIMEOUT at most.
SessionDep = Annotated[AsyncSession, Depends(get_session)]
{%- else %}

@lru_cache
def connection_slots() -> anyio.Semaphore:
    """One slot per pooled connection (POOL_SIZE)."""
    return anyio.Semaphore(get_settings().pool_size)


async def pooled_session() -> AsyncIterator[Session]:
    """A session holding one of the pool's connections for the request; a 503 (through
    the pool's own timeout error) when none is free within POOL_TIMEOUT.

    The wait happens here, in the event loop, rather than in a worker thread blocked on
    the pool. Threads blocked on the pool could take every worker thread, while the
    requests holding the connections need one to validate their response before they
    close their session: a deadlock (fastapi/fastapi#3205).
    """
    slots = connection_slots()
    timeout = get_settings().pool_timeout
    try:
        with anyio.fail_after(timeout):
            await slots.acquire()
    except TimeoutError:
        raise PoolTimeoutError(f"No database connection was free within {timeout:g} s") from None
    # One dependency rather than a slot beside get_session: FastAPI runs a sync generator
    # in a worker thread twice (to open and to close), and the extra layer and thread hop
    # cost about a tenth of a request's CPU (benchmarks/README.md).
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        try:
            # Closing rolls back and gives the connection back to the pool: blocking work,
            # for a worker thread, done even if the request was cancelled. The slot is
            # free once the connection is back.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)
        finally:
            slots.release()


# One session per request, closed (and rolled back if not committed) when it ends; no
# more sessions at once than the pool has connections.
SessionDep = Annotated[Session, Depends(pooled_session)]
{%- endif %}


class Page(BaseModel):
    """``?limit=&offset=``: at most ``MAX_PAGE_SIZE`` rows, after skipping ``offset``."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_BIG_INTEGER)


PageDep = Annotated[Page, Query()]
