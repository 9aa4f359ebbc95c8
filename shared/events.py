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
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared.domain.members import ACTIVE, frozen_scope, shown_status

SOURCE = "loyalty.points"

# detail-types (versioned); schemas in docs/events.md
POINTS_EXPIRING_SOON = "PointsExpiringSoon.v1"

EVT_TYPE = "evt_type"
EVT_DETAIL = "evt_detail"
EVT_ID = "evt_id"


class Event(Struct, frozen=True):
    """A business event to put on the EventBridge bus."""

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


def _value(attr: Any) -> Any:
    """A DynamoDB-JSON attribute value as plain Python (numbers as int when whole)."""
    if not isinstance(attr, dict) or len(attr) != 1:
        return None
    ((kind, raw),) = attr.items()
    if kind == "S":
        return raw
    if kind == "N":
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else str(number)
    if kind == "BOOL":
        return raw
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _value(v) for k, v in raw.items()}
    if kind == "L":
        return [_value(v) for v in raw]
    return None


def plain_image(image: dict[str, Any]) -> dict[str, Any]:
    """An item in DynamoDB's JSON (a stream image, a Scan's item) as plain values: numbers
    as ints or decimal strings, never floats."""
    return {name: _value(attr) for name, attr in image.items()}


# Ledger entry type -> detail-type: one event per ledger entry.
LEDGER_EVENTS = {
    "earn": "PointsEarned.v1",
    "redeem": "PointsRedeemed.v1",
    "expire": "PointsExpired.v1",
    "clawback": "PointsClawedBack.v1",
    "adjust": "PointsAdjusted.v1",
    "transfer_in": "PointsReceived.v1",
    "transfer_out": "PointsSent.v1",
    "lottery_cost": "LotteryCostCharged.v1",
    "lottery_prize": "LotteryPrizeWon.v1",
    "refund": "PointsRefunded.v1",
    "checkout": "PointsSpentAtCheckout.v1",
}
MEMBER_REGISTERED = "MemberRegistered.v1"
MEMBER_FROZEN = "MemberFrozen.v1"
MEMBER_UNFROZEN = "MemberUnfrozen.v1"
TIER_CHANGED = "TierChanged.v1"
ORDER_PLACED = "OrderPlaced.v1"
ORDER_STATUS_CHANGED = "OrderStatusChanged.v1"
COUPON_ISSUED = "CouponIssued.v1"
COUPON_CONSUMED = "CouponConsumed.v1"
REBATE_STATEMENT_ISSUED = "RebateStatementIssued.v1"
REBATE_PAID = "RebatePaid.v1"

_LEDGER_FIELDS = (
    "member_id",
    "entry_id",
    "type",
    "source",
    "ref",
    "points",
    "at",
    "description",
    "code",
    "params",
    "order_id",
    "actor",
)
_ORDER_FIELDS = (
    "order_id",
    "member_id",
    "item_id",
    "item_name",
    "kind",
    "quantity",
    "points",
    "status",
    "cash_due",
    "carrier",
    "tracking_no",
    "reason",
    "placed_at",
)
_STATEMENT_FIELDS = ("member_id", "campaign_id", "total", "capped", "settled_at")
_PAID_FIELDS = (
    "member_id",
    "campaign_id",
    "payable",
    "adjustment",
    "points",
    "payout_ref",
    "paid_at",
)


def _pick(item: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: item[f] for f in fields if item.get(f) is not None}


