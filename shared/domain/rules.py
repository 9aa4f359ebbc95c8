"""Programme rules (docs/product.md §3, §5, §7) with the defaults from the source plans."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from msgspec import Struct, field

TIER_NAMES: tuple[str, ...] = ("bronze", "silver", "gold", "platinum", "diamond")


class Tier(Struct, frozen=True):
    """A membership tier: its qualifying threshold, earning multiplier and birthday gift."""

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


class Validity(Struct, frozen=True):
    """How long a lot of points lives.

    ``rolling``: ``months`` after the day it was earned (valid through that day).
    ``fixed``: through ``month``/``day`` of the year after it was earned (e.g. 31 Dec).
    """

    policy: str = "rolling"
    months: int = 6
    month: int = 12
    day: int = 31
    years_after: int = 1


class Risk(Struct, frozen=True):
    """Risk rules (SPEC §9d): a purchase above ``single_purchase_limit`` (money), or whose
    points would take the member's purchase points of the programme day above
    ``daily_purchase_points``, waits in the review queue instead of crediting. None = off."""

    single_purchase_limit: Decimal | None = Decimal("100000.00")
    daily_purchase_points: int | None = 200_000


class Notifications(Struct, frozen=True):
    """Reaching members (SPEC §9d): the locale of members who chose none, SMS quiet hours
    (programme time, ``HH:MM``; an SMS due inside them waits until they end) and how long
    inbox messages are kept."""

    default_locale: str = "zh-CN"
    quiet_start: str = "21:00"
    quiet_end: str = "09:00"
    inbox_days: int = 90


class Rules(Struct, frozen=True):
    """Every programme setting, with the source plans' defaults.

    Issue-owners extend this one object; ``PUT /v1/admin/rules`` stores overrides and
    ``GET /v1/admin/rules`` returns it with the defaults filled in.
    """

    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    # Earning (docs/product.md §3)
    earn_points_per_unit: Decimal = Decimal(1)  # points per currency unit paid, floored
    welcome_points: int = 100
    checkin_points: int = 10
    streak_bonuses: tuple[tuple[int, int], ...] = ((7, 30), (30, 100))  # (day, bonus)
    referral_referrer_points: int = 100
    referral_referee_points: int = 50
    referral_second_level_points: int = 20
    daily_activity_cap: int = 500  # check-ins + tasks per member per day
    # Purchase bonuses: extra earning rate on the amount of matching lines ("0.5" = +50 %).
    category_bonuses: dict[str, Decimal] = field(default_factory=dict)
    sku_bonuses: dict[str, Decimal] = field(default_factory=dict)
    channel_bonuses: dict[str, Decimal] = field(default_factory=dict)
    # Expiry (docs/product.md §5)
    validity: Validity = field(default_factory=Validity)
    # Lots (and checkout holds) are spread over this many by_expiry index partitions, one
    # worker each on the night of the expiry (docs/data-model.md "Expiry"). It may only grow:
    # the jobs and the holds sweep query shards 0..n-1, so items written under a smaller count
    # stay in range; a smaller one would strand them. 10 until issue 23; 64 finishes 10 million
    # lots due on one night in ~1.1 h (the run's window: 03:05 to its 06:05 deadline).
    expiry_shards: int = 64
    # Tiers (docs/product.md §7)
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    # Points mall (docs/product.md §4)
    gift_limit_per_day: int = 1  # default for gifts without their own per_member_limit
    gift_same_item_total: int = 1  # "the same gift not twice"
    cash_out_points_per_unit: int = 100  # points per 1 currency unit of cash credit
    cash_out_starts_at: str | None = None  # ISO-8601; None = no window open
    cash_out_ends_at: str | None = None
    unpaid_order_minutes: int = 30  # points + cash orders awaiting payment
    # Points at checkout (docs/product.md §4)
    checkout_points_per_unit: int = 100  # 100 points = 1 currency unit
    checkout_max_share: Decimal = Decimal("0.5")
    hold_minutes: int = 30
    # Transfers (docs/product.md §8)
    transfer_max_per_day: int = 5
    transfer_max_points_per_day: int = 10_000
    # Lottery (docs/product.md §6)
    lottery_default_cost: int = 50
    # Risk controls: review queue thresholds (docs/product.md "Review queue")
    risk: Risk = field(default_factory=Risk)
    # An operator adjustment of more points than this (either sign) waits for a second
    # operator's approval (docs/product.md "Second approval"); None = off.
    adjustment_approval_threshold: int | None = 100_000
    # Notifications: inbox, SMS, e-mail (docs/product.md "Reaching members")
    notifications: Notifications = field(default_factory=Notifications)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_RULES = Rules()
