"""Request bodies and paths: the base class of every request body, and field types for
values every database can store."""

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict

# The largest 64-bit integer, the ids' type on every backend (SQLite's INTEGER, BIGINT
# elsewhere): anything larger can only be a client's mistake.
MAX_BIG_INTEGER = 2**63 - 1


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


# Text the database can store: PostgreSQL refuses NUL, and nothing stores a lone surrogate.
StoredText = Annotated[str, AfterValidator(_storable)]

RowId = Annotated[int, Path(ge=1, le=MAX_BIG_INTEGER)]


class RequestBody(BaseModel):
    # A field the schema does not declare is a 422 naming it: a misspelled optional field
    # ("descripton") would otherwise be dropped silently, and the request "succeed".
    model_config = ConfigDict(extra="forbid")
