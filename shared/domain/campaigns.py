"""Campaigns: time-boxed purchase promotions (double-points days, flat bonuses, spend
thresholds 满X送Y), optionally recurring on weekdays (member days) and targeted at tiers or
new members (``shared.domain.targeting``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct

from shared.domain.targeting import Audience, Target
from shared.domain.targeting import problems as target_problems

WEEKDAYS = range(1, 8)  # ISO: 1 = Monday ... 7 = Sunday
MAX_SPEND_RUNGS = 10


class Line(Struct, frozen=True):
    """A part of a purchase: one reported item, or what the items do not cover."""

    amount: Decimal
    sku: str | None = None
    category: str | None = None
    quantity: int = 1  # units (rebate quantity ladders count them)


class Recurrence(Struct, frozen=True):
    """The ISO weekdays (1 = Monday) a campaign runs on inside its window, as days of the
    programme's time zone: ``(3,)`` is every Wednesday (a member day)."""

    weekdays: tuple[int, ...]


class SpendRung(Struct, frozen=True):
    """满X送Y: a purchase whose covered amount reaches ``min_amount`` adds ``points``."""

    min_amount: Decimal
    points: int


class Campaign(Struct, frozen=True):
    """``multiplier`` scales the points of the lines it covers; ``bonus_points`` is added
    once per matching purchase; ``spend_bonus`` adds the points of the highest rung the
    covered amount reaches. ``None`` filters match everything; a line matches when its
    category and SKU pass the filters and the purchase's channel passes ``channels``.
    ``tiers`` / ``registered_after`` restrict it to some members, ``recurrence`` to some
    weekdays of its window."""

    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime  # exclusive
    multiplier: Decimal | None = None
    bonus_points: int | None = None
    categories: frozenset[str] | None = None
    skus: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    registered_after: date | None = None
    recurrence: Recurrence | None = None
    spend_bonus: tuple[SpendRung, ...] | None = None  # min_amount strictly increasing

    @property
    def target(self) -> Target:
        return Target(self.tiers, self.registered_after)

    def active_at(self, at: datetime, zone: ZoneInfo) -> bool:
        """Inside the window and, when recurring, on one of its weekdays (programme zone)."""
        if not self.starts_at <= at < self.ends_at:
            return False
        return self.recurrence is None or at.astimezone(zone).isoweekday() in set(
            self.recurrence.weekdays
        )

    def admits(self, member: Audience, zone: ZoneInfo) -> bool:
        return self.target.admits(member, zone)

    def spend_points(self, covered_amount: Decimal) -> int:
        """The points of the highest spend rung ``covered_amount`` reaches (0: none)."""
        reached = [r.points for r in self.spend_bonus or () if covered_amount >= r.min_amount]
        return reached[-1] if reached else 0

    def covers_channel(self, channel: str | None) -> bool:
        return self.channels is None or channel in self.channels

    def covers(self, line: Line, channel: str | None) -> bool:
        return (
            self.covers_channel(channel)
            and (self.categories is None or line.category in self.categories)
            and (self.skus is None or line.sku in self.skus)
        )

    def to_json(self) -> dict[str, Any]:
        def names(values: frozenset[str] | None) -> list[str] | None:
            return sorted(values) if values is not None else None

        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "multiplier": str(self.multiplier) if self.multiplier is not None else None,
            "bonus_points": self.bonus_points,
            "categories": names(self.categories),
            "skus": names(self.skus),
            "channels": names(self.channels),
            **self.target.to_json(),
            "recurrence": {"weekdays": list(self.recurrence.weekdays)}
            if self.recurrence is not None
            else None,
            "spend_bonus": [
                {"min_amount": str(r.min_amount), "points": r.points} for r in self.spend_bonus
            ]
            if self.spend_bonus is not None
            else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Campaign:
        """From :meth:`to_json`'s shape (stored data, already validated)."""

        def names(key: str) -> frozenset[str] | None:
            values = data.get(key)
            return frozenset(values) if values is not None else None

        multiplier = data.get("multiplier")
        target = Target.from_json(data)
        recurrence = data.get("recurrence")
        rungs = data.get("spend_bonus")
        return cls(
            campaign_id=data["campaign_id"],
            name=data["name"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            multiplier=Decimal(multiplier) if multiplier is not None else None,
            bonus_points=data.get("bonus_points"),
            categories=names("categories"),
            skus=names("skus"),
            channels=names("channels"),
            tiers=target.tiers,
            registered_after=target.registered_after,
            recurrence=Recurrence(tuple(recurrence["weekdays"])) if recurrence else None,
            spend_bonus=tuple(SpendRung(Decimal(r["min_amount"]), int(r["points"])) for r in rungs)
            if rungs is not None
            else None,
        )


def active(campaigns: tuple[Campaign, ...], at: datetime, zone: ZoneInfo) -> tuple[Campaign, ...]:
    return tuple(c for c in campaigns if c.active_at(at, zone))


def for_member(
    campaigns: Sequence[Campaign], member: Audience, zone: ZoneInfo
) -> tuple[Campaign, ...]:
    """The campaigns (already active) whose target admits ``member``."""
    return tuple(c for c in campaigns if c.admits(member, zone))


def definition_problems(campaign: Campaign, tier_names: Sequence[str]) -> dict[str, str]:
    """What is inconsistent in a campaign's definition (field -> problem)."""
    problems: dict[str, str] = {}
    if campaign.ends_at <= campaign.starts_at:
        problems["ends_at"] = "must be after starts_at"
    if campaign.multiplier is None and campaign.bonus_points is None and not campaign.spend_bonus:
        problems["multiplier"] = "a campaign needs a multiplier, bonus_points or spend_bonus"
    if campaign.recurrence is not None:
        days = campaign.recurrence.weekdays
        if not days or len(set(days)) != len(days) or any(d not in WEEKDAYS for d in days):
            problems["recurrence.weekdays"] = "must be distinct ISO weekdays 1 (Monday) to 7"
    rungs = campaign.spend_bonus or ()
    if campaign.spend_bonus is not None and not 1 <= len(rungs) <= MAX_SPEND_RUNGS:
        problems["spend_bonus"] = f"must have 1 to {MAX_SPEND_RUNGS} rungs"
    for i in range(1, len(rungs)):
        if rungs[i].min_amount <= rungs[i - 1].min_amount:
            problems[f"spend_bonus[{i}].min_amount"] = "must be more than the rung before"
    problems.update(target_problems(campaign.target, tier_names))
    return problems
