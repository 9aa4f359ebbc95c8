"""Campaigns: time-boxed purchase promotions (double-points days, flat bonuses)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct


class Line(Struct, frozen=True):
    """A part of a purchase: one reported item, or what the items do not cover."""

    amount: Decimal
    sku: str | None = None
    category: str | None = None
    quantity: int = 1  # units (rebate quantity ladders count them)


class Campaign(Struct, frozen=True):
    """``multiplier`` scales the points of the lines it covers; ``bonus_points`` is added
    once per matching purchase. ``None`` filters match everything; a line matches when its
    category and SKU pass the filters and the purchase's channel passes ``channels``."""

    campaign_id: str
    name: str
    starts_at: datetime
    ends_at: datetime  # exclusive
    multiplier: Decimal | None = None
    bonus_points: int | None = None
    categories: frozenset[str] | None = None
    skus: frozenset[str] | None = None
    channels: frozenset[str] | None = None

    def active_at(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

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
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Campaign:
        """From :meth:`to_json`'s shape (stored data, already validated)."""

        def names(key: str) -> frozenset[str] | None:
            values = data.get(key)
            return frozenset(values) if values is not None else None

        multiplier = data.get("multiplier")
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
        )


def active(campaigns: tuple[Campaign, ...], at: datetime) -> tuple[Campaign, ...]:
    return tuple(c for c in campaigns if c.active_at(at))
