"""Data access for mall orders: the redemption transaction, order moves, coupons, payouts.

A redemption is ONE TransactWriteItems (docs/data-model.md, "Redemption"): the member's
debit (guarded: registered, active, tier, spendable), the item's stock (guarded by the
version of the item that was read, and ``stock >= quantity``), the per-member limit
counters, the order, the ledger entry, the coupon code / payout record when the kind needs
one, and the Idempotency-Key record. A cancelled transaction is turned into the exact
reason from the cancellation reasons' old images (``ALL_OLD``), never by reading again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct
from pynamodb.exceptions import DoesNotExist, UpdateError

from shared.domain import ledger as kinds
from shared.domain import mall
from shared.domain.ledger import Debit, Return
from shared.domain.mall import Limits, Offer
from shared.dynamodb import idempotency, keys, pages
from shared.dynamodb import members as members_repo
from shared.dynamodb.models import (
    CatalogItem,
    CounterItem,
    CouponItem,
    MemberItem,
    OrderItem,
    PayoutItem,
)
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import (
    CouponExpired,
    CouponNotFound,
    CouponUsed,
    ItemNotFound,
    LimitReached,
    NotAvailable,
    SoldOut,
)

ITEM, ORDER, COUPON, PAYOUT = "item", "order", "coupon", "payout"
LIMIT_ITEM, LIMIT_DAY = "limit_item", "limit_day"
PROFILE, ENTRY = members_repo.PROFILE, members_repo.ENTRY
SPEND_SOURCE, RETURN_SOURCE = "redeem", "return"


class Stale(Exception):
    """The transaction was built on a read that is no longer true: plan it again."""

    def __init__(self, first_donation: bool | None = None):
        super().__init__("stale")
        self.first_donation = first_donation


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


def utc(at: datetime) -> str:
    return members_repo.utc_iso(at)


def _order_item(plan: Plan) -> OrderItem:
    offer = plan.offer
    placed = utc(plan.at)
    issued = plan.status == mall.ISSUED
    return OrderItem(
        pk=keys.member_pk(plan.member_id),
        sk=keys.mall_order_sk(plan.order_id),
        order_id=plan.order_id,
        member_id=plan.member_id,
        item_id=offer.item_id,
        item_name=offer.name,
        kind=offer.kind,
        quantity=plan.quantity,
        points=plan.points,
        cash_due=str(plan.cash_due) if plan.cash_due is not None else None,
        currency=plan.currency if (plan.cash_due or plan.payout_amount) else None,
        status=plan.status,
        placed_at=placed,
        updated_at=placed,
        delivery=plan.delivery,
        pickup_code=plan.pickup_code,
        coupon_code=plan.coupon_code if issued else None,
        coupon_expires_on=(
            plan.coupon_expires_on.isoformat() if issued and plan.coupon_expires_on else None
        ),
        payment_due_at=utc(plan.payment_due_at) if plan.payment_due_at else None,
        payout_amount=str(plan.payout_amount) if plan.payout_amount is not None else None,
        pickup_failures=0,
        stocked=offer.limited,
        counted_total=plan.limits.total is not None,
        counted_day=plan.today.isoformat() if plan.limits.per_day is not None else None,
        order_pk=keys.mall_order_id_key(plan.order_id),
        st_pk=keys.orders_status_pk(plan.status),
        st_sk=keys.orders_status_sk(placed, plan.order_id),
    )


def coupon_item(order: OrderItem, code: str, expires_on: date) -> CouponItem:
    return CouponItem(
        pk=keys.coupon_pk(code),
        sk=keys.COUPON_SK,
        code=code,
        member_id=order.member_id,
        order_id=order.order_id,
        item_id=order.item_id,
        expires_on=expires_on.isoformat(),
    )


def _spend_condition(plan: Plan) -> Any:
    condition = members_repo.active_with(plan.points)
    if mall.tier_rank(plan.offer.min_tier) > 0:
        condition &= MemberItem.tier.is_in(*mall.tiers_from(plan.offer.min_tier))
    return condition


def _add_item(tx: Tx, plan: Plan) -> None:
    offer, q = plan.offer, plan.quantity
    key = CatalogItem(pk=keys.item_pk(offer.item_id), sk=keys.ITEM_SK)
    same = CatalogItem.ver == offer.ver
    if offer.limited:
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


def _add_limits(tx: Tx, plan: Plan) -> None:
    q, member_pk = plan.quantity, keys.member_pk(plan.member_id)
    total = plan.limits.total
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
    per_day = plan.limits.per_day
    if per_day is not None:
        tx.update(
            LIMIT_DAY,
            CounterItem(pk=member_pk, sk=keys.limit_day_sk(plan.offer.kind, plan.today)),
            [CounterItem.n.add(q), CounterItem.ttl.set(plan.day_ttl)],
            condition=CounterItem.n.does_not_exist() | (CounterItem.n <= per_day - q),
        )


def _refusal(cancelled: Cancelled, plan: Plan) -> Exception:
    """The one reason a redemption was refused, from the cancellation reasons."""
    failed = cancelled.failed
    if ITEM in failed:
        item = image(failed[ITEM], CatalogItem)
        if item is None:
            return ItemNotFound(f"no catalog item {plan.offer.item_id!r}")
        if int(item.ver) != plan.offer.ver:
            return Stale(plan.first_donation)
    member = image(failed.get(PROFILE), MemberItem) if PROFILE in failed else None
    if PROFILE in failed and (member is None or member.status != "active"):
        return members_repo.refusal(failed[PROFILE], plan.member_id, plan.points)
    if ITEM in failed:
        return SoldOut(f"{plan.offer.name} is sold out", details={"item_id": plan.offer.item_id})
    if PROFILE in failed and not mall.tier_allows(member.tier, plan.offer.min_tier):
        return NotAvailable(
            f"{plan.offer.name} is for {plan.offer.min_tier} members and above",
            details={"min_tier": plan.offer.min_tier, "tier": member.tier},
        )
    if LIMIT_ITEM in failed and plan.first_donation is not None:
        counter = image(failed[LIMIT_ITEM], CounterItem)
        if (counter is not None) == plan.first_donation:  # guessed wrong: plan again
            return Stale(first_donation=counter is None)
    if LIMIT_ITEM in failed or LIMIT_DAY in failed:
        return LimitReached(
            "the per-member limit for this item is reached",
            details={"limits": plan.limits.as_dict()},
        )
    if PROFILE in failed:
        return members_repo.refusal(failed[PROFILE], plan.member_id, plan.points)
    # The order id, coupon code or ledger key is taken (random ids): plan again.
    return Stale(plan.first_donation)


def place(plan: Plan) -> idempotency.Replay | None:
    """Write the redemption; None when done, the first response for a repeated key.

    Raises the refusal (``SoldOut``, ``InsufficientPoints``, ``LimitReached`` ...) or
    :class:`Stale` when the item changed since it was read."""

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        debit = Debit(
            member_id=plan.member_id,
            type=kinds.REDEEM,
            source=SPEND_SOURCE,
            ref=plan.order_id,
            points=plan.points,
            at=plan.at,
            description=f"{plan.offer.name} × {plan.quantity}",
        )
        members_repo.add_debit(tx, debit, condition=_spend_condition(plan), order_id=plan.order_id)
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


# Reading orders ---------------------------------------------------------------------------


def get(member_id: str, order_id: str) -> OrderItem | None:
    try:
        return OrderItem.get(
            keys.member_pk(member_id), keys.mall_order_sk(order_id), consistent_read=True
        )
    except DoesNotExist:
        return None


def find(order_id: str) -> OrderItem | None:
    """An order by id alone (operators, the shop): the by_order index, then a strong read."""
    for hit in OrderItem.by_order.query(keys.mall_order_id_key(order_id), limit=1):
        return get(hit.member_id, hit.order_id)
    return None


def has_redeemed(member_id: str, item_id: str) -> bool:
    """Whether the member's per-item counter exists (donations: not a first-time donor)."""
    try:
        CounterItem.get(
            keys.member_pk(member_id), keys.limit_item_sk(item_id), consistent_read=True
        )
    except DoesNotExist:
        return False
    return True


