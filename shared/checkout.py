"""Use cases of points at checkout: the shop holds points when an order is created,
captures them when it is paid, or releases them; an unreleased hold expires by itself."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain.calendar import iso_local
from shared.domain.checkout import Hold, check_hold
from shared.domain.ledger import Debit
from shared.dynamodb import holds as holds_repo
from shared.errors import HoldExists, HoldNotActive, NotFound


class HoldRequest(Struct, frozen=True):
    """A shop's request to hold points against an order at the checkout."""

    hold_id: str
    member_id: str
    order_id: str
    order_amount: Decimal
    points: int
    currency: str = "CNY"


def view(hold: Hold) -> dict[str, Any]:
    zone = programme.current().zone
    return {
        "hold_id": hold.hold_id,
        "member_id": hold.member_id,
        "order_id": hold.order_id,
        "points": hold.points,
        "cash_value": hold.cash_value,
        "currency": hold.currency,
        "status": hold.status,
        "expires_at": iso_local(datetime.fromisoformat(hold.expires_at), zone),
    }


def place_hold(cmd: HoldRequest, now: datetime) -> tuple[dict[str, Any], bool]:
    """Hold points for a shop order. Returns (hold, created); a repeat answers the first."""
    rules = programme.current()
    value = check_hold(
        cmd.points, cmd.order_amount, rules.checkout_points_per_unit, rules.checkout_max_share
    )
    hold = Hold(
        hold_id=cmd.hold_id,
        member_id=cmd.member_id,
        order_id=cmd.order_id,
        points=cmd.points,
        cash_value=str(value),
        order_amount=str(cmd.order_amount),
        currency=cmd.currency,
        status="active",
        created_at=utc_iso(now),
        expires_at=utc_iso(now + timedelta(minutes=rules.hold_minutes)),
    )
    existing = holds_repo.place(hold, rules.expiry_shards)
    if existing is None:
        return view(hold), True
    same = (existing.member_id, existing.order_id, existing.points, existing.order_amount) == (
        cmd.member_id,
        cmd.order_id,
        cmd.points,
        str(cmd.order_amount),
    )
    if not same:
        raise HoldExists(f"hold {cmd.hold_id!r} exists with other data")
    return view(existing), False


def _get(hold_id: str) -> Hold:
    hold = holds_repo.get(hold_id)
    if hold is None:
        raise NotFound(f"no hold {hold_id!r}", code="hold_not_found")
    return hold


def _settle(hold_id: str, target: str, now: datetime) -> dict[str, Any]:
    """Capture or release: exactly one of two racing calls wins; a repeat of the winner
    answers the same body; anything else on a hold that is no longer active is a 409."""
    hold = _get(hold_id)
    if hold.status == "active":
        if target == "captured":
            debit = Debit(
                member_id=hold.member_id,
                type=kinds.CHECKOUT,
                source="checkout",
                ref=hold.hold_id,
                points=hold.points,
                at=now,
                **kinds.wording(
                    "checkout", {"amount": str(hold.cash_value), "order_id": hold.order_id}
                ),
            )
            current = holds_repo.capture(hold, debit, now)
        else:
            current = holds_repo.release(hold, "released", now)
        hold = current or _get(hold_id)
    if hold.status == "active" and target == "captured":
        raise HoldNotActive(f"hold {hold_id!r} expired at {hold.expires_at}")
    if hold.status != target:
        raise HoldNotActive(f"hold {hold_id!r} is {hold.status}, it cannot be {target}")
    return view(hold)


def capture(hold_id: str, now: datetime) -> dict[str, Any]:
    return _settle(hold_id, "captured", now)


def release(hold_id: str, now: datetime) -> dict[str, Any]:
    return _settle(hold_id, "released", now)


def sweep(now: datetime, time_left: Callable[[], float] = lambda: math.inf) -> dict[str, Any]:
    """Release every hold whose time ran out (job ``holds``, every few minutes)."""
    rules = programme.current()
    released = 0
    for shard in range(rules.expiry_shards):
        for hold in holds_repo.expired(shard, utc_iso(now)):
            if time_left() < 5:
                return {"complete": False, "processed": released, "released": released}
            if hold.status == "active" and holds_repo.release(hold, "expired", now) is None:
                released += 1
    return {"complete": True, "processed": released, "released": released}
