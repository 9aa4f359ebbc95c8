"""Use cases the shop's order system drives: purchases earn points, refunds claw them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared import rules as programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.earning import clawback_points, purchase_points
from shared.domain.ledger import Credit, Debit
from shared.domain.lots import expiry_date
from shared.dynamodb import keys
from shared.dynamodb import members as repo
from shared.dynamodb.models import as_plain
from shared.dynamodb.tx import Cancelled
from shared.errors import Conflict, Contention, OrderNotFound, RefundExceedsOrder


@dataclass(frozen=True, slots=True)
class Purchase:
    order_id: str
    member_id: str
    amount: Decimal
    currency: str
    channel: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    refund_id: str
    order_id: str
    amount: Decimal


def _purchase_result(entry) -> dict[str, Any]:
    return {
        "order_id": entry.ref,
        "member_id": entry.member_id,
        "points": int(entry.points),
        "breakdown": as_plain(entry.breakdown) or [],
    }


def record_purchase(cmd: Purchase, now: datetime) -> tuple[dict[str, Any], bool]:
    """Credit a reported purchase once per order id. Returns (result, created)."""
    rules = programme.current()
    earned = purchase_points(cmd.amount, rules)
    today = local_date(now, rules.zone)
    credit = Credit(
        member_id=cmd.member_id,
        type=kinds.EARN,
        source="purchase",
        ref=cmd.order_id,
        points=earned.points,
        at=now,
        earned_on=today,
        expires_on=expiry_date(today, rules.validity),
        description=f"Purchase {cmd.order_id}",
    )
    written = repo.credit(
        credit,
        rules,
        order_pk=keys.order_pk(cmd.order_id),
        amount=str(cmd.amount),
        currency=cmd.currency,
        breakdown=[{"rule": r.rule, "points": r.points} for r in earned.breakdown],
        refunded="0",
        clawed_back=0,
        refunds={},
    )
    return _purchase_result(written.entry), not written.replayed


def record_refund(cmd: Refund, now: datetime) -> tuple[dict[str, Any], bool]:
    """Claw back the points a refunded order earned, proportionally, once per refund id."""
    for _ in range(5):
        purchase = repo.find_purchase(cmd.order_id)
        if purchase is None:
            raise OrderNotFound(f"no purchase was reported for order {cmd.order_id!r}")
        done = (as_plain(purchase.refunds) or {}).get(cmd.refund_id)
        if done is not None:
            return {"refund_id": cmd.refund_id, "points_clawed_back": int(done["points"])}, False
        amount = Decimal(purchase.amount)
        refunded = Decimal(purchase.refunded or "0")
        if refunded + cmd.amount > amount:
            raise RefundExceedsOrder(
                f"refunds would total {refunded + cmd.amount}, more than the order's {amount}",
                details={"fields": {"amount": f"at most {amount - refunded} is refundable"}},
            )
        points = clawback_points(int(purchase.points), amount, refunded, cmd.amount)
        debit = None
        if points > 0:
            debit = Debit(
                member_id=purchase.member_id,
                type=kinds.CLAWBACK,
                source="refund",
                ref=cmd.refund_id,
                points=points,
                at=now,
                description=f"Refund {cmd.refund_id} of order {cmd.order_id}",
            )
        try:
            repo.clawback(
                purchase, cmd.refund_id, str(cmd.amount), str(refunded + cmd.amount), debit
            )
        except Cancelled as cancelled:
            if repo.ENTRY in cancelled:
                raise Conflict(
                    f"refund id {cmd.refund_id!r} was already used for another order",
                    code="refund_id_reused",
                ) from None
            continue  # the purchase changed (a concurrent or repeated refund): read it again
        return {"refund_id": cmd.refund_id, "points_clawed_back": points}, True
    raise Contention("the order is being refunded concurrently; retry the request")
