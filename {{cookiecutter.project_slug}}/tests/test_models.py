{%- set async_api = cookiecutter.database_api == "async" -%}
"""The example model works on the schema the migrations build (the shared test database,
in a transaction rolled back at the end of the test; see conftest.py)."""
{% if async_api %}
import asyncio
{%- endif %}
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
{%- if async_api %}
from sqlalchemy.ext.asyncio import async_sessionmaker
{%- else %}
from sqlalchemy.orm import sessionmaker
{%- endif %}

from {{ cookiecutter.package_name }}.resources.{{ cookiecutter.resource_name }}.models import (
    {{ cookiecutter.__model_class }},
    {{ cookiecutter.__model_class }}Status,
)

{% if async_api %}
def test_{{ cookiecutter.resource_name }}_round_trip(migrated_engine):
    async def round_trip() -> None:
        # The connection belongs to this event loop; closing it rolls its transaction back.
        async with migrated_engine.connect() as connection:
            await connection.begin()
            # A session's commit releases a savepoint, not the connection's transaction.
            sessions = async_sessionmaker(connection, join_transaction_mode="create_savepoint")
            async with sessions() as session:
                session.add({{ cookiecutter.__model_class }}(name="first", description="An example row"))
                await session.commit()

            async with sessions() as session:
                stored = (await session.scalars(select({{ cookiecutter.__model_class }}))).one()
                assert stored.name == "first"
                assert stored.status is {{ cookiecutter.__model_class }}Status.DRAFT
                # The database's default time, read back in UTC.
                assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)

    asyncio.run(round_trip())
{%- else %}
def test_{{ cookiecutter.resource_name }}_round_trip(connection):
    # A session's commit releases a savepoint, not the connection's transaction.
    sessions = sessionmaker(connection, join_transaction_mode="create_savepoint")
    with sessions() as session:
        session.add({{ cookiecutter.__model_class }}(name="first", description="An example row"))
        session.commit()

    with sessions() as session:
        stored = session.scalars(select({{ cookiecutter.__model_class }})).one()
        assert stored.name == "first"
        assert stored.status is {{ cookiecutter.__model_class }}Status.DRAFT
        # The database's default time, read back in UTC.
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)
{%- endif %}
