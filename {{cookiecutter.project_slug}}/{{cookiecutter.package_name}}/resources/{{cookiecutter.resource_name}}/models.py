"""Tables of the {{ cookiecutter.resource_name }} resource: an example to adapt or replace."""

import enum
from datetime import datetime

from sqlalchemy import Enum, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from {{ cookiecutter.package_name }}.database.base import Base
from {{ cookiecutter.package_name }}.database.types import UTCDateTime


class {{ cookiecutter.__model_class }}Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class {{ cookiecutter.__model_class }}(Base):
    __tablename__ = "{{ cookiecutter.resource_name }}"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[{{ cookiecutter.__model_class }}Status] = mapped_column(
        Enum(
            {{ cookiecutter.__model_class }}Status,
            name="{{ cookiecutter.resource_name }}_status",
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default={{ cookiecutter.__model_class }}Status.DRAFT,
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), server_default=func.current_timestamp()
    )
