"""Points at checkout (积分抵扣): how much a hold is worth and how much of an order it may pay."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from msgspec import Struct

from shared.errors import ExceedsMaxShare


def cash_value(points: int, points_per_unit: int) -> Decimal:
    """What ``points`` pay at checkout, e.g. 600 points at 100 per unit = 6.00."""
    return (Decimal(points) / Decimal(points_per_unit)).quantize(Decimal("0.01"))


def check_hold(
    points: int, order_amount: Decimal, points_per_unit: int, max_share: Decimal
) -> Decimal:
    """The hold's cash value, or :class:`ExceedsMaxShare` when the points would pay more than
    ``max_share`` of the order, or an amount that is not a whole cent at the ratio."""
    exact = Decimal(points) / Decimal(points_per_unit)
    if exact != exact.quantize(Decimal("0.01")):
        raise ExceedsMaxShare(
            f"{points} points are not a whole cent at {points_per_unit} points per unit",
            details={"fields": {"points": f"must pay whole cents at {points_per_unit}/unit"}},
        )
    limit = (order_amount * max_share).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    if exact > limit:
        most = int(limit * points_per_unit)
        raise ExceedsMaxShare(
            f"points may pay at most {max_share:%} of the order ({limit}); {exact} asked",
            details={"fields": {"points": f"at most {most} for this order"}},
        )
    return exact.quantize(Decimal("0.01"))


class Hold(Struct, frozen=True):
    """Points held for a shop order; ``status``: active | captured | released | expired.
    Times are UTC ISO-8601; amounts decimal strings; ``refunds``: refund id -> its share."""

    hold_id: str
    member_id: str
    order_id: str
    points: int
    cash_value: str
    order_amount: str
    currency: str
    status: str
    created_at: str
    expires_at: str
    refunded: str = "0"
    returned: int = 0
    refunds: dict[str, Any] = {}
