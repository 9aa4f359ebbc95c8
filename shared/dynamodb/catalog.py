"""Data access for the mall catalog.

Each item lives in its own partition (``ITEM#<id>`` / ``ITEM``), so a flash sale on one item
never shares a partition with another item or a member; the ``CATALOG`` partition lists the
items (one small entry each) for ``GET /v1/catalog``, whose page then batch-reads the items.
Operator changes to what a redemption relies on (price, window, limits, retirement) bump the
item's ``ver``; a redemption is conditional on the ``ver`` it read. Items go in and come out
as :class:`~shared.domain.mall.Listing` values, never as table rows.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec.structs import replace

from shared.clock import utc_iso as utc
from shared.domain.audit import AuditEntry
from shared.domain.mall import DONATION, Listing, Offer, split_stock, take_from
from shared.dynamodb import audit, keys, pages
from shared.dynamodb.connection import table
from shared.dynamodb.copies import Copies, Recent
from shared.dynamodb.models.base import set_or_remove
from shared.dynamodb.models.mall import CatalogEntry, CatalogItem, StockShard
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_at, rows_at, value_of
from shared.errors import InsufficientStock, Invalid, ItemNotFound

ITEM, ENTRY = "item", "entry"
SHARD = "shard"  # transaction labels of stock shards: "shard<k>"

# Attributes an operator's PUT defines (absent/None = removed on replace).
DEFINITION = (
    "name",
    "kind",
    "points",
    "cash",
    "stock",
    "starts_at",
    "ends_at",
    "min_tier",
    "limit_mode",
    "limit_per_day",
    "limit_total",
    "limit_per_month",
    "coupon_valid_days",
    "description",
    "image_url",
    "stock_shards",
)
# Stored names of the definition that the Listing names otherwise.
RENAMED = {"limit_per_day": "per_day", "limit_total": "total", "limit_per_month": "per_month"}
# Changing any of these changes what a redemption agreed to: they bump ``ver``.
VERSIONED = frozenset(DEFINITION) - {"stock", "description", "image_url", "name"}


def _row(item_id: str) -> CatalogItem | None:
    return row_at(CatalogItem, keys.item_pk(item_id), keys.ITEM_SK)


def get(item_id: str) -> Listing | None:
    """The item as it is now (strongly consistent reads; a hot item's stock summed over
    its shards)."""
    row = _row(item_id)
    if row is None:
        return None
    return listing_of(row, shard_rows([row]))


def shard_key(item_id: str, shard: int) -> StockShard:
    return StockShard(pk=keys.stock_shard_pk(item_id, shard), sk=keys.STOCK_SK)


def shard_rows(rows: list[CatalogItem]) -> dict[str, list[StockShard]]:
    """The stock shards of the sharded items among ``rows`` (one BatchGetItem), by item."""
    wanted = [
        (keys.stock_shard_pk(row.item_id, k), keys.STOCK_SK)
        for row in rows
        if row.stock_shards
        for k in range(int(row.stock_shards))
    ]
    found: dict[str, list[StockShard]] = {}
    for shard in rows_at(StockShard, wanted) if wanted else []:
        found.setdefault(shard.item_id, []).append(shard)
    return found


def shard_stocks(item_id: str, shards: int) -> list[int]:
    """Each shard's stock now (strongly consistent; a missing shard holds none)."""
    by_pk = {r.pk: int(r.stock) for r in shard_rows([_sharded(item_id, shards)]).get(item_id, [])}
    return [by_pk.get(keys.stock_shard_pk(item_id, k), 0) for k in range(shards)]


def _sharded(item_id: str, shards: int) -> CatalogItem:
    return CatalogItem(item_id=item_id, stock_shards=shards)


# Items a redemption read recently, per process (a warm Lambda, the local server). Safe to
# act on because every redemption is conditional on the item's ``ver``: a stale copy makes
# the transaction fail and the caller reads again. Never a reason to refuse by itself (the
# caller re-reads before answering sold_out / not_available).
CACHE_SECONDS = 60.0
CACHE_SIZE = 1000
COPIES: Copies[Listing] = Copies(get, seconds=CACHE_SECONDS, size=CACHE_SIZE)


def get_cached(item_id: str) -> tuple[Listing | None, bool]:
    """(item, fresh): a copy read less than ``CACHE_SECONDS`` ago, else a read now."""
    return COPIES.get(item_id)


def forget(item_id: str) -> None:
    """Drop the cached copy (it proved stale)."""
    COPIES.forget(item_id)