def member_page(
    member_id: str, limit: int, cursor: str | None, *, coupons: bool = False
) -> tuple[list[OrderItem], str | None]:
    """A member's orders newest first (``coupons``: only orders that issued a coupon)."""
    pk = keys.member_pk(member_id)
    result = OrderItem.query(
        pk,
        OrderItem.sk.startswith(keys.MALL_ORDER),
        filter_condition=OrderItem.coupon_code.exists() if coupons else None,
        scan_index_forward=False,
        consistent_read=True,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", pk)),
    )
    items = list(result)
    return items, pages.encode(result.last_evaluated_key)


def status_page(status: str, limit: int, cursor: str | None) -> tuple[list[OrderItem], str | None]:
    """Orders in one status, newest first (the by_status index)."""
    partition = keys.orders_status_pk(status)
    result = OrderItem.by_status.query(
        partition,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("st_pk", partition)),
    )
    items = list(result)
    return items, pages.encode(result.last_evaluated_key)


def placed_before(status: str, before: datetime) -> Iterator[OrderItem]:
    """Orders in ``status`` placed before ``before``, oldest first (the sweep's work)."""
    return OrderItem.by_status.query(
        keys.orders_status_pk(status),
        OrderItem.st_sk < utc(before),
        scan_index_forward=True,
    )


