"""Notices: the business events a member is told about, as inbox messages and, where the
member opted in, SMS and e-mail (SPEC §9d, docs/product.md "Reaching members").

A notice is *kind* + *params* (template fields) for one member on one programme day; the
text comes from the ``notices`` catalog (shared/i18n) in the reader's locale. At most one
message of a kind per member per day: the message id is ``<YYYY-MM-DD>.<kind>``.
Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from msgspec import Struct

SMS, EMAIL = "sms", "email"
CHANNELS: tuple[str, ...] = (SMS, EMAIL)

# Message kinds (catalog keys ``notices.<kind>.title`` / ``notices.<kind>.body``).
POINTS_EXPIRING = "points_expiring"
ORDER_SHIPPED = "order_shipped"
ORDER_DELIVERED = "order_delivered"
TIER_PROMOTED = "tier_promoted"
TIER_DEMOTED = "tier_demoted"
PRIZE_WON = "prize_won"
REBATE_STATEMENT = "rebate_statement"
REBATE_PAID = "rebate_paid"
BIRTHDAY_POINTS = "birthday_points"
POINTS_RECEIVED = "points_received"
KINDS: tuple[str, ...] = (
    POINTS_EXPIRING,
    ORDER_SHIPPED,
    ORDER_DELIVERED,
    TIER_PROMOTED,
    TIER_DEMOTED,
    PRIZE_WON,
    REBATE_STATEMENT,
    REBATE_PAID,
    BIRTHDAY_POINTS,
    POINTS_RECEIVED,
)


def message_id(day: date, kind: str) -> str:
    return f"{day.isoformat()}.{kind}"


class Notice(Struct, frozen=True):
    """What one event tells one member: the inbox message to write."""

    member_id: str
    kind: str
    params: dict[str, Any]  # template fields: strings and integers only
    at: datetime  # when the event happened (UTC)
    day: date  # its programme day (the "one of a kind per day" rule)
    event_id: str

    @property
    def message_id(self) -> str:
        return message_id(self.day, self.kind)


class Message(Struct, frozen=True):
    """An inbox message as stored (text is rendered when read)."""

    member_id: str
    message_id: str
    kind: str
    params: dict[str, Any]
    at: str  # UTC ISO-8601
    event_id: str
    read_at: str | None = None
    sent: dict[str, str] = {}  # channel -> when it was handed to AWS


class Send(Struct, frozen=True):
    """One SMS or e-mail to hand to AWS for an inbox message. Carries no contact details:
    the sender reads the phone or address (and the opt-in) from the profile when it sends."""

    member_id: str
    message_id: str
    kind: str
    params: dict[str, Any]
    channel: str  # SMS | EMAIL
    not_before: str | None = None  # UTC ISO-8601: quiet hours end (SMS)