def changed(item_id: str) -> None:
    """This process wrote the item's definition or stock (an operator, a cancel): forget
    every memory of it, so its own next redemption sees the change at once."""
    COPIES.forget(item_id)
    EMPTY_SHARDS.forget(item_id)
    SOLD_OUT.forget(item_id)


# Hot items: shards that refused a redemption lately, per process, so the next redemptions
# go to shards with stock (a hint only: never a reason to answer sold_out by itself). The
# lottery's sharded prizes keep theirs the same way (shared/dynamodb/lottery.py).
EMPTY_SHARD_SECONDS = 5.0
EMPTY_SHARDS: Recent[frozenset[int]] = Recent(EMPTY_SHARD_SECONDS, CACHE_SIZE)


def empty_shards(item_id: str) -> set[int]:
    """The item's shards this process saw refuse in the last ``EMPTY_SHARD_SECONDS``."""
    return set(EMPTY_SHARDS.get(item_id) or ())


def remember_empty(item_id: str, shards: set[int]) -> None:
    """Note that these shards refused (replacing what was noted when ``shards`` is a fresh
    read's answer)."""
    EMPTY_SHARDS.put(item_id, frozenset(shards))


# Items a fresh read showed sold out (no stock at all), per process: for SOLD_OUT_SECONDS
# the next redemptions are refused without reading again. After a flash sale every refusal
# would otherwise read the item and all its shards strongly (thousands of RCU/s on each of
# those partitions); this way each warm process reads once a second. The price: a restock
# or a cancel elsewhere is seen up to this late (this process's own writes at once). The
# item's name is kept for the refusal's message.
SOLD_OUT_SECONDS = 1.0
SOLD_OUT: Recent[str] = Recent(SOLD_OUT_SECONDS, CACHE_SIZE)


def sold_out_lately(item_id: str) -> str | None:
    """The item's name if a fresh read in this process showed it without stock in the last
    ``SOLD_OUT_SECONDS``, else None."""
    return SOLD_OUT.get(item_id)


def remember_sold_out(item: Offer) -> None:
    """A fresh read (the item, or all its shards) showed no stock left."""
    SOLD_OUT.put(item.item_id, item.name)


def listing_of(item: CatalogItem, shards: dict[str, list[StockShard]] | None = None) -> Listing:
    """The stored item as a Listing; a hot item's stock and sold are its shards' sums."""
    extra = {to: getattr(item, name) for name, to in RENAMED.items()}
    if item.stock_shards:
        mine = (shards or {}).get(item.item_id, [])
        extra["stock"] = sum(int(s.stock) for s in mine)
        extra["sold"] = int(item.sold or 0) + sum(int(s.sold) for s in mine)
    return value_of(item, Listing, **extra)


