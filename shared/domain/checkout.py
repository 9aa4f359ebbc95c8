"""Points at checkout (积分抵扣): how much a hold is worth and how much of an order it may pay."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

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
