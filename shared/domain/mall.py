"""The points mall's rules: availability, per-member limits, the order life cycle,
coupon and pickup codes, points + cash and cash-out arithmetic. Pure: no AWS, no I/O."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from msgspec import Struct

from shared.domain.rules import TIER_NAMES, Rules
from shared.errors import InvalidTransition

# Kinds of catalog items (the API's `kind`).
GIFT, COUPON, DONATION, CASH_OUT = "gift", "coupon", "donation", "cash_out"
KINDS: tuple[str, ...] = (GIFT, COUPON, DONATION, CASH_OUT)

# Order statuses: the API's list plus ``awaiting_payment`` (points + cash, until the shop
# confirms the cash part) and ``completed`` (donations and cash-outs: done at once).
PLACED, APPROVED, SHIPPED, DELIVERED = "placed", "approved", "shipped", "delivered"
PICKED_UP, CANCELLED, REJECTED, ISSUED = "picked_up", "cancelled", "rejected", "issued"
AWAITING_PAYMENT, COMPLETED = "awaiting_payment", "completed"
# A gift won in the points lottery waits for the member's delivery address:
# ``PUT /v1/me/orders/{order_id}/delivery`` makes it ``placed``.
AWAITING_ADDRESS = "awaiting_address"
STATUSES: tuple[str, ...] = (
    AWAITING_ADDRESS,
    AWAITING_PAYMENT,
    PLACED,
    APPROVED,
    SHIPPED,
    DELIVERED,
    PICKED_UP,
    ISSUED,
    COMPLETED,
    CANCELLED,
    REJECTED,
)

SHIP, PICKUP = "ship", "pickup"
DELIVERY_METHODS: tuple[str, ...] = (SHIP, PICKUP)

MAX_QUANTITY = 100  # units per redemption
MAX_POINTS = 100_000_000  # price per unit
PICKUP_ATTEMPTS = 5  # wrong pickup codes before the order is locked for pickup
DEFAULT_COUPON_VALID_DAYS = 30

# Limit modes of an item: the programme default (gifts), the item's own, or none.
LIMITS_DEFAULT, LIMITS_CUSTOM, LIMITS_NONE = "default", "custom", "none"


class Limits(Struct, frozen=True):
    """``per_day``: most units of this kind a member may redeem per day (counting every item
    of the kind that has a per-day limit); ``per_month``: most units of this item per
    calendar month (programme zone); ``total``: most units of this item, ever."""

    per_day: int | None = None
    total: int | None = None
    per_month: int | None = None

    def as_dict(self) -> dict[str, int] | None:
        named = {"per_day": self.per_day, "per_month": self.per_month, "total": self.total}
        out = {name: limit for name, limit in named.items() if limit is not None}
        return out or None


class Offer(Struct, frozen=True):
    """A catalog item as the rules see it."""

    item_id: str
    name: str
    kind: str
    points: int
    cash: Decimal | None = None
    stock: int | None = None  # None = unlimited
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    min_tier: str | None = None
    limit_mode: str = LIMITS_DEFAULT
    per_day: int | None = None
    total: int | None = None
    per_month: int | None = None
    coupon_valid_days: int | None = None
    retired: bool = False
    ver: int = 0
    stock_shards: int | None = None  # hot items: stock spread over this many shard items
    # Items created since issue 23 count a member's units ever on the member's profile.
    total_on_profile: bool | None = None

    @property
    def limited(self) -> bool:
        return self.stock is not None and self.kind != DONATION

    @property
    def counts_total_on_profile(self) -> bool:
        """Whether a member's units ever of this item are counted on their profile (one
        item less per redemption) rather than in a counter item of their own: items created
        since issue 23, except donations (their counter item also tells first-time donors)."""
        return bool(self.total_on_profile) and self.kind != DONATION


class Listing(Offer, frozen=True):
    """A catalog item as stored: its offer, what the catalog shows and its running counts."""

    description: str | None = None
    image_url: str | None = None
    sold: int = 0  # units redeemed, net of cancellations (limited items)
    donated_points: int | None = None  # donations: the public running total
    donors: int | None = None  # donations: distinct members who gave
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Order(Struct):
    """A mall order (a redemption, or a prize won in the lottery). Not frozen: the order
    repository refreshes the value it was given after a move, as the stored order now is."""

    order_id: str
    member_id: str
    item_id: str
    item_name: str
    kind: str
    quantity: int
    points: int  # total points debited
    status: str
    placed_at: datetime
    updated_at: datetime
    cash_due: Decimal | None = None  # points + cash: the cash part
    currency: str | None = None
    delivery: dict[str, str] | None = None  # {"method", "name", "phone", "address"}
    carrier: str | None = None
    tracking_no: str | None = None
    reason: str | None = None  # why it was cancelled or rejected
    coupon_code: str | None = None
    coupon_expires_on: date | None = None
    coupon_used_at: datetime | None = None
    pickup_code: str | None = None
    pickup_failures: int = 0
    payment_due_at: datetime | None = None
    paid_at: datetime | None = None
    payment_ref: str | None = None
    payout_amount: Decimal | None = None  # cash-outs
    # What a cancellation gives back besides the points.
    stocked: bool = False  # one unit of stock per unit ordered
    stock_shard: int | None = None  # hot items: the stock shard the units came from
    counted_total: bool = False  # the per-item limit counter
    counted_day: date | None = None  # the per-day counter's day
    day_on_profile: bool = False  # that counter is on the member's profile (since issue 23)
    total_on_profile: bool = False  # so is the per-item counter (items created since then)
    counted_month: str | None = None  # the per-month counter's month "YYYY-MM"

    @property
    def method(self) -> str | None:
        """How a gift is delivered (``ship`` / ``pickup``), if it is."""
        return (self.delivery or {}).get("method")


class Coupon(Struct, frozen=True):
    """A coupon code: unique, consumed once by the shop's systems."""

    code: str
    member_id: str
    order_id: str
    item_id: str
    expires_on: date  # last valid day (programme time zone)
    used_at: datetime | None = None
    used_by: str | None = None  # the shop's order that used it


