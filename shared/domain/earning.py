"""How many points a purchase earns, and how much a refund claws back."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from shared.domain.rules import Rules


@dataclass(frozen=True, slots=True)
class RulePoints:
    rule: str
    points: int


@dataclass(frozen=True, slots=True)
class PurchasePoints:
    points: int
    breakdown: tuple[RulePoints, ...]


def floor_points(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def purchase_points(amount: Decimal, rules: Rules) -> PurchasePoints:
    """Base earning: ``earn_points_per_unit`` per currency unit paid, floored.

    The breakdown lists each rule's share; its parts always add up to ``points``.
    """
    base = floor_points(amount * rules.earn_points_per_unit)
    return PurchasePoints(points=base, breakdown=(RulePoints("base", base),))


def clawback_points(
    order_points: int, order_amount: Decimal, refunded_before: Decimal, refund: Decimal
) -> int:
    """Points to claw back for ``refund`` on an order that earned ``order_points``.

    Rounding rule: the *cumulative* clawback after a refund is
    ``floor(order_points × refunded_total / order_amount)``; this refund claws back the
    difference to what earlier refunds took. Partial refunds therefore never claw back more
    than a proportional share, and refunding the whole order always claws back exactly
    ``order_points`` however it was split.
    """
    if order_amount <= 0 or order_points <= 0:
        return 0
    before = floor_points(order_points * refunded_before / order_amount)
    after = floor_points(order_points * (refunded_before + refund) / order_amount)
    return after - before
