"""How many points a purchase earns, and how much a refund claws back."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from msgspec import Struct

from shared.domain.campaigns import Campaign, Line
from shared.domain.rules import Rules, Tier


class RulePoints(Struct, frozen=True):
    """Points one earning rule adds to a purchase (a line of the breakdown)."""

    rule: str
    points: int


class PurchasePoints(Struct, frozen=True):
    """A purchase's points and the rules that made them."""

    points: int
    breakdown: tuple[RulePoints, ...]


def floor_points(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def purchase_points(
    amount: Decimal,
    rules: Rules,
    *,
    lines: tuple[Line, ...] = (),
    channel: str | None = None,
    tier: Tier | None = None,
    campaigns: tuple[Campaign, ...] = (),
    frozen: bool = False,
) -> PurchasePoints:
    """Points a purchase earns and each rule's share (docs/decisions.md, "Purchase points").

    The purchase is split into ``lines`` (the reported items) plus a remainder line for
    what they do not cover. ``rate`` = ``earn_points_per_unit``; per line, the points
    before tier and campaigns are ``P = amount × rate × (1 + Σ matching extra rates)``.

    - ``base``: ``amount × rate``
    - ``category:<c>`` / ``sku:<s>`` / ``channel:<ch>``: ``line amount × rate × extra rate``
      of every line that matches (bonuses of one line add up, they do not compound)
    - ``tier:<name>``: ``Σ P × (tier multiplier − 1)``
    - ``campaign:<id>``: ``Σ P × tier multiplier × (campaign multiplier − 1)`` over the
      lines it covers, plus its flat ``bonus_points`` if it covers any line (campaigns add
      up with each other: two ×2 campaigns make ×3)
    - ``spend_bonus:<id>``: the points of the campaign's highest spend rung (满X送Y) that the
      amount of the lines it covers reaches (whole points: neither tier nor multipliers
      scale them)

    Each share is computed exactly and floored on its own; ``points`` is the sum of the
    shares, so the breakdown always adds up and no rounding ever credits more than the
    exact value. Shares of 0 are left out (``base`` is always shown). A frozen member earns
    nothing: one ``member_frozen`` part of 0.
    """
    if frozen:
        return PurchasePoints(points=0, breakdown=(RulePoints("member_frozen", 0),))
    rate = rules.earn_points_per_unit
    listed = sum((line.amount for line in lines), Decimal(0))
    if listed > amount:
        raise ValueError("the lines add up to more than the amount paid")
    parts = list(lines) + ([Line(amount - listed)] if amount > listed else [])
    exact: dict[str, Decimal] = {}

    def add(rule: str, value: Decimal) -> None:
        exact[rule] = exact.get(rule, Decimal(0)) + value

    before_tier: list[Decimal] = []  # P of each line
    for line in parts:
        points = line.amount * rate
        extra = Decimal(0)
        for rule, bonuses, key in (
            ("category", rules.category_bonuses, line.category),
            ("sku", rules.sku_bonuses, line.sku),
            ("channel", rules.channel_bonuses, channel),
        ):
            if key is not None and key in bonuses:
                add(f"{rule}:{key}", points * bonuses[key])
                extra += bonuses[key]
        before_tier.append(points * (1 + extra))
    multiplier = tier.multiplier if tier is not None else Decimal(1)
    if tier is not None and multiplier != 1:
        add(f"tier:{tier.name}", sum(before_tier, Decimal(0)) * (multiplier - 1))
    for campaign in sorted(campaigns, key=lambda c: c.campaign_id):
        covered = [
            p for line, p in zip(parts, before_tier, strict=True) if campaign.covers(line, channel)
        ]
        share = Decimal(0)
        if campaign.multiplier is not None:
            share += sum(covered, Decimal(0)) * multiplier * (campaign.multiplier - 1)
        if campaign.bonus_points and covered:
            share += campaign.bonus_points
        add(f"campaign:{campaign.campaign_id}", share)
        if campaign.spend_bonus:
            reached = sum((p.amount for p in parts if campaign.covers(p, channel)), Decimal(0))
            add(f"spend_bonus:{campaign.campaign_id}", Decimal(campaign.spend_points(reached)))
    breakdown = [RulePoints("base", floor_points(amount * rate))]
    for rule, value in exact.items():
        points = floor_points(value)
        if points:
            breakdown.append(RulePoints(rule, points))
    return PurchasePoints(points=sum(part.points for part in breakdown), breakdown=tuple(breakdown))


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