def limits_of(offer: Offer, rules: Rules) -> Limits:
    """The per-member limits in force: gifts without their own get the programme default
    (one gift per day, the same gift not twice); other kinds without their own get none."""
    if offer.limit_mode == LIMITS_CUSTOM:
        return Limits(offer.per_day, offer.total, offer.per_month)
    if offer.limit_mode == LIMITS_DEFAULT and offer.kind == GIFT:
        return Limits(rules.gift_limit_per_day, rules.gift_same_item_total)
    return Limits()


def tier_rank(tier: str | None) -> int:
    return TIER_NAMES.index(tier) if tier in TIER_NAMES else 0


def tiers_from(min_tier: str | None) -> tuple[str, ...]:
    """The tiers that may redeem an item for ``min_tier`` (every tier when None)."""
    return TIER_NAMES[tier_rank(min_tier) :]


def tier_allows(member_tier: str | None, min_tier: str | None) -> bool:
    return tier_rank(member_tier) >= tier_rank(min_tier)


def in_window(offer: Offer, now: datetime) -> bool:
    if offer.starts_at is not None and now < offer.starts_at:
        return False
    return offer.ends_at is None or now < offer.ends_at


def cash_out_open(now: datetime, rules: Rules) -> bool:
    """Cash-outs happen only inside the operator-set window of the programme rules."""
    if not rules.cash_out_starts_at or not rules.cash_out_ends_at:
        return False
    starts = datetime.fromisoformat(rules.cash_out_starts_at)
    ends = datetime.fromisoformat(rules.cash_out_ends_at)
    return starts <= now < ends