# Moving orders ----------------------------------------------------------------------------


def move(order: OrderItem, target: str, now: datetime, **fields: Any) -> bool:
    """Set ``order`` to ``target`` (plus ``fields``) if it is still in the status it was read
    in. Returns False when it was not (the caller reads it again); ``order`` is refreshed."""
    actions = [
        OrderItem.status.set(target),
        OrderItem.st_pk.set(keys.orders_status_pk(target)),
        OrderItem.updated_at.set(utc(now)),
    ]
    actions += [getattr(OrderItem, name).set(value) for name, value in fields.items()]
    try:
        order.update(actions, condition=OrderItem.status == order.status)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def count_pickup_failure(order: OrderItem, now: datetime) -> bool:
    """One more wrong pickup code (only while the order can still be picked up)."""
    try:
        order.update(
            [OrderItem.pickup_failures.add(1), OrderItem.updated_at.set(utc(now))],
            condition=(OrderItem.status == order.status)
            & (OrderItem.pickup_failures < mall.PICKUP_ATTEMPTS),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def pick_up(order: OrderItem, code: str, now: datetime) -> bool:
    """Hand-over: the code must match and the order must not be locked (in the condition)."""
    try:
        order.update(
            [
                OrderItem.status.set(mall.PICKED_UP),
                OrderItem.st_pk.set(keys.orders_status_pk(mall.PICKED_UP)),
                OrderItem.updated_at.set(utc(now)),
            ],
            condition=(OrderItem.status == order.status)
            & (OrderItem.pickup_code == code)
            & (OrderItem.pickup_failures < mall.PICKUP_ATTEMPTS),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def give_back(
    order: OrderItem, target: str, reason: str, now: datetime, today: date, *, stock: bool = True
) -> bool:
    """Cancel or reject ``order``: its status, the points (ledger ``refund``), the stock and
    the limit counters, in one transaction, conditional on the status it was read in, so it
    happens once. False when the order moved meanwhile (the caller reads it again)."""

    def attempt(with_stock: bool) -> bool:
        tx = Tx()
        tx.update(
            ORDER,
            OrderItem(pk=order.pk, sk=order.sk),
            [
                OrderItem.status.set(target),
                OrderItem.st_pk.set(keys.orders_status_pk(target)),
                OrderItem.updated_at.set(utc(now)),
                OrderItem.reason.set(reason),
            ],
            condition=OrderItem.status == order.status,
        )
        points, q = int(order.points), int(order.quantity)
        if points > 0:
            giveback = Return(
                member_id=order.member_id,
                type=kinds.REFUND,
                source=RETURN_SOURCE,
                ref=order.order_id,
                points=points,
                at=now,
                description=f"{order.item_name} × {q}: order {target}",
            )
            members_repo.add_return(tx, giveback, order_id=order.order_id)
        if with_stock and order.stocked:
            tx.update(
                ITEM,
                CatalogItem(pk=keys.item_pk(order.item_id), sk=keys.ITEM_SK),
                [CatalogItem.stock.add(q), CatalogItem.sold.add(-q)],
                condition=CatalogItem.stock.exists(),
            )
        member_pk = keys.member_pk(order.member_id)
        if order.counted_total:
            tx.update(
                LIMIT_ITEM,
                CounterItem(pk=member_pk, sk=keys.limit_item_sk(order.item_id)),
                [CounterItem.n.add(-q)],
            )
        if order.counted_day == today.isoformat():
            tx.update(
                LIMIT_DAY,
                CounterItem(pk=member_pk, sk=keys.limit_day_sk(order.kind, today)),
                [CounterItem.n.add(-q)],
            )
        tx.commit()
        return True

    def once() -> bool:
        try:
            return attempt(stock)
        except Cancelled as cancelled:
            if ITEM in cancelled and ORDER not in cancelled:
                # The item has no stock attribute any more (made unlimited): nothing to return.
                try:
                    return attempt(False)
                except Cancelled:
                    return False
            return False

    done = run(once)
    if done:
        order.refresh(consistent_read=True)
    return done


def confirm_payment(order: OrderItem, payment_ref: str, now: datetime, today: date) -> bool:
    """The shop got the cash part: the order goes on (a coupon is issued now)."""

    def attempt() -> bool:
        target = mall.paid_status(order.kind)
        tx = Tx()
        actions = [
            OrderItem.status.set(target),
            OrderItem.st_pk.set(keys.orders_status_pk(target)),
            OrderItem.updated_at.set(utc(now)),
            OrderItem.paid_at.set(utc(now)),
            OrderItem.payment_ref.set(payment_ref),
        ]
        if order.kind == mall.COUPON:
            code = mall.new_coupon_code()
            expires_on = mall.coupon_expires_on(today, _valid_days(order))
            actions += [
                OrderItem.coupon_code.set(code),
                OrderItem.coupon_expires_on.set(expires_on.isoformat()),
            ]
            tx.put(
                COUPON,
                coupon_item(order, code, expires_on),
                condition=CouponItem.pk.does_not_exist(),
            )
        tx.update(
            ORDER,
            OrderItem(pk=order.pk, sk=order.sk),
            actions,
            condition=OrderItem.status == mall.AWAITING_PAYMENT,
        )
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ORDER in cancelled:
                return False
            return attempt()  # the random coupon code was taken: draw another
        return True

    done = run(attempt)
    order.refresh(consistent_read=True)
    return done


def _valid_days(order: OrderItem) -> int | None:
    try:
        item = CatalogItem.get(keys.item_pk(order.item_id), keys.ITEM_SK)
    except DoesNotExist:
        return None
    return int(item.coupon_valid_days) if item.coupon_valid_days is not None else None


# Coupons ----------------------------------------------------------------------------------


def get_coupon(code: str) -> CouponItem | None:
    try:
        return CouponItem.get(keys.coupon_pk(code), keys.COUPON_SK, consistent_read=True)
    except DoesNotExist:
        return None


def _coupon_refusal(coupon: CouponItem | None, code: str, used_by: str | None) -> Exception | None:
    """None: already used by this same shop order (a repeated request)."""
    if coupon is None:
        return CouponNotFound(f"no coupon {code!r}")
    if coupon.used_at is not None:
        if used_by is not None and coupon.used_by == used_by:
            return None
        return CouponUsed(f"coupon {code} was already used", details={"used_at": coupon.used_at})
    return CouponExpired(
        f"coupon {code} expired on {coupon.expires_on}",
        details={"expires_on": coupon.expires_on},
    )


def consume_coupon(code: str, used_by: str | None, now: datetime, today: date) -> CouponItem:
    """Mark the coupon used, once; its order shows it. Raises why not."""
    coupon = get_coupon(code)
    if coupon is None or coupon.used_at is not None or coupon.expires_on < today.isoformat():
        refusal = _coupon_refusal(coupon, code, used_by)
        if refusal is None:
            return coupon
        raise refusal

    def attempt() -> CouponItem:
        at = utc(now)
        tx = Tx()
        actions = [CouponItem.used_at.set(at)]
        if used_by is not None:
            actions.append(CouponItem.used_by.set(used_by))
        tx.update(
            COUPON,
            CouponItem(pk=coupon.pk, sk=coupon.sk),
            actions,
            condition=CouponItem.pk.exists()
            & CouponItem.used_at.does_not_exist()
            & (CouponItem.expires_on >= today.isoformat()),
        )
        tx.update(
            ORDER,
            OrderItem(pk=keys.member_pk(coupon.member_id), sk=keys.mall_order_sk(coupon.order_id)),
            [OrderItem.coupon_used_at.set(at), OrderItem.updated_at.set(at)],
            condition=OrderItem.pk.exists(),
        )
        try:
            tx.commit()
        except Cancelled as cancelled:
            old = image(cancelled.failed.get(COUPON), CouponItem)
            refusal = _coupon_refusal(old, code, used_by)
            if refusal is None:
                return get_coupon(code) or coupon
            raise refusal from None
        coupon.used_at, coupon.used_by = at, used_by
        return coupon

    return run(attempt)
