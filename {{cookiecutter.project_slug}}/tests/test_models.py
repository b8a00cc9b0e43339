{%- set async_api = cookiecutter.database_api == "async" -%}
"""The example model works on the schema the migrations build."""
{% if async_api %}
import asyncio
{%- endif %}
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
{%- if async_api %}
from sqlalchemy.ext.asyncio import AsyncSession
{%- else %}
from sqlalchemy.orm import Session
{%- endif %}

from {{ cookiecutter.package_name }}.api.resources.{{ cookiecutter.resource_name }}.models import (
    {{ cookiecutter.__model_class }},
    {{ cookiecutter.__model_class }}Status,
)

{% if async_api %}
def test_{{ cookiecutter.resource_name }}_round_trip(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_to("heads")

    async def round_trip() -> None:
        async with AsyncSession(alembic_engine) as session:
            session.add({{ cookiecutter.__model_class }}(name="first", description="An example row"))
            await session.commit()

        async with AsyncSession(alembic_engine) as session:
            stored = (await session.scalars(select({{ cookiecutter.__model_class }}))).one()
            assert stored.name == "first"
            assert stored.status is {{ cookiecutter.__model_class }}Status.DRAFT
            # The database's default time, read back in UTC.
            assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    asyncio.run(round_trip())
    alembic_runner.migrate_down_to("base")
{%- else %}
def test_{{ cookiecutter.resource_name }}_round_trip(alembic_runner, alembic_engine):
    alembic_runner.migrate_up_to("heads")

    with Session(alembic_engine) as session:
        session.add({{ cookiecutter.__model_class }}(name="first", description="An example row"))
        session.commit()

    with Session(alembic_engine) as session:
        stored = session.scalars(select({{ cookiecutter.__model_class }})).one()
        assert stored.name == "first"
        assert stored.status is {{ cookiecutter.__model_class }}Status.DRAFT
        # The database's default time, read back in UTC.
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    alembic_runner.migrate_down_to("base")
{%- endif %}