def unavailable(
    offer: Offer, now: datetime, rules: Rules, member_tier: str | None = None
) -> str | None:
    """Why ``offer`` cannot be redeemed now (``not_available`` or ``sold_out``), or None.

    ``member_tier`` None skips the tier check (anonymous listing)."""
    if offer.retired or not in_window(offer, now):
        return "not_available"
    if offer.kind == CASH_OUT and not cash_out_open(now, rules):
        return "not_available"
    if member_tier is not None and not tier_allows(member_tier, offer.min_tier):
        return "not_available"
    if offer.limited and (offer.stock or 0) <= 0:
        return "sold_out"
    return None


def cost(offer: Offer, quantity: int) -> int:
    return offer.points * quantity


def cash_due(offer: Offer, quantity: int) -> Decimal | None:
    if offer.cash is None or offer.cash <= 0:
        return None
    return (offer.cash * quantity).quantize(Decimal("0.01"))


def cash_out_value(points: int, rules: Rules) -> Decimal:
    """The cash credit for ``points`` at the programme's ratio, rounded down to the cent."""
    return (Decimal(points) / Decimal(rules.cash_out_points_per_unit)).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )


def coupon_expires_on(issued_on: date, valid_days: int | None) -> date:
    """Last valid day of a coupon issued on ``issued_on`` (valid ``valid_days`` days)."""
    days = valid_days if valid_days is not None else DEFAULT_COUPON_VALID_DAYS
    return issued_on + timedelta(days=max(days, 1) - 1)


def coupon_status(used: bool, expires_on: str, today: date) -> str:
    if used:
        return "used"
    return "expired" if expires_on < today.isoformat() else "active"


# Codes and ids ---------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: easy to read and type


