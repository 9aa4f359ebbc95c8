"""Table rows as the domain values repositories hand out (msgspec Structs), so no use case
ever holds a pynamodb row. Stored text becomes the field's type: ISO-8601 times and days,
decimal strings as ``Decimal``; attributes the value does not name are left out."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from pynamodb.models import Model

from shared.dynamodb.models import as_plain

S = TypeVar("S", bound=msgspec.Struct)


def value_of(row: Model, cls: type[S], **renamed: str) -> S:
    """``row`` as a ``cls`` value; ``renamed`` maps a field of ``cls`` to its attribute."""
    stored = {name: as_plain(v) for name, v in row.attribute_values.items() if v is not None}
    for field, attribute in renamed.items():
        if attribute in stored:
            stored[field] = stored.pop(attribute)
    return msgspec.convert(stored, cls, strict=False)
