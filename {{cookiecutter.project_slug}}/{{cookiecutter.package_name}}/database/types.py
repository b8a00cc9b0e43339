"""Column types that behave the same on every backend."""

from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import DateTime, Identity
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator

# Kept for models written as ``id: Mapped[PrimaryKey]``. A plain ``id: Mapped[int] =
# mapped_column(primary_key=True)`` is the same key now: base.py makes it an identity column.
PrimaryKey = Annotated[int, mapped_column(Identity(), primary_key=True)]


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC and always read back as an aware UTC datetime.

    SQLite and MySQL keep no offset: SQLite returns naive values (an aware one loses its
    offset and sorts wrongly) and MySQL refuses one. PostgreSQL returns the server's time
    zone. Naive values are refused on the way in, since their zone is unknown.
    Migrations render this type as ``sa.DateTime(timezone=True)``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; pass an aware datetime")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