def new_coupon_code() -> str:
    """80 random bits as 16 Crockford base-32 characters, in groups of four."""
    raw = "".join(secrets.choice(_CROCKFORD) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def pickup_code_matches(expected: str | None, given: str) -> bool:
    return expected is not None and hmac.compare_digest(expected.encode(), given.encode())


def new_order_id(now: datetime) -> str:
    """Time-ordered (newest-first listings sort by it) and unguessable."""
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"r{stamp}-{secrets.token_hex(4)}"


# The order life cycle ---------------------------------------------------------------------

# target -> statuses an operator may move an order from
OPERATOR_MOVES: dict[str, frozenset[str]] = {
    APPROVED: frozenset({PLACED}),
    SHIPPED: frozenset({APPROVED}),
    DELIVERED: frozenset({SHIPPED}),
    REJECTED: frozenset({PLACED, APPROVED, AWAITING_PAYMENT, AWAITING_ADDRESS}),
}
MEMBER_CANCELS: frozenset[str] = frozenset({PLACED, AWAITING_PAYMENT})
PICKUP_FROM: frozenset[str] = frozenset({PLACED, APPROVED})
SHIP_ONLY = frozenset({SHIPPED, DELIVERED})


def operator_sources(target: str, method: str | None) -> frozenset[str]:
    """Statuses an operator can move an order to ``target`` from (empty: never)."""
    if target in SHIP_ONLY and method != SHIP:
        return frozenset()
    return OPERATOR_MOVES.get(target, frozenset())


def check_transition(current: str, target: str, allowed_from: frozenset[str]) -> None:
    if current not in allowed_from:
        raise InvalidTransition(
            f"an order that is {current} cannot become {target}",
            details={"status": current, "requested": target},
        )


def paid_status(kind: str) -> str:
    """Where a points + cash order goes once the shop confirms the cash part."""
    return ISSUED if kind == COUPON else PLACED


def first_status(kind: str, cash: Decimal | None) -> str:
    if cash is not None:
        return AWAITING_PAYMENT
    if kind == COUPON:
        return ISSUED
    if kind in (DONATION, CASH_OUT):
        return COMPLETED
    return PLACED


def payment_due(placed_at: datetime, rules: Rules) -> datetime:
    return placed_at + timedelta(minutes=rules.unpaid_order_minutes)


def definition_problems(
    kind: str,
    *,
    cash: Decimal | None = None,
    stock: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    coupon_valid_days: int | None = None,
    stock_shards: int | None = None,
) -> dict[str, str]:
    """What is inconsistent in a catalog item's definition (field -> problem)."""
    problems: dict[str, str] = {}
    if stock_shards is not None and (stock is None or kind == DONATION):
        problems["stock_shards"] = "only items with stock can spread it over shards"
    if cash is not None and kind not in (GIFT, COUPON):
        problems["cash"] = "only gifts and coupons can have a cash part"
    if stock is not None and kind == DONATION:
        problems["stock"] = "donations have no stock"
    if coupon_valid_days is not None and kind != COUPON:
        problems["coupon_valid_days"] = "only coupons have a validity"
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        problems["ends_at"] = "must be after starts_at"
    return problems


def request_problems(
    offer: Offer, quantity: int, delivery: dict[str, Any] | None
) -> dict[str, str]:
    """What is wrong with a redemption request for ``offer`` (field -> problem)."""
    problems: dict[str, str] = {}
    if offer.kind == GIFT:
        if delivery is None:
            problems["delivery"] = "is required for a gift (method ship or pickup)"
        elif delivery.get("method") == SHIP and not delivery.get("address"):
            problems["delivery.address"] = "is required for shipping"
    elif delivery is not None:
        problems["delivery"] = "only gifts are delivered"
    if offer.kind == COUPON and quantity != 1:
        problems["quantity"] = "coupons are issued one at a time"
    return problems


def over_limit(limits: Limits, quantity: int) -> bool:
    """A quantity no counter could ever admit (the counters check the rest atomically)."""
    return any(
        limit is not None and quantity > limit
        for limit in (limits.per_day, limits.per_month, limits.total)
    )


def month_of(day: date) -> str:
    """The per-month limit's month of a programme day: "YYYY-MM"."""
    return day.strftime("%Y-%m")


# Hot items: stock spread over shard items ---------------------------------------------------
# One item takes ~500 transactional writes/s (1 000 WCU/s per partition, 2 WCU each); a
# shard is planned for 400 redemptions/s so a sale at its expected peak keeps headroom.
REDEMPTIONS_PER_SHARD = 400
MAX_STOCK_SHARDS = 50  # a restock or replace writes every shard in one transaction


def shards_for_peak(peak_per_second: int) -> int:
    """The shard count for a sale expected to peak at ``peak_per_second`` redemptions."""
    needed = -(-max(peak_per_second, 1) // REDEMPTIONS_PER_SHARD)
    return min(needed, MAX_STOCK_SHARDS)


def split_stock(total: int, shards: int, first: int = 0) -> list[int]:
    """``total`` units (may be negative) spread evenly over ``shards``; the remainder goes
    one unit each to the shards from ``first`` on (round-robin), so restocks even out."""
    base, extra = divmod(abs(total), shards)
    sign = -1 if total < 0 else 1
    return [sign * (base + (1 if (k - first) % shards < extra else 0)) for k in range(shards)]


def take_from(stocks: list[int], quantity: int) -> dict[int, int] | None:
    """Which shards give ``quantity`` units back to the operator (a negative restock):
    the fullest first; None when they hold fewer in all."""
    if sum(max(s, 0) for s in stocks) < quantity:
        return None
    takes: dict[int, int] = {}
    left = quantity
    for k in sorted(range(len(stocks)), key=lambda i: -stocks[i]):
        if left == 0:
            break
        take = min(stocks[k], left)
        if take > 0:
            takes[k] = take
            left -= take
    return takes


def shard_to_try(shards: int, refused: set[int], pick: Any) -> int | None:
    """The next shard a redemption tries: any not refused yet, chosen by ``pick`` (the
    process's rotation, or any choice); None once every shard refused (then sold out)."""
    left = [k for k in range(shards) if k not in refused]
    return pick(left) if left else None
