"""What a draw's prize becomes: points credited as a new lot, a coupon issued as a mall order,
a gift order waiting for its delivery address, or a red packet's payout (written by the
draw's transaction); and the delivery address a won gift waits for."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from shared import programme
from shared.domain import ledger as kinds
from shared.domain import lottery as domain
from shared.domain import mall as mall_rules
from shared.domain.ledger import Credit
from shared.domain.lots import expiry_date
from shared.domain.lottery import Lottery, Prize
from shared.domain.rules import Rules
from shared.dynamodb import orders as orders_repo
from shared.dynamodb.lottery_draws import Award
from shared.errors import OrderNotFound
from shared.replan import until_done

PRIZE_SOURCE = "lottery-prize"  # the ledger source of a points prize (ref: the draw id)


def award(
    member_id: str,
    lottery: Lottery,
    prize: Prize | None,
    draw_id: str,
    now: datetime,
    today: date,
    rules: Rules,
) -> Award:
    """The prize's credit, order and coupon (new ids each time: a retried plan draws new)."""
    if prize is None:
        return Award()
    credit = None
    if prize.kind == domain.POINTS and prize.points:
        credit = Credit(
            member_id=member_id,
            type=kinds.LOTTERY_PRIZE,
            source=PRIZE_SOURCE,
            ref=draw_id,
            points=prize.points,
            at=now + timedelta(microseconds=1),  # listed after the cost it follows
            earned_on=today,
            expires_on=expiry_date(today, rules.validity),
            **kinds.wording("lottery_prize", {"prize": prize.name, "lottery": lottery.name}),
        )
    order_id = coupon_code = coupon_expires_on = None
    if prize.kind in (domain.COUPON, domain.GIFT):
        order_id = mall_rules.new_order_id(now)
    if prize.kind == domain.COUPON:
        coupon_code = mall_rules.new_coupon_code()
        coupon_expires_on = mall_rules.coupon_expires_on(today, prize.valid_days)
    return Award(credit, order_id, coupon_code, coupon_expires_on)


def give_delivery_address(
    member_id: str, order_id: str, delivery: dict[str, str], now: datetime
) -> dict[str, Any]:
    """A gift won in the lottery waits for its delivery address; giving it places the order
    (pickup orders get their one-time code). Giving the same address again answers the
    same; an order that is not waiting for an address cannot take one (409)."""
    from shared.mall import order_view  # the mall's order view (only this route needs it)

    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        order = orders_repo.get(member_id, order_id)
        if order is None:
            raise OrderNotFound(f"you have no order {order_id!r}")
        if order.status != mall_rules.AWAITING_ADDRESS:
            view = order_view(order, now, rules)
            if view.get("delivery") == delivery:
                return view
            mall_rules.check_transition(
                order.status, mall_rules.PLACED, frozenset({mall_rules.AWAITING_ADDRESS})
            )
        fields: dict[str, Any] = {"delivery": delivery}
        if delivery.get("method") == mall_rules.PICKUP:
            fields["pickup_code"] = mall_rules.new_pickup_code()
        if orders_repo.move(order, mall_rules.PLACED, now, **fields):
            return order_view(order, now, rules)
        return None  # the order changed since it was read

    return until_done(attempt)
