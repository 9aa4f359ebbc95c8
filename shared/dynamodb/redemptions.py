"""Data access for a redemption: ONE TransactWriteItems (docs/data-model.md, "Redemption").

It holds the member's debit (guarded: registered, active, tier, spendable), the item's stock
(guarded by the version of the item that was read, and ``stock >= quantity``), the
per-member limit counters, the order, the ledger entry, the coupon code / payout record when
the kind needs one, and the Idempotency-Key record. A cancelled transaction is turned into
the exact reason from the cancellation reasons' old images (``ALL_OLD``), never by reading
again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared.clock import utc_iso as utc
from shared.domain import ledger as kinds
from shared.domain import mall
from shared.domain.ledger import Debit
from shared.domain.mall import Limits, Offer
from shared.domain.members import can_spend
from shared.dynamodb import catalog, holds, idempotency, keys, ledger
from shared.dynamodb.models.mall import (
    CatalogItem,
    CounterItem,
    CouponItem,
    OrderItem,
    PayoutItem,
    StockShard,
)
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.orders import (
    COUPON,
    ITEM,
    LIMIT_ITEM,
    LIMIT_MONTH,
    ORDER,
    PAYOUT,
    coupon_item,
    day_counter,
    order_item,
    total_counter,
)
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import ItemNotFound, LimitReached, NotAvailable, SoldOut

PROFILE = ledger.PROFILE
SHARD = "shard"
SPEND_SOURCE = "redeem"


class Stale(Exception):
    """The transaction was built on a read that is no longer true: plan it again."""

    def __init__(self, first_donation: bool | None = None, same_day: bool | None = None):
        super().__init__("stale")
        self.first_donation = first_donation
        self.same_day = same_day  # what the member's per-day counter showed (None: as planned)


class ShardEmpty(Exception):
    """The hot item's stock shard tried holds fewer units than asked: try another."""

    def __init__(self, shard: int):
        super().__init__(f"stock shard {shard} is empty")
        self.shard = shard


class Plan(Struct, frozen=True):
    """Everything one redemption writes; built by the use case, written here at once."""

    member_id: str
    order_id: str
    offer: Offer  # as read (its ``ver`` guards the price and window)
    quantity: int
    points: int
    status: str
    at: datetime
    today: date  # programme day
    day_ttl: int  # epoch seconds: when the per-day counter may be deleted
    limits: Limits
    currency: str
    response: dict[str, Any]  # the 201 body (also stored for Idempotency-Key replays)
    delivery: dict[str, str] | None = None
    pickup_code: str | None = None
    coupon_code: str | None = None
    coupon_expires_on: date | None = None
    cash_due: Decimal | None = None
    payment_due_at: datetime | None = None
    payout_amount: Decimal | None = None
    first_donation: bool | None = None  # donations: does this member give for the first time
    request: idempotency.Key | None = None
    shard: int | None = None  # a hot item's stock shard this redemption takes from
    same_day: bool = False  # the member's per-day counter of the kind already counts today


MONTH_COUNTER_DAYS = 35  # a month's counter outlives the month (renewed by each write)


def _order_item(plan: Plan) -> OrderItem:
    offer = plan.offer
    placed = utc(plan.at)
    issued = plan.status == mall.ISSUED
    return order_item(
        plan.member_id,
        plan.order_id,
        plan.status,
        placed,
        item_id=offer.item_id,
        item_name=offer.name,
        kind=offer.kind,
        quantity=plan.quantity,
        points=plan.points,
        cash_due=str(plan.cash_due) if plan.cash_due is not None else None,
        currency=plan.currency if (plan.cash_due or plan.payout_amount) else None,
        delivery=plan.delivery,
        pickup_code=plan.pickup_code,
        coupon_code=plan.coupon_code if issued else None,
        coupon_expires_on=(
            plan.coupon_expires_on.isoformat() if issued and plan.coupon_expires_on else None
        ),
        payment_due_at=utc(plan.payment_due_at) if plan.payment_due_at else None,
        payout_amount=str(plan.payout_amount) if plan.payout_amount is not None else None,
        stocked=offer.limited,
        stock_shard=plan.shard,
        counted_total=plan.limits.total is not None,
        total_on_profile=_total_on_profile(plan),
        counted_day=plan.today.isoformat() if plan.limits.per_day is not None else None,
        day_on_profile=plan.limits.per_day is not None,
        counted_month=mall.month_of(plan.today) if plan.limits.per_month is not None else None,
    )


def _spend_condition(plan: Plan) -> Any:
    condition = ledger.active_with(plan.points)
    if mall.tier_rank(plan.offer.min_tier) > 0:
        condition &= MemberItem.tier.is_in(*mall.tiers_from(plan.offer.min_tier))
    return condition


