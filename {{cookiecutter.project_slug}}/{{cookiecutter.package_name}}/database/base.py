"""The declarative base every model inherits from."""

{% if cookiecutter.__database_backend != "sqlite" -%}
from sqlalchemy import BigInteger, MetaData
{%- else -%}
from sqlalchemy import MetaData
{%- endif %}
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic drop and alter them on every backend. Names cover every
# column, so two constraints that start with the same column never collide; SQLAlchemy
# shortens a name past the backend's limit with a stable hash.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
{%- if cookiecutter.__database_backend != "sqlite" %}
    # Every Mapped[int] is 64-bit, keys and the columns that refer to them alike: no table
    # outgrows a 32-bit key. (SQLite's INTEGER is 64-bit already.)
    type_annotation_map = {int: BigInteger}
{%- endif %}
