"""Programme rules (SPEC §3, §5, §7) with the defaults from the source plans."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

TIER_NAMES: tuple[str, ...] = ("bronze", "silver", "gold", "platinum", "diamond")


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    threshold: int  # qualifying points over a rolling 12 months
    multiplier: Decimal  # applied to purchase points
    birthday_points: int


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("bronze", 0, Decimal("1.0"), 50),
    Tier("silver", 1_000, Decimal("1.1"), 100),
    Tier("gold", 5_000, Decimal("1.25"), 200),
    Tier("platinum", 20_000, Decimal("1.5"), 500),
    Tier("diamond", 50_000, Decimal("2.0"), 1_000),
)


@dataclass(frozen=True, slots=True)
class Validity:
    """How long a lot of points lives.

    ``rolling``: ``months`` after the day it was earned (valid through that day).
    ``fixed``: through ``month``/``day`` of the year after it was earned (e.g. 31 Dec).
    """

    policy: str = "rolling"
    months: int = 6
    month: int = 12
    day: int = 31
    years_after: int = 1


@dataclass(frozen=True, slots=True)
class Rules:
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    earn_points_per_unit: Decimal = Decimal(1)  # points per currency unit paid, floored
    welcome_points: int = 100
    validity: Validity = field(default_factory=Validity)
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    expiry_shards: int = 10  # lots due on one day are spread over this many index partitions

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_RULES = Rules()
