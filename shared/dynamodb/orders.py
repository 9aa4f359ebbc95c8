"""Data access for mall orders: reading them, moving them along, giving points back.

Orders come out as :class:`~shared.domain.mall.Order` values. Every move is conditional on
the status the order was read in, so it happens once; a move that lost the race answers
False (the caller reads the order again). The redemption that creates an order is in
:mod:`shared.dynamodb.redemptions`, coupons in :mod:`shared.dynamodb.coupons`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.operand import Path

from shared.clock import utc_iso as utc
from shared.domain import ledger as kinds
from shared.domain import mall
from shared.domain.audit import AuditEntry
from shared.domain.ledger import Return
from shared.domain.mall import Order
from shared.dynamodb import audit, catalog, keys, ledger, pages
from shared.dynamodb.models.mall import (
    CatalogItem,
    CounterItem,
    CouponItem,
    OrderItem,
    StockShard,
)
from shared.dynamodb.tx import Cancelled, Tx, run, updated
from shared.dynamodb.values import row_at, value_of

# Transaction labels (the items of a redemption or a give-back).
ITEM, ORDER, COUPON, PAYOUT = "item", "order", "coupon", "payout"
LIMIT_ITEM, LIMIT_DAY, LIMIT_MONTH = "limit_item", "limit_day", "limit_month"
RETURN_SOURCE = "return"
# The ledger text of the points an undone order gives back, by the order's new status.
RETURN_CODES = {mall.CANCELLED: "order_cancelled", mall.REJECTED: "order_rejected"}


def day_counter(kind: str) -> tuple[Path, Path]:
    """A member's per-day redemption counter of one kind, on their profile (so a redemption
    writes one item less): the programme day it counts (``rday_<kind>``) and the units
    (``rn_<kind>``). A new day overwrites both."""
    day = UnicodeAttribute(attr_name=f"rday_{kind}")
    units = NumberAttribute(attr_name=f"rn_{kind}")
    day.attr_name, units.attr_name = f"rday_{kind}", f"rn_{kind}"
    return Path(day), Path(units)


def total_counter(item_id: str) -> Path:
    """A member's units ever of one item (``rt_<item id>``), on their profile for items
    created since issue 23 (older items count in a ``LIMIT#ITEM#`` counter item)."""
    units = NumberAttribute(attr_name=f"rt_{item_id}")
    units.attr_name = f"rt_{item_id}"
    return Path(units)


def order_of(row: OrderItem) -> Order:
    """The stored order as the mall's domain value."""
    return value_of(row, Order)


def _key(order: Order) -> OrderItem:
    return OrderItem(pk=keys.member_pk(order.member_id), sk=keys.mall_order_sk(order.order_id))


def _refresh(order: Order, row: OrderItem | None = None) -> None:
    """Make ``order`` what is stored now (the row an update returned, or a strong read)."""
    if row is None:
        row = _row(order.member_id, order.order_id)
        assert row is not None  # orders are never deleted
    fresh = order_of(row)
    for name in order.__struct_fields__:
        setattr(order, name, getattr(fresh, name))


def order_item(
    member_id: str, order_id: str, status: str, placed_at_utc: str, **fields: Any
) -> OrderItem:
    """A new order's row (a redemption, a lottery prize): its keys in the member's partition,
    its index keys (by id, by status), placed and updated now, and ``fields``."""
    return OrderItem(
        pk=keys.member_pk(member_id),
        sk=keys.mall_order_sk(order_id),
        order_id=order_id,
        member_id=member_id,
        status=status,
        placed_at=placed_at_utc,
        updated_at=placed_at_utc,
        pickup_failures=0,
        order_pk=keys.mall_order_id_key(order_id),
        st_pk=keys.orders_status_key(status, order_id),
        st_sk=keys.orders_status_sk(placed_at_utc, order_id),
        **fields,
    )


def coupon_item(order: OrderItem | Order, code: str, expires_on: date) -> CouponItem:
    """The coupon record an order issues (a redemption, a payment, a lottery prize)."""
    return CouponItem(
        pk=keys.coupon_pk(code),
        sk=keys.COUPON_SK,
        code=code,
        member_id=order.member_id,
        order_id=order.order_id,
        item_id=order.item_id,
        expires_on=expires_on.isoformat(),
    )


# Reading orders ---------------------------------------------------------------------------


def _row(member_id: str, order_id: str) -> OrderItem | None:
    return row_at(OrderItem, keys.member_pk(member_id), keys.mall_order_sk(order_id))


def get(member_id: str, order_id: str) -> Order | None:
    row = _row(member_id, order_id)
    return order_of(row) if row is not None else None


def find(order_id: str) -> Order | None:
    """An order by id alone (operators, the shop): the by_order index, then a strong read."""
    for hit in OrderItem.by_order.query(keys.mall_order_id_key(order_id), limit=1):
        return get(hit.member_id, hit.order_id)
    return None


def has_redeemed(member_id: str, item_id: str) -> bool:
    """Whether the member's per-item counter exists (donations: not a first-time donor)."""
    counter = row_at(CounterItem, keys.member_pk(member_id), keys.limit_item_sk(item_id))
    return counter is not None


def _page(result: Any) -> tuple[list[Order], str | None]:
    return [order_of(row) for row in result], pages.encode(result.last_evaluated_key)


def member_page(
    member_id: str, limit: int, cursor: str | None, *, coupons: bool = False
) -> tuple[list[Order], str | None]:
    """A member's orders newest first (``coupons``: only orders that issued a coupon)."""
    pk = keys.member_pk(member_id)
    return _page(
        OrderItem.query(
            pk,
            OrderItem.sk.startswith(keys.MALL_ORDER),
            filter_condition=OrderItem.coupon_code.exists() if coupons else None,
            scan_index_forward=False,
            consistent_read=True,
            limit=limit,
            last_evaluated_key=pages.decode(cursor, ("pk", pk)),
        )
    )


def status_page(status: str, limit: int, cursor: str | None) -> tuple[list[Order], str | None]:
    """Orders in one status, newest first (the by_status index). A sharded status (every
    order of a sale is ``placed``) is read from each of its partitions and merged in
    ``st_sk`` order; its cursor is the last ``st_sk`` shown."""
    partitions = keys.orders_status_partitions(status)
    if len(partitions) == 1:
        return _page(
            OrderItem.by_status.query(
                partitions[0],
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=pages.decode(cursor, ("st_pk", partitions[0])),
            )
        )
    after = pages.decode(cursor, ("st_pk", partitions[0]))
    below = OrderItem.st_sk < after["st_sk"]["S"] if after and "st_sk" in after else None
    rows: list[OrderItem] = []
    more = False
    for partition in partitions:
        result = OrderItem.by_status.query(
            partition, below, scan_index_forward=False, limit=limit + 1
        )
        found = list(result)
        more = more or len(found) > limit
        rows += found[:limit]
    rows.sort(key=lambda row: row.st_sk or "", reverse=True)
    more = more or len(rows) > limit
    shown = rows[:limit]
    if not (more and shown):
        return [order_of(row) for row in shown], None
    last = {"st_pk": {"S": partitions[0]}, "st_sk": {"S": shown[-1].st_sk or ""}}
    return [order_of(row) for row in shown], pages.encode(last)


def placed_before(status: str, before: datetime) -> Iterator[Order]:
    """Orders in ``status`` placed before ``before``, oldest first (the sweep's work). The
    index lags the table: read an order again before acting on it."""
    rows: Iterable[OrderItem] = OrderItem.by_status.query(
        keys.orders_status_pk(status),
        OrderItem.st_sk < utc(before),
        scan_index_forward=True,
    )
    return (order_of(row) for row in rows)


# Moving orders ----------------------------------------------------------------------------


def _status_actions(order: Order, target: str, now: datetime) -> list[Any]:
    return [
        OrderItem.status.set(target),
        OrderItem.st_pk.set(keys.orders_status_key(target, order.order_id)),
        OrderItem.updated_at.set(utc(now)),
    ]


def _update(
    order: Order, actions: list[Any], condition: Any = None, change: AuditEntry | None = None
) -> bool:
    """One update of the order, conditional on the status it was read in (and
    ``condition``), with the audit entry ``change`` if any (then one transaction); False
    when that failed. On success ``order`` is refreshed."""
    row = _key(order)
    guard = OrderItem.status == order.status
    condition = guard if condition is None else guard & condition
    if change is None:
        if not updated(row, actions, condition):
            return False
        _refresh(order, row)  # the row took the updated values
        return True
    # An operator's move: the update and its audit entry in one transaction.
    if not run(audit.add(Tx().update(ORDER, row, actions, condition), change).committed):
        return False
    _refresh(order)
    return True


def move(
    order: Order, target: str, now: datetime, change: AuditEntry | None = None, **fields: Any
) -> bool:
    """Set ``order`` to ``target`` (plus ``fields``) if it is still in the status it was read
    in, with the operator's audit entry ``change`` if any. Returns False when it was not
    (the caller reads it again); ``order`` is refreshed."""
    actions = _status_actions(order, target, now)
    actions += [getattr(OrderItem, name).set(value) for name, value in fields.items()]
    return _update(order, actions, change=change)


def count_pickup_failure(order: Order, now: datetime) -> bool:
    """One more wrong pickup code (only while the order can still be picked up)."""
    return _update(
        order,
        [OrderItem.pickup_failures.add(1), OrderItem.updated_at.set(utc(now))],
        OrderItem.pickup_failures < mall.PICKUP_ATTEMPTS,
    )


def pick_up(order: Order, code: str, now: datetime, change: AuditEntry) -> bool:
    """Hand-over, with the staff member's audit entry ``change``: the code must match and
    the order must not be locked (in the condition)."""
    return _update(
        order,
        _status_actions(order, mall.PICKED_UP, now),
        (OrderItem.pickup_code == code) & (OrderItem.pickup_failures < mall.PICKUP_ATTEMPTS),
        change,
    )


def give_back(
    order: Order,
    target: str,
    reason: str,
    now: datetime,
    today: date,
    *,
    stock: bool = True,
    change: AuditEntry | None = None,
) -> bool:
    """Cancel or reject ``order``: its status, the points (ledger ``refund``), the stock and
    the limit counters (and an operator's audit entry ``change``), in one transaction,
    conditional on the status it was read in, so it happens once. False when the order
    moved meanwhile (the caller reads it again)."""

    def attempt(with_stock: bool, shard: int | None = order.stock_shard) -> bool:
        tx = Tx()
        tx.update(
            ORDER,
            _key(order),
            [*_status_actions(order, target, now), OrderItem.reason.set(reason)],
            condition=OrderItem.status == order.status,
        )
        q = order.quantity
        back_today = order.counted_day == today
        counts_back: tuple[Any, ...] = ()
        if back_today and order.day_on_profile:
            counts_back = (day_counter(order.kind)[1].add(-q),)
        if order.counted_total and order.total_on_profile:
            counts_back += (total_counter(order.item_id).add(-q),)
        if order.points > 0:  # every redemption costs points: its profile counts go back here
            giveback = Return(
                member_id=order.member_id,
                type=kinds.REFUND,
                source=RETURN_SOURCE,
                ref=order.order_id,
                points=order.points,
                at=now,
                **kinds.wording(RETURN_CODES[target], {"item": order.item_name, "quantity": q}),
            )
            ledger.add_return(tx, giveback, extra_actions=counts_back, order_id=order.order_id)
        if with_stock and order.stocked and shard is not None:
            # A hot item: the units go back to a stock shard (the one they came from).
            tx.update(
                ITEM,
                StockShard(pk=keys.stock_shard_pk(order.item_id, shard), sk=keys.STOCK_SK),
                [StockShard.stock.add(q), StockShard.sold.add(-q)],
                condition=StockShard.pk.exists(),
            )
        elif with_stock and order.stocked:
            tx.update(
                ITEM,
                CatalogItem(pk=keys.item_pk(order.item_id), sk=keys.ITEM_SK),
                [CatalogItem.stock.add(q), CatalogItem.sold.add(-q)],
                condition=CatalogItem.stock.exists(),
            )
        member_pk = keys.member_pk(order.member_id)
        if order.counted_total and not order.total_on_profile:
            tx.update(
                LIMIT_ITEM,
                CounterItem(pk=member_pk, sk=keys.limit_item_sk(order.item_id)),
                [CounterItem.n.add(-q)],
            )
        if back_today and not order.day_on_profile:  # counted before issue 23
            tx.update(
                LIMIT_DAY,
                CounterItem(pk=member_pk, sk=keys.limit_day_sk(order.kind, today)),
                [CounterItem.n.add(-q)],
            )
        month = mall.month_of(today)
        if order.counted_month == month:
            tx.update(
                LIMIT_MONTH,
                CounterItem(pk=member_pk, sk=keys.limit_month_sk(order.item_id, month)),
                [CounterItem.n.add(-q)],
            )
        if change is not None:
            audit.add(tx, change)
        tx.commit()
        return True

    def once() -> bool:
        try:
            return attempt(stock)
        except Cancelled as cancelled:
            if ITEM in cancelled and ORDER not in cancelled:
                # The item's stock moved to shards since the order (made hot): back to one
                # of them; or it has no stock any more (made unlimited): nothing to return.
                shards = _stock_shards(order.item_id) if order.stock_shard is None else None
                try:
                    if shards:
                        return attempt(True, random.randrange(shards))
                    return attempt(False)
                except Cancelled:
                    return False
            return False

    done = run(once)
    if done:
        _refresh(order)
        if order.stocked:
            catalog.changed(order.item_id)  # this process's next redemption sees the unit
    return done


def _stock_shards(item_id: str) -> int | None:
    """How many stock shards the item has now (None: its stock is on the item, or none)."""
    item = row_at(CatalogItem, keys.item_pk(item_id), keys.ITEM_SK)
    return int(item.stock_shards) if item is not None and item.stock_shards else None


def confirm_payment(order: Order, payment_ref: str, now: datetime, today: date) -> bool:
    """The shop got the cash part: the order goes on (a coupon is issued now). False when
    the order is no longer awaiting payment; ``order`` is refreshed either way."""

    def attempt() -> bool:
        target = mall.paid_status(order.kind)
        tx = Tx()
        actions = [
            *_status_actions(order, target, now),
            OrderItem.paid_at.set(utc(now)),
            OrderItem.payment_ref.set(payment_ref),
        ]
        if order.kind == mall.COUPON:
            code = mall.new_coupon_code()
            expires_on = mall.coupon_expires_on(today, _valid_days(order.item_id))
            actions += [
                OrderItem.coupon_code.set(code),
                OrderItem.coupon_expires_on.set(expires_on.isoformat()),
            ]
            tx.put(
                COUPON,
                coupon_item(order, code, expires_on),
                condition=CouponItem.pk.does_not_exist(),
            )
        tx.update(ORDER, _key(order), actions, condition=OrderItem.status == mall.AWAITING_PAYMENT)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ORDER in cancelled:
                return False
            return attempt()  # the random coupon code was taken: draw another
        return True

    done = run(attempt)
    _refresh(order)
    return done


def _valid_days(item_id: str) -> int | None:
    item = row_at(CatalogItem, keys.item_pk(item_id), keys.ITEM_SK, consistent=False)
    if item is None or item.coupon_valid_days is None:
        return None
    return int(item.coupon_valid_days)