def from_stream_record(record: dict[str, Any]) -> list[Event]:
    """Every business event a DynamoDB stream record announces (usually zero or one).

    Facts come from the items the business transactions write anyway — ledger entries,
    member profiles, mall orders, coupons — plus explicit outbox items. Ids are
    deterministic: ``<pk>|<sk>`` for a new item, ``<pk>|<sk>|<sequence>`` for a change, so a
    redelivered record yields the same ids.
    """
    name = record.get("eventName")
    data = record.get("dynamodb") or {}
    new = plain_image(data.get("NewImage") or {})
    old = plain_image(data.get("OldImage") or {})
    pk, sk = str(new.get("pk") or old.get("pk") or ""), str(new.get("sk") or old.get("sk") or "")
    base = f"{pk}|{sk}"
    changed = f"{base}|{data.get('SequenceNumber', '')}"
    found: list[Event] = []
    if name == "INSERT" and new.get(EVT_TYPE):
        found.append(
            Event(
                str(new.get(EVT_ID) or base),
                str(new[EVT_TYPE]),
                json.loads(str(new.get(EVT_DETAIL) or "{}")),
            )
        )
    if pk.startswith("MEMBER#") and sk.startswith("LEDGER#") and name == "INSERT":
        detail_type = LEDGER_EVENTS.get(str(new.get("type")))
        if detail_type:
            found.append(Event(base, detail_type, _pick(new, _LEDGER_FIELDS)))
    elif pk.startswith("MEMBER#") and sk == "PROFILE":
        member = {"member_id": new.get("member_id") or old.get("member_id")}
        if name == "INSERT":
            found.append(
                Event(
                    base, MEMBER_REGISTERED, {**member, "registered_at": new.get("registered_at")}
                )
            )
        elif name == "MODIFY":
            if old.get("status") != new.get("status"):
                status = str(new.get("status"))
                kind = MEMBER_UNFROZEN if status == ACTIVE else MEMBER_FROZEN
                scope = {"status": shown_status(status), "frozen_scope": frozen_scope(status)}
                found.append(Event(changed, kind, {**member, **scope}))
            if old.get("tier", "bronze") != new.get("tier", "bronze"):
                found.append(
                    Event(
                        changed + "|tier",
                        TIER_CHANGED,
                        {
                            **member,
                            "from": old.get("tier", "bronze"),
                            "to": new.get("tier"),
                            **_pick(
                                {
                                    "change": new.get("tier_change"),
                                    "qualifying_points": new.get("qualifying_total"),
                                    "at": new.get("tier_changed_at"),
                                },
                                ("change", "qualifying_points", "at"),
                            ),
                        },
                    )
                )
    elif pk.startswith("MEMBER#") and sk.startswith("ORDER#"):
        if name == "INSERT":
            found.append(Event(base, ORDER_PLACED, _pick(new, _ORDER_FIELDS)))
        elif name == "MODIFY" and old.get("status") != new.get("status"):
            found.append(
                Event(
                    changed,
                    ORDER_STATUS_CHANGED,
                    {**_pick(new, _ORDER_FIELDS), "from": old.get("status")},
                )
            )
    elif pk.startswith("COUPON#"):
        coupon = _pick(
            new or old, ("code", "member_id", "order_id", "item_id", "expires_on", "used_by")
        )
        if name == "INSERT":
            found.append(Event(base, COUPON_ISSUED, coupon))
        elif name == "MODIFY" and not old.get("used_at") and new.get("used_at"):
            found.append(Event(changed, COUPON_CONSUMED, {**coupon, "used_at": new["used_at"]}))
    elif pk.startswith("MEMBER#") and sk.startswith("REBATE#") and name in ("INSERT", "MODIFY"):
        found += _rebate_events(old, new, changed)
    return found


def _rebate_events(old: dict[str, Any], new: dict[str, Any], event_id: str) -> list[Event]:
    """A rebate statement's facts: settlement wrote it (no status -> ``draft``), it was paid
    (-> ``paid``). Accrual writes (no status) and reviews announce nothing."""
    before, after = old.get("status"), new.get("status")
    if before is None and after == "draft":
        detail = {**_pick(new, _STATEMENT_FIELDS), "lines": new.get("lines") or []}
        cents = Decimal(int(new.get("qualifying") or 0))
        detail["qualifying_amount"] = str(cents.scaleb(-2))  # "4900.00"
        return [Event(event_id, REBATE_STATEMENT_ISSUED, detail)]
    if before != "paid" and after == "paid":
        return [Event(event_id, REBATE_PAID, _pick(new, _PAID_FIELDS))]
    return []
