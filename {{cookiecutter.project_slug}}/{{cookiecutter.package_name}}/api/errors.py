"""Errors as HTTP answers, all in FastAPI's ``{"detail": ...}`` shape with the request's ID
(``request_id``) beside it. Of the database's errors, a conflict is the client's (409), an
outage is ours (503).

No answer shows the database URL, a password or the SQL: only what the client can act on.
"""

import json
import logging
{%- if cookiecutter.database_api == "async" %}
import socket
{%- endif %}
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel
from sqlalchemy import Index, UniqueConstraint
{%- if cookiecutter.database_api == "async" %}
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
{%- else %}
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
{%- endif %}
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from {{ cookiecutter.package_name }}.database.base import Base
from {{ cookiecutter.package_name }}.logging_config import request_id

logger = logging.getLogger(__name__)
{%- if cookiecutter.database_api == "async" %}

# How asyncpg fails to reach the server: refused or reset (ConnectionError), no answer
# within CONNECT_TIMEOUT (TimeoutError), or a host name that does not resolve.
CONNECTION_FAILURES = (ConnectionError, TimeoutError, socket.gaierror)
# PostgreSQL's query_canceled: a statement ran past STATEMENT_TIMEOUT.
QUERY_CANCELED = "57014"
{%- endif %}


class Message(BaseModel):
    detail: str
    request_id: str


class Conflict(BaseModel):
    detail: str
    fields: list[str]
    request_id: str


def error_content(detail: object, **fields: object) -> dict[str, object]:
    """An error's body: ``detail``, then ``fields``, then the request's ID, which the client
    quotes to find the request's log lines."""
    return {"detail": detail, **fields, "request_id": request_id.get()}


DATABASE_UNAVAILABLE = {
    503: {"model": Message, "description": "The database is unavailable"},
}
CONFLICT = {
    409: {"model": Conflict, "description": "A unique field is already taken"},
}


def unique_fields(error: IntegrityError) -> tuple[str, list[str]] | None:
    """The table and columns of the unique constraint ``error`` violated, if that is what
    it is: PostgreSQL and MySQL name the constraint, SQLite names the columns."""
    original = error.orig
    constraint = getattr(getattr(original, "diag", None), "constraint_name", None)  # psycopg
    if constraint is None:  # asyncpg: SQLAlchemy's adapter keeps the driver's error as the cause
        constraint = getattr(original.__cause__, "constraint_name", None)
    if constraint is None and getattr(original, "args", None):
        message = str(original.args[-1])
        if message.startswith("UNIQUE constraint failed: "):  # SQLite: "table.a, table.b"
            columns = [part.strip() for part in message.partition(": ")[2].split(",")]
            tables = {column.partition(".")[0] for column in columns}
            if len(tables) == 1:
                return tables.pop(), [column.partition(".")[2] for column in columns]
            return None
        if message.startswith("Duplicate entry "):  # MySQL: "... for key 'table.name'"
            constraint = message.rpartition(" for key ")[2].strip("'").rpartition(".")[2]
    if constraint is None:
        return None
    for table in Base.metadata.tables.values():
        for unique in (*table.constraints, *table.indexes):
            is_unique = isinstance(unique, UniqueConstraint) or (
                isinstance(unique, Index) and unique.unique
            )
            if is_unique and unique.name == constraint:
                return table.name, [column.name for column in unique.columns]
    return None


class EscapedJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped, so that any text echoed back from the
    request (a lone surrogate, say) can be encoded."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    # FastAPI's own answer, which shows each invalid input, encoded safely.
    return EscapedJSONResponse(
        status_code=422, content=error_content(jsonable_encoder(error.errors()))
    )


def http_error(request: Request, error: HTTPException) -> Response:
    # A route's HTTPException (a missing row's 404) and the router's own 404 and 405.
    if not is_body_allowed_for_status_code(error.status_code):
        return Response(status_code=error.status_code, headers=error.headers)
    return JSONResponse(
        status_code=error.status_code, content=error_content(error.detail), headers=error.headers
    )


def integrity_error(request: Request, error: IntegrityError) -> JSONResponse:
    violated = unique_fields(error)
    if violated is None:
        return JSONResponse(
            status_code=409, content=error_content("The change conflicts with stored data.")
        )
    table, fields = violated
    detail = f"Another {table.replace('_', ' ')} already has this {', '.join(fields)}."
    return JSONResponse(status_code=409, content=error_content(detail, fields=fields))


def data_error(request: Request, error: DataError) -> JSONResponse:
    # A value the schemas let through but the column refuses; shaped as FastAPI's 422.
    problem = {"type": "database_value", "loc": [], "msg": "A value does not fit its column."}
    return JSONResponse(status_code=422, content=error_content([problem]))


def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    # The details (host, port, reason, where it failed) are for the operator's log, not
    # the client.
    logger.error("Database unavailable: %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse(
        status_code=503, content=error_content("The database is unavailable; try again later.")
    )


{%- if cookiecutter.database_api == "async" %}


def unclassified_database_error(request: Request, error: DBAPIError) -> JSONResponse:
    # asyncpg's errors SQLAlchemy has no class for arrive as the base DBAPIError, a
    # statement timeout among them: that one is an outage, the others stay 500s.
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:
        return database_unavailable(request, error)
    raise error
{%- endif %}


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(OperationalError, database_unavailable)
    app.add_exception_handler(InterfaceError, database_unavailable)
    # Every pooled connection stayed busy for the pool's whole timeout.
    app.add_exception_handler(PoolTimeoutError, database_unavailable)
{%- if cookiecutter.database_api == "async" %}
    # asyncpg's connection failures reach us as the socket's own errors, which SQLAlchemy
    # passes through unwrapped. Any other OSError is a bug, not an outage: a 500.
    for failure in CONNECTION_FAILURES:
        app.add_exception_handler(failure, database_unavailable)
    app.add_exception_handler(DBAPIError, unclassified_database_error)
{%- endif %}