def _add_item(tx: Tx, plan: Plan) -> None:
    offer, q = plan.offer, plan.quantity
    key = CatalogItem(pk=keys.item_pk(offer.item_id), sk=keys.ITEM_SK)
    same = CatalogItem.ver == offer.ver
    if offer.limited and plan.shard is not None:
        # A hot item: only the shard is written, guarded by its copy of the item's ver.
        tx.update(
            SHARD,
            catalog.shard_key(offer.item_id, plan.shard),
            [StockShard.stock.add(-q), StockShard.sold.add(q)],
            condition=(StockShard.ver == offer.ver) & (StockShard.stock >= q),
        )
    elif offer.limited:
        tx.update(
            ITEM,
            key,
            [CatalogItem.stock.add(-q), CatalogItem.sold.add(q)],
            condition=same & (CatalogItem.stock >= q),
        )
    elif offer.kind == mall.DONATION:
        actions = [CatalogItem.donated_points.add(plan.points)]
        if plan.first_donation:
            actions.append(CatalogItem.donors.add(1))
        tx.update(ITEM, key, actions, condition=same)
    else:
        tx.check(ITEM, CatalogItem, key.pk, key.sk, same)


def _total_on_profile(plan: Plan) -> bool:
    """The item's per-member total is counted on the member's profile (items created
    since issue 23; see :func:`_profile_counts`)."""
    return plan.limits.total is not None and plan.offer.counts_total_on_profile


def _add_limits(tx: Tx, plan: Plan) -> None:
    """The limit counters in items of their own: the per-item total of items from before
    issue 23 (and donations' first-time marker), the per-month count."""
    q, member_pk = plan.quantity, keys.member_pk(plan.member_id)
    total = None if _total_on_profile(plan) else plan.limits.total
    if total is not None or plan.first_donation is not None:
        condition = None
        if total is not None:
            condition = CounterItem.n.does_not_exist() | (CounterItem.n <= total - q)
        if plan.first_donation is not None:
            seen = (
                CounterItem.pk.does_not_exist() if plan.first_donation else CounterItem.pk.exists()
            )
            condition = seen if condition is None else condition & seen
        tx.update(
            LIMIT_ITEM,
            CounterItem(pk=member_pk, sk=keys.limit_item_sk(plan.offer.item_id)),
            [CounterItem.n.add(q)],
            condition=condition,
        )
    per_month = plan.limits.per_month
    if per_month is not None:
        month_ttl = int((plan.at + timedelta(days=MONTH_COUNTER_DAYS)).timestamp())
        tx.update(
            LIMIT_MONTH,
            CounterItem(
                pk=member_pk, sk=keys.limit_month_sk(plan.offer.item_id, mall.month_of(plan.today))
            ),
            [CounterItem.n.add(q), CounterItem.ttl.set(month_ttl)],
            condition=CounterItem.n.does_not_exist() | (CounterItem.n <= per_month - q),
        )


def _profile_counts(plan: Plan) -> tuple[Any, tuple[Any, ...]]:
    """The per-member counts kept on the member's profile (so a redemption writes fewer
    items): the condition and actions joining the debit's update. The per-day count of the
    kind (``rday_<kind>``/``rn_<kind>``), planned as a new day unless the member is known to
    have redeemed this kind today already; and, for items created since issue 23, the units
    ever of the item (``rt_<item id>``)."""
    condition, actions = None, ()
    q = plan.quantity
    per_day = plan.limits.per_day
    if per_day is not None:
        day, units = day_counter(plan.offer.kind)
        today = plan.today.isoformat()
        if plan.same_day:
            condition, actions = (day == today) & (units <= per_day - q), (units.add(q),)
        else:
            condition = day.does_not_exist() | (day != today)
            actions = (day.set(today), units.set(q))
    if _total_on_profile(plan):
        ever = total_counter(plan.offer.item_id)
        allowed = ever.does_not_exist() | (ever <= plan.limits.total - q)
        condition = allowed if condition is None else condition & allowed
        actions = (*actions, ever.add(q))
    return condition, actions


def _profile_refusal(raw: dict[str, Any] | None, plan: Plan) -> Exception | None:
    """From the profile's old image: a per-member limit counted there reached, or the
    per-day counter's day was guessed wrong (plan again with what it shows); None when the
    counts let it pass."""
    if raw is None:
        return None
    reached = LimitReached(
        "the per-member limit for this item is reached",
        details={"limits": plan.limits.as_dict()},
    )
    if _total_on_profile(plan):
        ever = int((raw.get(f"rt_{plan.offer.item_id}") or {}).get("N", "0"))
        if ever + plan.quantity > plan.limits.total:
            return reached
    per_day = plan.limits.per_day
    if per_day is None:
        return None
    kind = plan.offer.kind
    counted_today = (raw.get(f"rday_{kind}") or {}).get("S") == plan.today.isoformat()
    units = int((raw.get(f"rn_{kind}") or {}).get("N", "0")) if counted_today else 0
    if units + plan.quantity > per_day:
        return reached
    if counted_today != plan.same_day:
        return Stale(plan.first_donation, same_day=counted_today)
    return None