def _stored(value: Any) -> Any:
    """A definition's value as the table keeps it: times in UTC ISO-8601, money as text."""
    if isinstance(value, datetime):
        return utc(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _entry(item_id: str, kind: str) -> CatalogEntry:
    return CatalogEntry(pk=keys.CATALOG, sk=keys.catalog_sk(item_id), item_id=item_id, kind=kind)


def _as_read(item: Listing) -> Any:
    """The condition that the stored item is still as ``item`` was read: every operator
    write sets ``updated_at`` (redemptions move only the running counters)."""
    if item.updated_at is None:
        return CatalogItem.updated_at.does_not_exist()
    return CatalogItem.updated_at == utc(item.updated_at)


def put(
    item_id: str,
    definition: dict[str, Any],
    now: datetime,
    change: AuditEntry,
    read: Listing | None,
) -> bool:
    """Create (``read`` None) or replace the item ``read`` with its definition
    (``DEFINITION`` names -> values; absent or None: none), with the audit entry ``change``,
    in one transaction. Stock is set as given; the running counters (units sold, donation
    totals) survive a replace. False when the item is no longer as read."""
    at = utc(now)
    values = {name: _stored(definition.get(name)) for name in DEFINITION}
    if values["stock_shards"]:
        values["stock"] = None  # a hot item's stock lives in its shards
    kind = values["kind"]
    tx = Tx()
    if read is None:
        item = CatalogItem(
            pk=keys.item_pk(item_id),
            sk=keys.ITEM_SK,
            item_id=item_id,
            retired=False,
            ver=1,
            sold=0,
            created_at=at,
            updated_at=at,
            donated_points=0 if kind == DONATION else None,
            donors=0 if kind == DONATION else None,
            total_on_profile=True,  # kept by every replace (not in DEFINITION)
            **{k: v for k, v in values.items() if v is not None},
        )
        tx.put(ITEM, item, condition=CatalogItem.pk.does_not_exist())
    else:
        actions = set_or_remove(CatalogItem, values)
        actions += [
            CatalogItem.retired.set(False),
            CatalogItem.ver.add(1),
            CatalogItem.updated_at.set(at),
        ]
        if kind == DONATION:
            actions += [
                CatalogItem.donated_points.set(CatalogItem.donated_points | 0),
                CatalogItem.donors.set(CatalogItem.donors | 0),
            ]
        key = CatalogItem(pk=keys.item_pk(item_id), sk=keys.ITEM_SK)
        tx.update(ITEM, key, actions, condition=_as_read(read))
    shards = values["stock_shards"]
    if shards:
        ver = (read.ver if read else 0) + 1
        _set_shards(tx, item_id, int(shards), int(definition["stock"] or 0), ver)
    tx.put(ENTRY, _entry(item_id, kind))
    audit.add(tx, change)
    done = run(tx.committed)
    if done:
        changed(item_id)
    return done


def _set_shards(tx: Tx, item_id: str, shards: int, stock: int, ver: int) -> None:
    """Spread ``stock`` over the item's shards (their running ``sold`` kept); the
    definition item keeps no ``stock`` of its own."""
    for k, share in enumerate(split_stock(stock, shards)):
        tx.update(
            f"{SHARD}{k}",
            shard_key(item_id, k),
            [
                StockShard.item_id.set(item_id),
                StockShard.stock.set(share),
                StockShard.sold.set(StockShard.sold | 0),
                StockShard.ver.set(ver),
            ],
        )


def as_put(
    item_id: str, definition: dict[str, Any], now: datetime, read: Listing | None
) -> Listing:
    """The item as :func:`put` leaves it (the running counters as read)."""
    base = read or Listing(item_id, "", definition["kind"], 0)
    fields = {RENAMED.get(name, name): definition.get(name) for name in DEFINITION}
    if definition["kind"] == DONATION:  # the running totals start where there are none
        fields.update(donated_points=base.donated_points or 0, donors=base.donors or 0)
    return replace(
        base,
        **fields,
        retired=False,
        ver=base.ver + 1,
        created_at=base.created_at or now,
        updated_at=now,
    )


def get_written(item_id: str) -> Listing:
    """The item just written (a strongly consistent read)."""
    stored = get(item_id)
    assert stored is not None
    return stored


def _patch_actions(
    changes: dict[str, Any], now: datetime, stock_delta: int | None, retired: bool | None
) -> tuple[list[Any], Any]:
    actions = set_or_remove(CatalogItem, {k: _stored(v) for k, v in changes.items()})
    condition = None
    if _bumps_ver(changes, retired):
        actions.append(CatalogItem.ver.add(1))
    if retired is not None:
        actions.append(CatalogItem.retired.set(retired))
    if stock_delta:
        actions += [CatalogItem.stock.add(stock_delta)]
        condition = CatalogItem.stock.exists()
        if stock_delta < 0:
            condition &= CatalogItem.stock >= -stock_delta
    actions.append(CatalogItem.updated_at.set(utc(now)))
    return actions, condition


def _bumps_ver(changes: dict[str, Any], retired: bool | None) -> bool:
    return retired is not None or bool(VERSIONED & set(changes))


def _restock_shards(tx: Tx, item: Listing, stock_delta: int | None, bump: bool) -> bool:
    """A hot item's restock over its shards: more stock round-robin from a random shard,
    less from the fullest shards (each conditional on holding it); a new ``ver`` copied
    to every shard. False when the shards hold less than is taken away."""
    shards = item.stock_shards or 0
    deltas = [0] * shards
    if stock_delta and stock_delta > 0:
        deltas = split_stock(stock_delta, shards, first=random.randrange(shards))
    elif stock_delta:
        takes = take_from(shard_stocks(item.item_id, shards), -stock_delta)
        if takes is None:
            return False
        for k, take in takes.items():
            deltas[k] = -take
    for k, delta in enumerate(deltas):
        if not delta and not bump:
            continue
        actions: list[Any] = [StockShard.stock.add(delta)] if delta else []
        if bump:
            actions.append(StockShard.ver.set(item.ver + 1))
        condition = StockShard.pk.exists()
        if delta < 0:
            condition &= StockShard.stock >= -delta
        tx.update(f"{SHARD}{k}", shard_key(item.item_id, k), actions, condition=condition)
    return True


def patch(
    item: Listing,
    changes: dict[str, Any],
    now: datetime,
    change: AuditEntry,
    *,
    stock_delta: int | None = None,
    retired: bool | None = None,
) -> Listing | None:
    """Change some of the attributes of ``item`` as read (None removes one), add to its
    stock, retire it or bring it back, with the audit entry ``change``, in one transaction.
    Stock never goes below zero (a condition, not a read). None when the item is no longer
    as read (the caller reads it again)."""
    sharded = bool(item.stock_shards)
    if sharded and stock_delta and stock_delta < 0 and (item.stock or 0) < -stock_delta:
        raise InsufficientStock(
            f"only {item.stock} in stock",
            details={"stock": item.stock, "stock_delta": stock_delta},
        )
    actions, stock_ok = _patch_actions(changes, now, None if sharded else stock_delta, retired)
    as_read = _as_read(item)
    tx = Tx()
    key = CatalogItem(pk=keys.item_pk(item.item_id), sk=keys.ITEM_SK)
    tx.update(ITEM, key, actions, condition=as_read if stock_ok is None else as_read & stock_ok)
    if sharded and not _restock_shards(tx, item, stock_delta, _bumps_ver(changes, retired)):
        return None  # the shards changed since the item was read: read it again
    if retired is True:
        tx.delete(ENTRY, _entry(item.item_id, item.kind))
    elif retired is False:
        tx.put(ENTRY, _entry(item.item_id, item.kind))
    audit.add(tx, change)

    def attempt() -> Listing | None:
        try:
            tx.commit()
        except Cancelled as cancelled:
            old = image(cancelled.failed.get(ITEM), CatalogItem)
            if old is not None and listing_of(old).updated_at == item.updated_at:
                raise _patch_refusal(old, stock_delta) from None
            if old is None and ITEM in cancelled:
                raise ItemNotFound(f"no catalog item {item.item_id!r}") from None
            return None
        return get_written(item.item_id)

    patched = run(attempt)
    if patched is not None:
        changed(item.item_id)
    return patched


def as_patched(
    item: Listing,
    changes: dict[str, Any],
    now: datetime,
    *,
    stock_delta: int | None = None,
    retired: bool | None = None,
) -> Listing:
    """The item as :func:`patch` leaves it (the running counters as read)."""
    fields: dict[str, Any] = dict(changes, updated_at=now)
    if stock_delta and item.stock is not None:
        fields["stock"] = item.stock + stock_delta
    if retired is not None:
        fields["retired"] = retired
    if retired is not None or VERSIONED & set(changes):
        fields["ver"] = item.ver + 1
    return replace(item, **fields)


def _patch_refusal(old: CatalogItem, stock_delta: int | None) -> Exception:
    """Why a patch of the item as read was refused, from its old image: stock."""
    if old.stock is None:
        return Invalid(
            "the item has unlimited stock",
            details={"fields": {"stock_delta": "the item has unlimited stock"}},
        )
    return InsufficientStock(
        f"only {int(old.stock)} in stock",
        details={"stock": int(old.stock), "stock_delta": stock_delta},
    )


def page(limit: int, cursor: str | None) -> tuple[list[Listing], str | None]:
    """A page of the listed (not retired) items in id order, with the next cursor."""
    result = CatalogEntry.query(
        keys.CATALOG,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", keys.CATALOG)),
    )
    entries = list(result)
    found = {item.item_id: item for item in _batch_get([e.item_id for e in entries])}
    shards = shard_rows(list(found.values()))
    items = [listing_of(found[e.item_id], shards) for e in entries if e.item_id in found]
    return items, pages.encode(result.last_evaluated_key)


def _batch_get(item_ids: list[str]) -> list[CatalogItem]:
    """Items by id in one BatchGetItem (≤ 100 ids). Through the table connection: pynamodb's
    ``Model.batch_get`` reads the response under the model's placeholder table name."""
    if not item_ids:
        return []
    conn = table()
    pending = [{"pk": {"S": keys.item_pk(i)}, "sk": {"S": keys.ITEM_SK}} for i in item_ids]
    items: list[CatalogItem] = []
    for _ in range(10):  # unprocessed keys (throttling) are asked again
        data = conn.batch_get_item(pending)
        items += [CatalogItem.from_raw_data(i) for i in data["Responses"].get(conn.table_name, [])]
        pending = data.get("UnprocessedKeys", {}).get(conn.table_name, {}).get("Keys")
        if not pending:
            break
    return items
