"""What the routes ask FastAPI for: a database session and a page of a list."""

from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field
{%- if cookiecutter.database_api == "async" %}
from sqlalchemy.ext.asyncio import AsyncSession
{%- else %}
from sqlalchemy.orm import Session
{%- endif %}

from {{ cookiecutter.package_name }}.api.fields import MAX_BIG_INTEGER
{%- if cookiecutter.database_api == "async" %}
from {{ cookiecutter.package_name }}.database.session import get_session
{%- else %}
from {{ cookiecutter.package_name }}.database.session import POOL_SIZE, get_session
{%- endif %}

MAX_PAGE_SIZE = 100

{% if cookiecutter.database_api == "async" -%}
# One session per request, closed (and rolled back if not committed) when it ends.
SessionDep = Annotated[AsyncSession, Depends(get_session)]
{%- else -%}
# One session per request, closed (and rolled back if not committed) when it ends.
# No more sessions than the pool has connections: a request beyond that waits here, in
# the event loop, rather than in a worker thread blocked on the pool. Threads blocked on
# the pool could take every worker thread, while the requests holding the connections
# need one to validate their response before they close their session: a deadlock that
# only the pool's timeout breaks (fastapi/fastapi#3205).
SessionDep = Annotated[Session, Depends(get_session, max_concurrency=POOL_SIZE)]
{%- endif %}


class Page(BaseModel):
    """``?limit=&offset=``: at most ``MAX_PAGE_SIZE`` rows, after skipping ``offset``."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_BIG_INTEGER)


PageDep = Annotated[Page, Query()]
