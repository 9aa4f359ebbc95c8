"""A shop order is refunded: claw back what it earned, give back what it paid in points.

Both sides are proportional to the refunded share of each record's own amount, with the
cumulative rounding rule of ``shared.domain.earning.clawback_points`` (refunds adding up
to the whole record move exactly its points), once per refund id.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.earning import clawback_points
from shared.domain.ledger import Debit, Return
from shared.domain.tiers import month_key, window_start
from shared.dynamodb import rebates as rebates_repo
from shared.dynamodb import refunds as refunds_repo
from shared.errors import Contention, OrderNotFound, RefundExceedsOrder
from shared.rebates import accrual


class Refund(Struct, frozen=True):
    """A (partial) refund of a reported order."""

    refund_id: str
    order_id: str
    amount: Decimal


def _side(
    record_amount: str, refunded: str, points: int, refund: Decimal
) -> tuple[refunds_repo.Side, Decimal]:
    total = Decimal(record_amount)
    before = Decimal(refunded)
    applied = min(refund, total - before)
    moved = clawback_points(points, total, before, applied)
    return refunds_repo.Side(str(before + applied), str(applied), moved), total - before


def record_refund(cmd: Refund, now: datetime) -> tuple[dict[str, Any], bool]:
    """Returns (result, created); a repeated refund id answers the first result.

    What the order contributed to rebate accruals is taken back in the same transaction
    (``shared.rebates.accrual.for_refund``); settled accruals are left as they are."""
    rebates = accrual.Retries()
    for _ in range(6):
        purchase, hold = refunds_repo.find_order(cmd.order_id)
        if hold is not None and hold.status != "captured":
            hold = None  # only points actually spent at checkout come back
        if purchase is None and hold is None:
            raise OrderNotFound(f"no purchase or checkout was reported for order {cmd.order_id!r}")
        done_p = purchase.refunds.get(cmd.refund_id) if purchase else None
        done_h = hold.refunds.get(cmd.refund_id) if hold else None
        if done_p is not None or done_h is not None:
            return _result(
                cmd, int((done_p or {}).get("points", 0)), int((done_h or {}).get("points", 0))
            ), False
        member_id = purchase.member_id if purchase else hold.member_id
        clawback = give_back = None
        left: list[Decimal] = []
        if purchase is not None:
            clawback, rest = _side(purchase.amount, purchase.refunded, purchase.points, cmd.amount)
            left.append(rest)
        if hold is not None:
            give_back, rest = _side(hold.order_amount, hold.refunded, hold.points, cmd.amount)
            left.append(rest)
        if cmd.amount > max(left):
            raise RefundExceedsOrder(
                f"{cmd.amount} is more than the {max(left)} left to refund on order {cmd.order_id}",
                details={"fields": {"amount": f"at most {max(left)} is refundable"}},
            )
        clawback_entry = give_back_entry = None
        if clawback is not None and clawback.points > 0:
            clawback_entry = Debit(
                member_id,
                kinds.CLAWBACK,
                "refund",
                cmd.refund_id,
                clawback.points,
                now,
                **kinds.wording(
                    "refund_clawback", {"refund_id": cmd.refund_id, "order_id": cmd.order_id}
                ),
            )
        if give_back is not None and give_back.points > 0:
            give_back_entry = Return(
                member_id,
                kinds.REFUND,
                "checkout-refund",
                cmd.refund_id,
                give_back.points,
                now,
                **kinds.wording("checkout_refund", {"order_id": cmd.order_id}),
            )
        try:
            refunds_repo.apply(
                cmd.refund_id,
                member_id,
                purchase,
                clawback,
                clawback_entry,
                hold,
                give_back,
                give_back_entry,
                _qualifying_month(purchase, now) if clawback_entry is not None else None,
                accrual.for_refund(purchase, Decimal(clawback.refunded_after), now, rebates)
                if purchase is not None and clawback is not None
                else (),
            )
        except rebates_repo.Refused as refused:
            rebates.learn(refused)
            continue
        except refunds_repo.Changed:
            continue  # the purchase or hold changed (a concurrent refund): read again
        return _result(
            cmd, clawback.points if clawback else 0, give_back.points if give_back else 0
        ), True
    raise Contention("the order is being refunded concurrently; retry the request")


def _qualifying_month(purchase: refunds_repo.PurchaseEntry, now: datetime) -> str | None:
    """The qualifying bucket the purchase's points went to, if it still counts for tiers."""
    zone = programme.current().zone
    earned = local_date(datetime.fromisoformat(purchase.at), zone)
    if month_key(earned) < window_start(local_date(now, zone)):
        return None
    return month_key(earned)


def _result(cmd: Refund, clawed: int, returned: int) -> dict[str, Any]:
    return {
        "refund_id": cmd.refund_id,
        "order_id": cmd.order_id,
        "points_clawed_back": clawed,
        "points_returned": returned,
    }
