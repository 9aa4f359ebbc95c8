"""Rows and domain values: the repositories hand use cases msgspec Structs, never pynamodb
rows, and turn the Structs they are given into rows."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from shared.dynamodb.connection import table
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


def rows_at(
    cls: type[M],
    keys: list[tuple[str, str]],
    *,
    consistent: bool = True,
    attributes: list[str] | None = None,
) -> list[M]:
    """The ``cls`` rows at these (pk, sk) keys that exist, in one BatchGetItem per 100 keys
    (unprocessed keys asked again; ``attributes``: only these are read). Through the table
    connection: pynamodb's ``Model.batch_get`` reads the response under the model's
    placeholder table name."""
    conn = table()
    found: list[M] = []
    for start in range(0, len(keys), 100):
        pending = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys[start : start + 100]]
        for _ in range(10):
            data = conn.batch_get_item(
                pending, consistent_read=consistent, attributes_to_get=attributes
            )
            found += [cls.from_raw_data(i) for i in data["Responses"].get(conn.table_name, [])]
            pending = data.get("UnprocessedKeys", {}).get(conn.table_name, {}).get("Keys")
            if not pending:
                break
    return found