def _refusal(cancelled: Cancelled, plan: Plan) -> Exception:
    """The one reason a redemption was refused, from the cancellation reasons."""
    failed = cancelled.failed
    if SHARD in failed:
        shard = image(failed[SHARD], StockShard)
        if shard is None or int(shard.ver) != plan.offer.ver:
            return Stale(plan.first_donation)  # the item changed since it was read
    if ITEM in failed:
        item = image(failed[ITEM], CatalogItem)
        if item is None:
            return ItemNotFound(f"no catalog item {plan.offer.item_id!r}")
        if int(item.ver) != plan.offer.ver:
            return Stale(plan.first_donation)
    member = image(failed.get(PROFILE), MemberItem) if PROFILE in failed else None
    if PROFILE in failed and (member is None or not can_spend(member.status)):
        return holds.free_or_refuse(failed[PROFILE], plan.member_id, plan.points)
    if ITEM in failed:
        return SoldOut(f"{plan.offer.name} is sold out", details={"item_id": plan.offer.item_id})
    if SHARD in failed and plan.shard is not None:
        return ShardEmpty(plan.shard)
    if PROFILE in failed and not mall.tier_allows(member.tier, plan.offer.min_tier):
        return NotAvailable(
            f"{plan.offer.name} is for {plan.offer.min_tier} members and above",
            details={"min_tier": plan.offer.min_tier, "tier": member.tier},
        )
    if LIMIT_ITEM in failed and plan.first_donation is not None:
        counter = image(failed[LIMIT_ITEM], CounterItem)
        if (counter is not None) == plan.first_donation:  # guessed wrong: plan again
            return Stale(first_donation=counter is None)
    counts = _profile_refusal(failed.get(PROFILE), plan) if PROFILE in failed else None
    if counts is not None and not isinstance(counts, LimitReached):
        return counts
    if counts is not None or LIMIT_ITEM in failed or LIMIT_MONTH in failed:
        return LimitReached(
            "the per-member limit for this item is reached",
            details={"limits": plan.limits.as_dict()},
        )
    if PROFILE in failed:
        return holds.free_or_refuse(failed[PROFILE], plan.member_id, plan.points)
    # The order id, coupon code or ledger key is taken (random ids): plan again.
    return Stale(plan.first_donation)


def place(plan: Plan) -> idempotency.Replay | None:
    """Write the redemption; None when done, the first response for a repeated key.

    Raises the refusal (``SoldOut``, ``InsufficientPoints``, ``LimitReached`` ...),
    :class:`Stale` when the item changed since it was read, or :class:`ShardEmpty` when a
    hot item's shard holds too few units (the caller tries another shard)."""

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        debit = Debit(
            member_id=plan.member_id,
            type=kinds.REDEEM,
            source=SPEND_SOURCE,
            ref=plan.order_id,
            points=plan.points,
            at=plan.at,
            **kinds.wording("redeem", {"item": plan.offer.name, "quantity": plan.quantity}),
        )
        counts_condition, counts_actions = _profile_counts(plan)
        spend = _spend_condition(plan)
        ledger.add_debit(
            tx,
            debit,
            condition=spend if counts_condition is None else spend & counts_condition,
            extra_actions=counts_actions,
            order_id=plan.order_id,
        )
        _add_item(tx, plan)
        _add_limits(tx, plan)
        order = _order_item(plan)
        tx.put(ORDER, order, condition=OrderItem.pk.does_not_exist())
        if order.coupon_code and plan.coupon_expires_on:
            tx.put(
                COUPON,
                coupon_item(order, order.coupon_code, plan.coupon_expires_on),
                condition=CouponItem.pk.does_not_exist(),
            )
        if plan.payout_amount is not None:
            tx.put(
                PAYOUT,
                PayoutItem(
                    pk=keys.payouts_pk(plan.today),
                    sk=keys.payout_sk(plan.order_id),
                    order_id=plan.order_id,
                    member_id=plan.member_id,
                    points=plan.points,
                    amount=str(plan.payout_amount),
                    currency=plan.currency,
                    status="pending",
                    created_at=order.placed_at,
                ),
                condition=PayoutItem.pk.does_not_exist(),
            )
        try:
            return idempotency.commit(tx, plan.request, 201, plan.response, plan.at)
        except Cancelled as cancelled:
            raise _refusal(cancelled, plan) from None

    return run(attempt)
