"""What clients send and get back for the {{ cookiecutter.resource_name }} resource."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from {{ cookiecutter.package_name }}.api.fields import RequestBody, StoredText

from .models import {{ cookiecutter.__model_class }}Status

Name = Annotated[StoredText, Field(min_length=1, max_length=200)]


class {{ cookiecutter.__model_class }}Create(RequestBody):
    name: Name
    description: StoredText | None = None
    status: {{ cookiecutter.__model_class }}Status = {{ cookiecutter.__model_class }}Status.DRAFT


class {{ cookiecutter.__model_class }}Update(RequestBody):
    """Only the fields sent change; `description` may be set to null, the others not."""

    name: Name | SkipJsonSchema[None] = None
    description: StoredText | None = None
    status: {{ cookiecutter.__model_class }}Status | SkipJsonSchema[None] = None

    @field_validator("name", "status")
    @classmethod
    def not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class {{ cookiecutter.__model_class }}Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    status: {{ cookiecutter.__model_class }}Status
    created_at: datetime
