"""Membership tiers by qualifying points over a rolling window (docs/product.md §7).

Qualifying points are kept in monthly buckets (``"YYYY-MM"`` → points) on the member. The
window is the current month and the ``WINDOW_MONTHS`` complete months before it, so a
point counts for at least 12 months: the monthly evaluation on the 1st sees exactly the
12 months that just ended (plus the new month's first hours).

Promotion happens when a qualifying credit takes the total over a higher tier's threshold
(skipping tiers if the points say so, never downwards). Demotion is the monthly
evaluation's: one step down when the total is below the member's tier's threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from msgspec import Struct

from shared.domain.calendar import add_months
from shared.domain.rules import Tier

WINDOW_MONTHS = 12  # complete months before the current one whose points still qualify


class TierStanding(Struct, frozen=True):
    """A member's tier and how far the next one is."""

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


def month_key(day: date) -> str:
    return day.strftime("%Y-%m")


def window_start(today: date) -> str:
    """The oldest month whose bucket still qualifies on ``today``."""
    return month_key(add_months(today.replace(day=1), -WINDOW_MONTHS))


def qualifying_total(buckets: Mapping[str, int], today: date) -> int:
    """Qualifying points on ``today``: the buckets of the window (later ones count too)."""
    first = window_start(today)
    return sum(int(points) for month, points in buckets.items() if month >= first)


def stale_buckets(buckets: Mapping[str, int], today: date) -> list[str]:
    """Buckets that no longer count on ``today`` (the monthly job removes them)."""
    first = window_start(today)
    return sorted(month for month in buckets if month < first)


def index_of(name: str | None, tiers: tuple[Tier, ...]) -> int:
    """Position of a tier (an unknown or missing tier counts as the first)."""
    names = [t.name for t in tiers]
    return names.index(name) if name in names else 0


def after_credit(
    current: str | None, total_before: int, points: int, tiers: tuple[Tier, ...]
) -> str:
    """The tier after a qualifying credit: the higher of the current tier and the tier the
    new total reaches (several steps at once if the points say so; never lower)."""
    reached = index_of(tier_for(total_before + points, tiers).name, tiers)
    return tiers[max(index_of(current, tiers), reached)].name


class Bounds(Struct, frozen=True):
    """``low <= total before the credit < high`` (None: unbounded on that side)."""

    low: int | None
    high: int | None


def credit_bounds(current: str | None, after: str, points: int, tiers: tuple[Tier, ...]) -> Bounds:
    """The totals before a credit of ``points`` for which a member in ``current`` ends in
    ``after`` — what the credit's transaction makes DynamoDB check, so concurrent credits
    cannot promote wrongly. ``after == current``: the credit must not reach the next tier;
    otherwise it must reach ``after`` but not the one above it."""
    j = index_of(after, tiers)
    high = tiers[j + 1].threshold - points if j + 1 < len(tiers) else None
    if j == index_of(current, tiers):
        return Bounds(None, high)
    return Bounds(tiers[j].threshold - points, high)


def demotion(current: str | None, total: int, tiers: tuple[Tier, ...]) -> str | None:
    """The monthly evaluation: one step down when ``total`` is below the member's tier's
    threshold, else None."""
    i = index_of(current, tiers)
    if i == 0 or total >= tiers[i].threshold:
        return None
    return tiers[i - 1].name


def birthday_days(today: date) -> tuple[str, ...]:
    """The ``MM-DD`` birthdays celebrated on ``today``: members born on 29 February are
    celebrated on 28 February in years without a 29th."""
    days = (today.strftime("%m-%d"),)
    if days[0] == "02-28" and not _leap(today.year):
        days += ("02-29",)
    return days


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
