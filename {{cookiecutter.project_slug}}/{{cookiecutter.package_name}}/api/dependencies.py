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
from {{ cookiecutter.package_name }}.database.session import get_session

MAX_PAGE_SIZE = 100

# One session per request, closed (and rolled back if not committed) when it ends.
SessionDep = Annotated[{{ "AsyncSession" if cookiecutter.database_api == "async" else "Session" }}, Depends(get_session)]


class Page(BaseModel):
    """``?limit=&offset=``: at most ``MAX_PAGE_SIZE`` rows, after skipping ``offset``."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=MAX_BIG_INTEGER)


PageDep = Annotated[Page, Query()]
