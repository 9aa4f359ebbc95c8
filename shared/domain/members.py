"""The member as the use cases see it: balances, tier, streak, referral, audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

ACTIVE, FROZEN = "active", "frozen"
# Freeze scopes (issue 19): a member frozen for earning only, or for redeeming only. Stored as
# the profile's ``status`` so every write's condition stays one comparison (``status IN``).
EARNING_FROZEN, REDEEMING_FROZEN = "earning_frozen", "redeeming_frozen"
ALL, EARNING, REDEEMING = "all", "earning", "redeeming"
SCOPES = (ALL, EARNING, REDEEMING)
CAN_EARN = (ACTIVE, REDEEMING_FROZEN)  # statuses whose credits count (earning not frozen)
CAN_SPEND = (ACTIVE, EARNING_FROZEN)  # statuses that may redeem, draw, transfer, hold
_FROZEN = {
    ACTIVE: frozenset(),
    FROZEN: frozenset({EARNING, REDEEMING}),
    EARNING_FROZEN: frozenset({EARNING}),
    REDEEMING_FROZEN: frozenset({REDEEMING}),
}
_STATUS = {scopes: status for status, scopes in _FROZEN.items()}


def can_earn(status: str) -> bool:
    """Whether a member with ``status`` earns (purchases, check-ins, tasks, bonuses)."""
    return status in CAN_EARN


def can_spend(status: str) -> bool:
    """Whether a member with ``status`` may redeem, draw, transfer or hold points."""
    return status in CAN_SPEND


def frozen_scope(status: str) -> str | None:
    """What is frozen, as the API shows it: ``all``, ``earning``, ``redeeming`` or None."""
    scopes = _FROZEN.get(status, _FROZEN[FROZEN])  # an unknown status freezes everything
    if not scopes:
        return None
    return ALL if len(scopes) == 2 else next(iter(scopes))


def shown_status(status: str) -> str:
    """``status`` as the API shows it: ``active``, or ``frozen`` when anything is frozen
    (``frozen_scope`` says what)."""
    return ACTIVE if status == ACTIVE else FROZEN


def status_after(status: str, scope: str, *, freeze: bool) -> str:
    """The status after freezing (``freeze``) or unfreezing ``scope`` of a member with
    ``status``: freezing adds to what is frozen, unfreezing takes away from it."""
    change = _FROZEN[FROZEN] if scope == ALL else frozenset({scope})
    current = _FROZEN.get(status, _FROZEN[FROZEN])
    return _STATUS[current | change if freeze else current - change]


class Member(Struct, frozen=True):
    """A member's profile. ``holds``: active checkout holds, id -> {"points", "expires_at"};
    ``qualifying``: "YYYY-MM" -> qualifying points earned that month."""

    member_id: str
    registered_at: str  # UTC ISO-8601
    status: str = ACTIVE
    balance: int = 0
    held: int = 0
    spendable: int = 0
    credited: int = 0
    consumed: int = 0
    settled: int = 0
    ver: int = 0  # +1 on every ledger write (a consistent read of the ledger checks it)
    tier: str | None = None
    qualifying: dict[str, int] = {}
    qualifying_total: int | None = None
    qualifying_month: str | None = None
    tier_evaluated: str | None = None  # "YYYY-MM" of the last monthly demotion check
    holds: dict[str, dict[str, Any]] = {}
    joined_at: str | None = None
    birthday: str | None = None  # "MM-DD"
    referral_code: str | None = None  # the member's own code
    referred_by_code: str | None = None  # the code named at registration
    referred_by: str | None = None  # the referrer's member id
    referrer_chain: str | None = None  # the referrer's own referrer
    first_purchase_rewarded: bool | None = None  # False while referral bonuses wait
    checkin_last: str | None = None
    checkin_streak: int | None = None  # None until the first check-in
    activity_day: str | None = None
    activity_points: int | None = None  # None until the first activity
    pending_review: int | None = None  # points of purchases waiting in the review queue
    # Contact details (shared/domain/contacts.py: normalised), personal data: only here in
    # clear, never in a key, an index or a log line; staff see them masked.
    phone: str | None = None  # E.164
    email: str | None = None
    name: str | None = None


class Audit(Struct, frozen=True):
    """One entry of a member's audit trail: an operator's action (adjust, freeze, unfreeze,
    ...), a tier change, an expiry extension."""

    member_id: str
    action: str
    actor: str
    reason: str
    at: datetime
    points: int | None = None
    ref: str | None = None
