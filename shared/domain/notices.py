"""Notices: the business events a member is told about, as inbox messages and, where the
member opted in, SMS and e-mail (SPEC §9d, docs/product.md "Reaching members").

A notice is *kind* + *params* (template fields) for one member on one programme day; the
text comes from the ``notices`` catalog (shared/i18n) in the reader's locale. At most one
message of a kind per member per day: the message id is ``<YYYY-MM-DD>.<kind>``.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from msgspec import Struct

from shared import events
from shared.domain import mall
from shared.domain.calendar import local_date
from shared.domain.members import FROZEN
from shared.domain.rules import Rules
from shared.i18n import EN, has, supported, text

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


# --- events -> notices -------------------------------------------------------------------------

BIRTHDAY_SOURCE = "birthday"  # the ledger source of the birthdays job's credit
PROMOTION, DEMOTION = "promotion", "demotion"  # TierChanged.v1 ``change``


def _points(detail: Mapping[str, Any]) -> int:
    return abs(int(detail.get("points") or 0))


def _item(detail: Mapping[str, Any]) -> str:
    return str(detail.get("item_name") or detail.get("item_id") or "")


def _tier_kind(detail: Mapping[str, Any], rules: Rules) -> str | None:
    change = detail.get("change")
    if change == PROMOTION:
        return TIER_PROMOTED
    if change == DEMOTION:
        return TIER_DEMOTED
    names = [t.name for t in rules.tiers]  # an event without ``change``: compare the tiers
    before, after = detail.get("from"), detail.get("to")
    if before not in names or after not in names or before == after:
        return None
    return TIER_PROMOTED if names.index(after) > names.index(before) else TIER_DEMOTED


def _kind_and_params(
    detail_type: str, detail: Mapping[str, Any], rules: Rules
) -> tuple[str, dict[str, Any]] | None:
    """What an event tells its member (kind and template fields), or None if nothing."""
    if detail_type == events.POINTS_EXPIRING_SOON:
        return POINTS_EXPIRING, {
            "points": _points(detail),
            "expires_on": str(detail.get("expires_on") or ""),
        }
    if detail_type == events.ORDER_STATUS_CHANGED:
        order = {"order_id": str(detail.get("order_id") or ""), "item": _item(detail)}
        if detail.get("status") == mall.SHIPPED:
            shipping = {
                "carrier": str(detail.get("carrier") or ""),
                "tracking_no": str(detail.get("tracking_no") or ""),
            }
            return ORDER_SHIPPED, {**order, **shipping}
        if detail.get("status") == mall.DELIVERED:
            return ORDER_DELIVERED, order
        return None
    if detail_type == events.ORDER_PLACED and detail.get("status") == mall.AWAITING_ADDRESS:
        # Only a gift won in the lottery waits for its delivery address.
        return PRIZE_WON, {"prize": _item(detail), "points": 0}
    if detail_type == events.TIER_CHANGED:
        kind = _tier_kind(detail, rules)
        return (kind, {"tier": str(detail.get("to") or "")}) if kind else None
    if detail_type == events.LEDGER_EVENTS["lottery_prize"] and _points(detail):
        return PRIZE_WON, {"prize": "", "points": _points(detail)}
    if detail_type == events.REBATE_STATEMENT_ISSUED:
        return REBATE_STATEMENT, {
            "campaign_id": str(detail.get("campaign_id") or ""),
            "total": str(detail.get("total") or "0"),
            "currency": rules.currency,
        }
    if detail_type == events.REBATE_PAID:
        return REBATE_PAID, {
            "campaign_id": str(detail.get("campaign_id") or ""),
            "amount": str(detail.get("payable") or "0"),
            "currency": rules.currency,
        }
    if detail_type == events.LEDGER_EVENTS["earn"] and detail.get("source") == BIRTHDAY_SOURCE:
        return BIRTHDAY_POINTS, {"points": _points(detail)}
    if detail_type == events.LEDGER_EVENTS["transfer_in"]:
        return POINTS_RECEIVED, {"points": _points(detail)}
    return None


def notice_of(
    detail_type: str, detail: Mapping[str, Any], at: datetime, rules: Rules
) -> Notice | None:
    """The notice an event gives its member (``detail.member_id``) on the programme day of
    ``at`` (when the event happened), or None when the event is nothing a member is told."""
    member_id, event_id = detail.get("member_id"), detail.get("event_id")
    if not member_id or not event_id:
        return None
    found = _kind_and_params(detail_type, detail, rules)
    if found is None:
        return None
    kind, params = found
    return Notice(
        member_id=str(member_id),
        kind=kind,
        params=params,
        at=at,
        day=local_date(at, rules.zone),
        event_id=str(event_id),
    )


# --- quiet hours and sends ---------------------------------------------------------------------


def _clock(hhmm: str) -> time:
    hours, _, minutes = hhmm.partition(":")
    return time(int(hours), int(minutes))


def not_before(now: datetime, rules: Rules) -> datetime | None:
    """When an SMS due ``now`` may go: None at once, else the end of the programme's quiet
    hours (``rules.notifications.quiet_start``..``quiet_end``, programme time; the window
    may cross midnight; equal ends mean no quiet hours). Delayed, never dropped."""
    start = _clock(rules.notifications.quiet_start)
    end = _clock(rules.notifications.quiet_end)
    if start == end:
        return None
    local = now.astimezone(rules.zone)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=rules.zone).astimezone(now.tzinfo)


class Prefs(Struct, frozen=True):
    """What the notifier needs of a member's profile to decide the sends: the opt-ins, whether
    a phone / an address is there (never the values), the status and the saved locale."""

    member_id: str
    status: str = "active"
    locale: str | None = None
    sms: bool = False
    email: bool = False
    has_phone: bool = False
    has_email: bool = False


def may_send(status: str) -> bool:
    """Whether a member with ``status`` gets SMS and e-mail: not while frozen entirely (an
    account under investigation is told in the app only); a freeze of one scope does not
    matter."""
    return status != FROZEN


def sends_for(
    notice: Notice,
    prefs: Prefs,
    stage: Collection[str],
    quiet_until: datetime | None = None,
) -> list[Send]:
    """The SMS and e-mail owed for ``notice``: channels the stage configures (``stage``) and
    the member opted into with a phone / address on file. An SMS waits for ``quiet_until``
    (see :func:`not_before`); an e-mail never waits."""
    if not may_send(prefs.status):
        return []
    wanted = {SMS: prefs.sms and prefs.has_phone, EMAIL: prefs.email and prefs.has_email}
    return [
        Send(
            member_id=notice.member_id,
            message_id=notice.message_id,
            kind=notice.kind,
            params=dict(notice.params),
            channel=channel,
            not_before=quiet_until.isoformat() if channel == SMS and quiet_until else None,
        )
        for channel in CHANNELS
        if channel in stage and wanted[channel]
    ]


# --- text --------------------------------------------------------------------------------------

IN_APP = "in_app"
_PARTS = {IN_APP: ("title", "body"), SMS: (None, "sms"), EMAIL: ("email_subject", "email_body")}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date(value: Any, locale: str) -> str:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if locale == EN:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def shown(kind: str, params: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """The template fields as the reader sees them: tier names and dates in their language,
    a points prize as "<n> points"."""
    fields = dict(params)
    if "tier" in fields:
        key = f"notices.tier.{fields['tier']}"
        fields["tier"] = text(locale, key) if has(key) else fields["tier"]
    if "expires_on" in fields:
        fields["expires_on"] = _date(fields["expires_on"], locale)
    if kind == PRIZE_WON and not fields.get("prize"):
        fields["prize"] = text(locale, "notices.points", {"points": fields.get("points", 0)})
    return fields


def render(
    kind: str, params: Mapping[str, Any], locale: str, channel: str = IN_APP
) -> tuple[str, str]:
    """The text of a ``kind`` notice in ``locale`` (any tag; unknown ones fall back to the
    default): ``(title, body)`` in the app, ``("", text)`` for an SMS, ``(subject, body)`` for
    an e-mail (the body ends with how to switch e-mails off)."""
    loc = supported(locale)
    fields = shown(kind, params, loc)
    title_part, body_part = _PARTS[channel]
    title = text(loc, f"notices.{kind}.{title_part}", fields) if title_part else ""
    body = text(loc, f"notices.{kind}.{body_part}", fields)
    if channel == EMAIL:
        body = f"{body}\n\n{text(loc, 'notices.email_footer')}"
    return title, body
