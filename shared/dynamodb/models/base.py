"""Base of every row (the table name and connection come from settings at first use) and two
helpers over attributes."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.models import Model

from shared.dynamodb.connection import table


class Item(Model):
    """Base of every item: the table name and connection come from settings at first use."""

    class Meta:
        table_name = "points"  # placeholder; the real name comes from shared.settings

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return table()


def set_or_remove(model: type[Model], values: dict[str, Any]) -> list[Any]:
    """Update actions giving ``model``'s attributes these values; None removes one."""
    return [
        getattr(model, name).set(value) if value is not None else getattr(model, name).remove()
        for name, value in values.items()
    ]


def as_plain(value: Any) -> Any:
    """MapAttribute/ListAttribute values as plain dicts and lists."""
    if isinstance(value, MapAttribute):
        return {k: as_plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value
