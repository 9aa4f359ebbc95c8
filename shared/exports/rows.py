"""What each kind of export holds: its header and its rows, streamed page by page.

Every cell is text: points are integers, money is the decimal string as stored (never a
float), times are ISO-8601 in the programme's time zone like every time the API shows, free
text is made inert for spreadsheets. Personal data stays out or masked: members' phone,
e-mail and name as staff see them (``138****5678``), orders without the delivery address,
the recipient's name and phone, coupon or pickup codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain import exports as kinds
from shared.domain.calendar import iso_local
from shared.domain.contacts import Contact, masked
from shared.domain.exports import Export
from shared.domain.mall import STATUSES as ORDER_STATUSES
from shared.dynamodb import exports as repo
from shared.exports.cells import inert

Rows = Iterator[list[list[str]]]  # pages of rows

LEDGER = (
    "entry_id",
    "member_id",
    "at",
    "type",
    "source",
    "ref",
    "points",
    "description",
    "expires_on",
    "order_id",
    "amount",
    "currency",
    "refunded",
    "actor",
)
ORDERS = (
    "order_id",
    "member_id",
    "status",
    "placed_at",
    "updated_at",
    "item_id",
    "item_name",
    "kind",
    "quantity",
    "points",
    "cash_due",
    "currency",
    "paid_at",
    "payment_ref",
    "payout_amount",
    "delivery_method",
    "carrier",
    "tracking_no",
    "reason",
)
MEMBERS = (
    "member_id",
    "status",
    "tier",
    "balance",
    "held",
    "registered_at",
    "birthday",
    "phone",
    "email",
    "name",
)


def _text(value: Any) -> str:
    """A stored value as a cell (numbers come as ints or decimal strings), None as empty."""
    return "" if value is None else str(value)


def _time(value: str | None, zone: ZoneInfo) -> str:
    return iso_local(datetime.fromisoformat(value), zone) if value else ""


def ledger_row(row: dict[str, Any], zone: ZoneInfo) -> list[str]:
    return [
        _text(row.get("entry_id")),
        _text(row.get("member_id")),
        _time(row.get("at"), zone),
        _text(row.get("type")),
        _text(row.get("source")),
        inert(_text(row.get("ref"))),
        _text(row.get("points")),
        inert(row.get("description")),
        _text(row.get("expires_on")),
        inert(_text(row.get("order_id"))),
        _text(row.get("amount")),
        _text(row.get("currency")),
        _text(row.get("refunded")),
        inert(row.get("actor")),
    ]


def order_row(row: dict[str, Any], zone: ZoneInfo) -> list[str]:
    delivery = row.get("delivery") or {}
    return [
        _text(row.get("order_id")),
        _text(row.get("member_id")),
        _text(row.get("status")),
        _time(row.get("placed_at"), zone),
        _time(row.get("updated_at"), zone),
        _text(row.get("item_id")),
        inert(row.get("item_name")),
        _text(row.get("kind")),
        _text(row.get("quantity")),
        _text(row.get("points")),
        _text(row.get("cash_due")),
        _text(row.get("currency")),
        _time(row.get("paid_at"), zone),
        inert(row.get("payment_ref")),
        _text(row.get("payout_amount")),
        _text(delivery.get("method")),
        inert(row.get("carrier")),
        inert(row.get("tracking_no")),
        inert(row.get("reason")),
    ]


def member_row(row: dict[str, Any], zone: ZoneInfo) -> list[str]:
    contact = masked(Contact(row.get("phone"), row.get("email"), row.get("name")))
    return [
        _text(row.get("member_id")),
        _text(row.get("status")),
        _text(row.get("tier") or "bronze"),
        _text(row.get("balance")),
        _text(row.get("held")),
        _time(row.get("registered_at"), zone),
        _text(row.get("birthday")),
        _text(contact["phone"]),
        _text(contact["email"]),
        inert(contact["name"]),
    ]


def _orders(start: datetime | None, end: datetime | None) -> Iterator[list[dict[str, Any]]]:
    for status in ORDER_STATUSES:
        yield from repo.orders(status, start, end)


def header(export: Export) -> tuple[str, ...]:
    if export.kind == kinds.STATEMENTS:
        from shared.rebates import export as statements

        return statements.COLUMNS
    return {kinds.LEDGER: LEDGER, kinds.ORDERS: ORDERS, kinds.MEMBERS: MEMBERS}[export.kind]


def rows(export: Export, zone: ZoneInfo) -> Rows:
    """The export's rows, a page at a time (the order the store hands them out)."""
    if export.kind == kinds.STATEMENTS:
        from shared.rebates import export as statements

        assert export.campaign_id is not None
        yield from ([row] for row in statements.rows(export.campaign_id))
        return
    source, shape = {
        kinds.LEDGER: (repo.ledger_entries, ledger_row),
        kinds.ORDERS: (_orders, order_row),
        kinds.MEMBERS: (repo.profiles, member_row),
    }[export.kind]
    for page in source(export.start, export.end):
        yield [shape(row, zone) for row in page]
