"""Rows and domain values: the repositories hand use cases msgspec Structs, never pynamodb
rows, and turn the Structs they are given into rows."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from shared.dynamodb.models.base import as_plain

S = TypeVar("S", bound=msgspec.Struct)
M = TypeVar("M", bound=Model)


def row_at(cls: type[M], pk: str, sk: str, *, consistent: bool = True) -> M | None:
    """The ``cls`` row at ``pk``/``sk``, or None where there is none (a strongly consistent
    read unless ``consistent`` is False)."""
    try:
        return cls.get(pk, sk, consistent_read=consistent)
    except DoesNotExist:
        return None


def value_of(item: Model, cls: type[S], **extra: Any) -> S:
    """``item``'s attributes as a ``cls``: attributes the Struct does not name are left out,
    absent or null ones take the Struct's defaults; ``extra`` adds or renames values."""
    values = {k: as_plain(v) for k, v in item.attribute_values.items() if v is not None}
    return msgspec.convert({**values, **extra}, cls, strict=False)


def row_of(cls: type[M], value: msgspec.Struct, **extra: Any) -> M:
    """A domain value as a row of ``cls`` (keys and other attributes in ``extra``); None
    values are left out, so the row's own defaults apply."""
    values = {k: v for k, v in msgspec.structs.asdict(value).items() if v is not None}
    return cls(**{**values, **extra})
