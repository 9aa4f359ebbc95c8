"""Points + cash orders: the shop's systems confirm the cash part, and the ``unpaid-orders``
job cancels what stays unpaid too long (points, stock and limits return)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shared import programme
from shared.domain import mall
from shared.domain.calendar import local_date
from shared.dynamodb import orders as orders_repo
from shared.errors import Invalid, InvalidTransition
from shared.mall.orders import order_by_id
from shared.mall.views import order_view
from shared.replan import until_done


def confirm_payment(
    order_id: str, amount: Decimal, payment_ref: str, now: datetime
) -> dict[str, Any]:
    """The shop received the cash part: the order goes on. Repeating the same confirmation
    answers the same; a cancelled (unpaid, swept) order cannot be paid any more."""
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        order = order_by_id(order_id)
        if order.cash_due is None:
            raise InvalidTransition("this order has no cash part", details={"status": order.status})
        if order.status != mall.AWAITING_PAYMENT:
            if order.paid_at and order.payment_ref == payment_ref:
                return order_view(order, now, rules, admin=True)
            raise InvalidTransition(
                f"the order is {order.status}, not awaiting payment",
                details={"status": order.status},
            )
        if amount != order.cash_due:
            raise Invalid(
                f"the amount paid must be the cash due, {order.cash_due}",
                details={"fields": {"amount": f"must be {order.cash_due}"}},
            )
        today = local_date(now, rules.zone)
        if not orders_repo.confirm_payment(order, payment_ref, now, today):
            return None
        return order_view(order, now, rules, admin=True)

    return until_done(attempt)


def _forever() -> float:
    return math.inf


def sweep_unpaid_orders(now: datetime, time_left: Callable[[], float] = _forever) -> dict:
    """The ``unpaid-orders`` job: cancel points + cash orders still unpaid after
    ``unpaid_order_minutes``, returning points, stock and limits (once: conditional on the
    status). Its cost follows the unpaid orders due (the by_status index), nothing else."""
    rules = programme.current()
    cutoff = now - timedelta(minutes=rules.unpaid_order_minutes)
    today = local_date(now, rules.zone)
    found = cancelled = 0
    for hit in orders_repo.placed_before(mall.AWAITING_PAYMENT, cutoff):
        if time_left() < 5:  # the rest waits for the next run (or an operator's continuation)
            return {"complete": False, "processed": found, "cancelled": cancelled}
        found += 1
        order = orders_repo.get(hit.member_id, hit.order_id)
        if order is None or order.status != mall.AWAITING_PAYMENT:
            continue  # paid or cancelled meanwhile (the index lags the table)
        if orders_repo.give_back(order, mall.CANCELLED, "unpaid", now, today):
            cancelled += 1
    return {"complete": True, "processed": found, "cancelled": cancelled}
