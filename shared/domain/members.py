"""The member as the use cases see it: balances, tier, streak, referral, audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

ACTIVE, FROZEN = "active", "frozen"


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
