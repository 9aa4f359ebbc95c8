"""Membership tiers by qualifying points over a rolling 12 months (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.rules import Tier


@dataclass(frozen=True, slots=True)
class TierStanding:
    tier: str
    next_tier: str | None
    points_to_next_tier: int


def tier_for(qualifying_points: int, tiers: tuple[Tier, ...]) -> Tier:
    reached = [t for t in tiers if qualifying_points >= t.threshold]
    return max(reached, key=lambda t: t.threshold) if reached else tiers[0]


def standing(current: str, qualifying_points: int, tiers: tuple[Tier, ...]) -> TierStanding:
    names = [t.name for t in tiers]
    index = names.index(current) if current in names else 0
    if index + 1 >= len(tiers):
        return TierStanding(current, None, 0)
    nxt = tiers[index + 1]
    return TierStanding(current, nxt.name, max(nxt.threshold - qualifying_points, 0))
