"""Building blocks of the API's JSON Schemas (draft 2020-12, OpenAPI 3.1's dialect).

Pure data: patterns, small schema constructors and :class:`Operation`, what one route takes
and answers.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from shared import validation
from shared.validation import Schema, nullable, ref

# The patterns the validation uses (one place: shared/validation.py).
ID = validation.ID_PATTERN.pattern
MONEY = validation.MONEY_PATTERN.pattern
IDEMPOTENCY_KEY = validation.IDEMPOTENCY_KEY.pattern


def obj(
    required: dict[str, Schema] | None = None,
    optional: dict[str, Schema] | None = None,
    *,
    extra: bool = True,
) -> Schema:
    """An object with ``required`` and ``optional`` properties; ``extra`` = other properties
    (documented extensions) allowed."""
    props = {**(required or {}), **(optional or {})}
    schema: Schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    if not extra:
        schema["additionalProperties"] = False
    return schema


def array(item: Schema) -> Schema:
    return {"type": "array", "items": item}


def items(item: Schema) -> Schema:
    """A whole list (not paged): ``{"items": [...]}``."""
    return obj({"items": array(item)})


def page(item: Schema) -> Schema:
    return obj({"items": array(item), "next_cursor": nullable(STRING)})


STRING: Schema = {"type": "string"}
TEXT: Schema = {"type": "string", "minLength": 1}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
ANY_OBJECT: Schema = {"type": "object"}


def integer(minimum: int, maximum: int) -> Schema:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


class Operation(Struct, frozen=True):
    """What one route takes and answers (besides 401/403, which follow from its roles)."""

    summary: str
    responses: dict[int, Schema]  # success status -> body schema
    errors: tuple[int, ...] = ()  # documented error statuses of this operation
    request: Schema | None = None  # JSON body schema (None: no body is read)
    body_required: bool = True
    example: dict[str, Any] | None = None  # a valid body
    query: dict[str, Schema] = field(default_factory=dict)
    path: dict[str, Schema] = field(default_factory=dict)  # path parameter schemas
    idempotency_key: bool = False  # takes the Idempotency-Key header
    # ... and refuses a request without it (400 idempotency_key_required)
    idempotency_key_required: bool = False
    media_type: str = "application/json"  # of the success responses (text/csv: exports)
    # A body that is not JSON (``request`` None): its media type and a valid example, e.g.
    # the members import's text/csv. The JSON fuzz and limits tests leave it alone.
    body_media_type: str | None = None
    body_example: str | None = None


LIST_QUERY = {"limit": integer(1, 100), "cursor": {"type": "string", "minLength": 1}}


def paged(
    summary: str,
    body: Schema,
    errors: tuple[int, ...] = (422,),
    query: dict[str, Schema] | None = None,
) -> Operation:
    """A GET answering one page of a list (``limit`` and ``cursor``, then ``query``)."""
    return Operation(summary, {200: body}, errors, query={**LIST_QUERY, **(query or {})})


def upsert(
    what: str, body: Schema, errors: tuple[int, ...], request: Schema, example: dict[str, Any]
) -> Operation:
    """A PUT to an id that creates (201) or replaces (200) ``what``, answering ``body``."""
    return Operation(
        f"Create (201) or replace (200) {what}.",
        {201: body, 200: body},
        errors,
        request=request,
        example=example,
    )


# Fragments more than one area uses.
DELIVERY_EXAMPLE = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Rd"}
ORDER_WITH_EXTRAS = ref("Order")
