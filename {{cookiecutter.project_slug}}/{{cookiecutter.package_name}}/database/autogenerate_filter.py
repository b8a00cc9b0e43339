"""Which objects autogenerate compares (``alembic revision --autogenerate``, ``alembic
check``): yours to edit. ``alembic/env.py`` passes ``include_object`` to Alembic.

By default everything of ours is compared, the tables of the models and those in the
database alike, so a table removed from the models gets a drop in the next revision.
Name in ``NOT_OURS`` the tables that something else owns, such as a job queue's tables or
a view a model reads from: no revision then creates, changes or drops them.
"""

from alembic import context
from sqlalchemy import UniqueConstraint, inspect

from {{ cookiecutter.package_name }}.database.base import Base

# Tables (or views) that Alembic leaves alone, in the models and in the database.
NOT_OURS: frozenset[str] = frozenset()


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Whether autogenerate compares ``object_``, a table, column, index or constraint of
    the models or, when ``reflected``, of the database."""
    if type_ == "table":
        return name not in NOT_OURS
    if type_ == "unique_constraint" and compare_to is None:
        return not unique_under_another_name(object_, reflected)
    return True


def unique_under_another_name(constraint: UniqueConstraint, reflected: bool) -> bool:
    """Whether the other side has a unique constraint on the same columns, named otherwise.

    Alembic pairs unique constraints by name. A database created without Alembic names
    them itself (PostgreSQL's ``item_name_key`` for the models' ``uq_item_name``), and
    adopting it (``alembic stamp head``) must not drop and re-create each of them.
    """
    columns = {column.name for column in constraint.columns}
    table = constraint.table
    if reflected:
        model_table = Base.metadata.tables.get(table.key)
        others = [] if model_table is None else model_table.constraints
        named = [
            {column.name for column in other.columns}
            for other in others
            if isinstance(other, UniqueConstraint)
        ]
    else:
        in_database = inspect(context.get_bind()).get_unique_constraints(
            table.name, schema=table.schema
        )
        named = [set(found["column_names"]) for found in in_database]
    return columns in named
