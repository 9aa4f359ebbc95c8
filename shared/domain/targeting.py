"""Who a campaign or a lottery is for: member tiers and/or members registered after a date.

Both conditions are optional and combine with AND. ``registered_after`` is a date of the
programme's calendar and is exclusive: ``"2026-11-01"`` admits members whose registration
(``registered_at`` in the programme's time zone) falls on 2026-11-02 or later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import Struct


class Audience(Struct, frozen=True):
    """What targeting needs to know of a member: tier and registration time."""

    tier: str | None
    registered_at: datetime | None  # None: not known (the caller assumes "not new")


class Target(Struct, frozen=True):
    """The members something is for; ``None`` fields admit everyone."""

    tiers: frozenset[str] | None = None
    registered_after: date | None = None

    @property
    def everyone(self) -> bool:
        return self.tiers is None and self.registered_after is None

    def admits(self, member: Audience, zone: ZoneInfo) -> bool:
        if self.tiers is not None and member.tier not in self.tiers:
            return False
        if self.registered_after is None:
            return True
        return member.registered_at is not None and member.registered_at >= cutoff(
            self.registered_after, zone
        )

    def describe(self) -> str:
        """In words, for a refusal's message."""
        parts = []
        if self.tiers is not None:
            parts.append("tiers " + ", ".join(sorted(self.tiers)))
        if self.registered_after is not None:
            parts.append(f"members registered after {self.registered_after.isoformat()}")
        return " and ".join(parts) or "every member"

    def to_json(self) -> dict[str, Any]:
        return {
            "tiers": sorted(self.tiers) if self.tiers is not None else None,
            "registered_after": self.registered_after.isoformat()
            if self.registered_after is not None
            else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        tiers, after = data.get("tiers"), data.get("registered_after")
        return cls(
            tiers=frozenset(tiers) if tiers is not None else None,
            registered_after=date.fromisoformat(after) if after is not None else None,
        )


def cutoff(registered_after: date, zone: ZoneInfo) -> datetime:
    """The first instant a registration counts as "after" ``registered_after``: the start of
    the next programme day."""
    return datetime.combine(registered_after + timedelta(days=1), time.min, tzinfo=zone)


def problems(target: Target, tier_names: Iterable[str]) -> dict[str, str]:
    """What is wrong with a target given the programme's tiers (field -> problem)."""
    known = tuple(tier_names)
    unknown = sorted((target.tiers or frozenset()) - set(known))
    if unknown:
        return {"tiers": f"unknown tier {', '.join(unknown)}; tiers are {', '.join(known)}"}
    return {}
