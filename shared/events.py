"""Business events, published exactly when the transaction that records them commits.

A write that announces something puts an *outbox* item (or outbox attributes on an item it
writes anyway) in the same transaction. The table's stream carries the new item to the
publisher (``functions/publisher`` in AWS, a stream tail in local mode), which turns it into
an EventBridge entry. A transaction that did not commit never reaches the stream, so no
event is ever published for it; a stream record is delivered at least once and carries a
deterministic event id for consumers to de-duplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SOURCE = "loyalty.points"

# detail-types (versioned); schemas in docs/events.md
POINTS_EXPIRING_SOON = "PointsExpiringSoon.v1"

EVT_TYPE = "evt_type"
EVT_DETAIL = "evt_detail"
EVT_ID = "evt_id"


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    detail_type: str
    detail: dict[str, Any]

    def entry(self, bus_name: str) -> dict[str, Any]:
        """A PutEvents entry."""
        return {
            "Source": SOURCE,
            "DetailType": self.detail_type,
            "Detail": json.dumps({"event_id": self.event_id, **self.detail}),
            "EventBusName": bus_name,
        }


def outbox(event_id: str, detail_type: str, detail: dict[str, Any]) -> dict[str, str]:
    """Attributes that make a written item announce ``detail_type`` once it commits."""
    return {
        EVT_ID: event_id,
        EVT_TYPE: detail_type,
        EVT_DETAIL: json.dumps(detail, separators=(",", ":"), sort_keys=True),
    }


def _string(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name)
    return value.get("S") if isinstance(value, dict) else None


def from_stream_record(record: dict[str, Any]) -> Event | None:
    """The event a DynamoDB stream record announces, if any (inserts of outbox items)."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    detail_type = _string(image, EVT_TYPE)
    if not detail_type:
        return None
    return Event(
        event_id=_string(image, EVT_ID) or "",
        detail_type=detail_type,
        detail=json.loads(_string(image, EVT_DETAIL) or "{}"),
    )
