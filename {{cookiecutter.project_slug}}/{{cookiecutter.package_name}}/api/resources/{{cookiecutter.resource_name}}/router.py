{%- set async_api = cookiecutter.database_api == "async" -%}
"""HTTP routes of the {{ cookiecutter.resource_name }} resource, found by ``api/routers.py``."""

from collections.abc import Sequence

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy import Row, bindparam, inspect, select
{%- if async_api %}
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
{%- else %}
from sqlalchemy.orm import InstrumentedAttribute, Session
{%- endif %}

from {{ cookiecutter.package_name }}.api.dependencies import PageDep, SessionDep
from {{ cookiecutter.package_name }}.api.errors import CONFLICT, Message
from {{ cookiecutter.package_name }}.api.fields import RowId

from .models import {{ cookiecutter.__model_class }}
from .schemas import {{ cookiecutter.__model_class }}Create, {{ cookiecutter.__model_class }}Read, {{ cookiecutter.__model_class }}Update

router = APIRouter(prefix="/{{ cookiecutter.__collection }}", tags=["{{ cookiecutter.__collection }}"])


def read_columns() -> list[InstrumentedAttribute]:
    """The columns {{ cookiecutter.__model_class }}Read shows. Reads select plain rows of these:
    building and tracking an ORM object per row costs more than the query itself.
    A field that is not a column (a relationship, say) is a KeyError, at import."""
    columns = inspect({{ cookiecutter.__model_class }}).column_attrs
    return [columns[field].class_attribute for field in {{ cookiecutter.__model_class }}Read.model_fields]


# The reads are built once, at import: a request only binds its values, rather than
# building the statement and its cache key again.
READ = select(*read_columns())
SELECT_ONE = READ.where({{ cookiecutter.__model_class }}.id == bindparam("id"))
SELECT_PAGE = READ.order_by({{ cookiecutter.__model_class }}.id).limit(bindparam("limit")).offset(bindparam("offset"))

NOT_FOUND = {
    404: {"model": Message, "description": "No {{ cookiecutter.resource_name }} has this id"},
}


def not_found(id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{{ cookiecutter.__model_class }} {id} not found")


{{ "async " if async_api }}def get_or_404(session: {{ "AsyncSession" if async_api else "Session" }}, id: int) -> {{ cookiecutter.__model_class }}:
    row = {{ "await " if async_api }}session.get({{ cookiecutter.__model_class }}, id)
    if row is None:
        raise not_found(id)
    return row


@router.get("", response_model=list[{{ cookiecutter.__model_class }}Read])
{{ "async " if async_api }}def list_{{ cookiecutter.__collection }}(session: SessionDep, page: PageDep) -> Sequence[Row]:
    """One page, by id: a stable order, so pages neither repeat nor skip rows."""
    values = {"limit": page.limit, "offset": page.offset}
    # FastAPI reads the rows into the response model in one pass as it validates them.
    return {{ "(await session.execute(SELECT_PAGE, values))" if async_api else "session.execute(SELECT_PAGE, values)" }}.all()


@router.get("/{id}", responses=NOT_FOUND)
{{ "async " if async_api }}def get_{{ cookiecutter.resource_name }}(session: SessionDep, id: RowId) -> {{ cookiecutter.__model_class }}Read:
    row = {{ '(await session.execute(SELECT_ONE, {"id": id}))' if async_api else 'session.execute(SELECT_ONE, {"id": id})' }}.one_or_none()
    if row is None:
        raise not_found(id)
    return {{ cookiecutter.__model_class }}Read.model_validate(row)


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
{{ "async " if async_api }}def create_{{ cookiecutter.resource_name }}(
    session: SessionDep, body: {{ cookiecutter.__model_class }}Create, request: Request, response: Response
) -> {{ cookiecutter.__model_class }}Read:
    row = {{ cookiecutter.__model_class }}(**body.model_dump())
    session.add(row)
    {{ "await " if async_api }}session.commit()
    response.headers["Location"] = str(request.url_for("get_{{ cookiecutter.resource_name }}", id=row.id))
    return {{ cookiecutter.__model_class }}Read.model_validate(row)


@router.patch("/{id}", responses=NOT_FOUND | CONFLICT)
{{ "async " if async_api }}def update_{{ cookiecutter.resource_name }}(session: SessionDep, id: RowId, body: {{ cookiecutter.__model_class }}Update) -> {{ cookiecutter.__model_class }}Read:
    row = {{ "await " if async_api }}get_or_404(session, id)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    {{ "await " if async_api }}session.commit()
    return {{ cookiecutter.__model_class }}Read.model_validate(row)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
{{ "async " if async_api }}def delete_{{ cookiecutter.resource_name }}(session: SessionDep, id: RowId) -> None:
    {{ "await " if async_api }}session.delete({{ "await " if async_api }}get_or_404(session, id))
    {{ "await " if async_api }}session.commit()
