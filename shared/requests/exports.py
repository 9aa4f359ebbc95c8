"""Requests of operators' exports: ``POST /v1/admin/exports``."""

from __future__ import annotations

from typing import Any

from shared.domain.exports import KINDS
from shared.requests import Body
from shared.validation import Choice, Date, Field, Id, Problems, Schema, Timestamp


class Bound(Field, frozen=True):
    """A window bound: an ISO-8601 time with a UTC offset, or a date "YYYY-MM-DD" (the start
    of that day in the programme's time zone)."""

    def parse(self, value: Any) -> Any:
        result = Timestamp().parse(value)
        if not isinstance(result, Problems):
            return result
        result = Date().parse(value)
        if not isinstance(result, Problems):
            return result
        return Problems({"": 'must be a date "YYYY-MM-DD" or an ISO-8601 time with a UTC offset'})

    def schema(self) -> Schema:
        return {"anyOf": [Date().schema(), Timestamp().schema()]}


CREATE_EXPORT = Body(
    {
        "kind": Choice(KINDS),
        "from": Bound(required=False),
        "to": Bound(required=False),
        "campaign_id": Id(required=False),
    },
    unknown="is not a field of an export request",
)
