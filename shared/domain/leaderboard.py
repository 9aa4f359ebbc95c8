"""The leaderboard (积分排名): points earned in the programme's month or year, ranked.

Points earned are the credits that count for tiers (``QUALIFYING_SOURCES``: purchases,
check-ins, tasks, referrals, campaigns) less what refunds clawed back of them, in the month
(or year) they were earned, in the programme's time zone: a member's ``qualifying`` buckets
(``"YYYY-MM"`` -> points). Welcome and birthday gifts, lottery prizes, rebates, transfers,
adjustments, imports and returned orders do not count.

Ranks: the same points share a rank (1, 2, 2, 4); among them, who reached the total first
(the time of the last counted credit) comes first, then the member id. A snapshot keeps the
top :data:`TOP` and the distribution of everyone's points (:class:`Levels`), from which any
member's rank follows: 1 + the members with more points.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from msgspec import Struct

from shared.domain.calendar import add_months

PERIODS = ("month", "year")
TOP = 100
# The distribution's size bounds the snapshot item (and so the read's cost): distinct point
# totals are kept exactly down to the EXACT_LEVELS-th; below, bands of about equal head count.
MAX_LEVELS = 1000
EXACT_LEVELS = 500


def period_key(period: str, day: date) -> str:
    """The period ``day`` falls in: ``"2026-11"`` (month) or ``"2026"`` (year)."""
    return day.strftime("%Y-%m") if period == "month" else f"{day.year:04d}"


def previous_key(period: str, day: date) -> str:
    """The period before the one ``day`` falls in."""
    if period == "year":
        return f"{day.year - 1:04d}"
    return period_key(period, add_months(day.replace(day=1), -1))


def first_month(key: str) -> str:
    """The first ``YYYY-MM`` of a period key (a month is its own first month)."""
    return key if len(key) == 7 else f"{key}-01"


def points_in(buckets: Mapping[str, int], key: str) -> int:
    """A member's points earned in period ``key``, from their monthly buckets."""
    if len(key) == 7:
        return int(buckets.get(key, 0))
    return sum(int(points) for month, points in buckets.items() if month.startswith(f"{key}-"))


class Standing(Struct, frozen=True):
    """A member's total in a period and when they reached it (UTC ISO-8601, sorts as text)."""

    member_id: str
    points: int
    reached_at: str = ""


class Row(Struct, frozen=True):
    rank: int
    member_id: str
    points: int


def _order(s: Standing) -> tuple[int, str, str]:
    return (-s.points, s.reached_at, s.member_id)


class Levels(Struct, frozen=True):
    """The distribution of the members' totals, best first: ``points[i]`` is a total held by
    ``counts[i]`` members (exact levels), or, below ``exact_min``, the lowest total of a band
    of ``counts[i]`` members whose totals lie under the level before."""

    points: list[int]
    counts: list[int]
    exact_min: int | None = None  # None: every level is exact

    def rank_of(self, points: int) -> tuple[int, bool]:
        """The rank ``points`` would have (1 + the members with more) and whether it is exact:
        inside a band it is the band's best rank, as its members' totals are not kept."""
        above = sum(c for p, c in zip(self.points, self.counts, strict=True) if p > points)
        exact = self.exact_min is None or points >= self.exact_min
        return 1 + above, exact


def levels(counts: dict[int, int]) -> Levels:
    """The distribution of totals (total -> members), at most :data:`MAX_LEVELS` long."""
    groups = sorted(counts.items(), reverse=True)
    if len(groups) <= MAX_LEVELS:
        return Levels([p for p, _ in groups], [c for _, c in groups])
    head, tail = groups[:EXACT_LEVELS], groups[EXACT_LEVELS:]
    per_band = -(-sum(c for _, c in tail) // (MAX_LEVELS - EXACT_LEVELS))  # ceiling
    bands: list[list[int]] = []
    filling = 0
    for points, count in tail:
        if not bands or filling >= per_band:
            bands.append([points, 0])
            filling = 0
        bands[-1][0] = points  # the band's lowest total so far
        bands[-1][1] += count
        filling += count
    kept = [list(g) for g in head] + bands
    return Levels([g[0] for g in kept], [g[1] for g in kept], exact_min=head[-1][0])


class Board(Struct, frozen=True):
    """One period's snapshot: the top rows and the distribution, as of a time (UTC)."""

    period: str
    key: str
    as_of: str
    closed: bool  # taken after the period ended: final
    ranked: int  # members with points in the period
    top: list[Row]
    levels: Levels


class Tally:
    """A period's standings added one by one, in memory that follows the distinct totals
    and :data:`TOP`, not the members: a count per total and the best few standings."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self._best: list[Standing] = []

    def add(self, standing: Standing) -> None:
        if standing.points <= 0:
            return
        self.counts[standing.points] = self.counts.get(standing.points, 0) + 1
        self._best.append(standing)
        if len(self._best) >= 4 * TOP:
            self._best = sorted(self._best, key=_order)[:TOP]

    def rows(self) -> list[Row]:
        """The top :data:`TOP` standings, best first: points descending, then who reached the
        total first, then member id; a rank is 1 + the members with more points (1, 2, 2, 4)."""
        above, ahead = {}, 0
        for points in sorted(self.counts, reverse=True):
            above[points] = ahead
            ahead += self.counts[points]
        best = sorted(self._best, key=_order)[:TOP]
        return [Row(1 + above[s.points], s.member_id, s.points) for s in best]

    def board(self, period: str, key: str, as_of: str, closed: bool) -> Board:
        ranked = sum(self.counts.values())
        return Board(period, key, as_of, closed, ranked, self.rows(), levels(self.counts))


def mask(member_id: str) -> str:
    """A member id as others see it: a third of its characters (first ones, then last
    ones) around three stars, so neither the id nor its length shows ("m-alice" -> "m***e")."""
    keep = len(member_id) // 3
    head, tail = (keep + 1) // 2, keep // 2
    return member_id[:head] + "***" + (member_id[-tail:] if tail else "")
