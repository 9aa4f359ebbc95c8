"""Data access for the mall catalog.

Each item lives in its own partition (``ITEM#<id>`` / ``ITEM``), so a flash sale on one item
never shares a partition with another item or a member; the ``CATALOG`` partition lists the
items (one small entry each) for ``GET /v1/catalog``, whose page then batch-reads the items.
Operator changes to what a redemption relies on (price, window, limits, retirement) bump the
item's ``ver``; a redemption is conditional on the ``ver`` it read. Items go in and come out
as :class:`~shared.domain.mall.Listing` values, never as table rows.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec.structs import replace

from shared.clock import utc_iso as utc
from shared.domain.audit import AuditEntry
from shared.domain.mall import DONATION, Listing
from shared.dynamodb import audit, keys, pages
from shared.dynamodb.connection import connection, table
from shared.dynamodb.models.base import set_or_remove
from shared.dynamodb.models.mall import CatalogEntry, CatalogItem
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_at, value_of
from shared.errors import InsufficientStock, Invalid, ItemNotFound

ITEM, ENTRY = "item", "entry"

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
)
# Stored names of the definition that the Listing names otherwise.
RENAMED = {"limit_per_day": "per_day", "limit_total": "total", "limit_per_month": "per_month"}
# Changing any of these changes what a redemption agreed to: they bump ``ver``.
VERSIONED = frozenset(DEFINITION) - {"stock", "description", "image_url", "name"}


def _row(item_id: str) -> CatalogItem | None:
    return row_at(CatalogItem, keys.item_pk(item_id), keys.ITEM_SK)


def get(item_id: str) -> Listing | None:
    """The item as it is now (a strongly consistent read)."""
    row = _row(item_id)
    return listing_of(row) if row is not None else None


# Items a redemption read recently, per process (a warm Lambda, the local server). Safe to
# act on because every redemption is conditional on the item's ``ver``: a stale copy makes
# the transaction fail and the caller reads again. Never a reason to refuse by itself (the
# caller re-reads before answering sold_out / not_available). Tied to the connection, so a
# new table (tests) never sees another table's items.
CACHE_SECONDS = 60.0
CACHE_SIZE = 1000
_cache: dict[str, tuple[float, Listing]] = {}
_cache_owner: list[object] = [None]
_cache_lock = threading.Lock()


def get_cached(item_id: str) -> tuple[Listing | None, bool]:
    """(item, fresh): a copy read less than ``CACHE_SECONDS`` ago, else a read now."""
    owner = connection()
    with _cache_lock:
        if _cache_owner[0] is not owner:
            _cache.clear()
            _cache_owner[0] = owner
        hit = _cache.get(item_id)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1], False
    item = get(item_id)
    with _cache_lock:
        if item is None:
            _cache.pop(item_id, None)
        else:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[item_id] = (time.monotonic(), item)
    return item, True


def forget(item_id: str) -> None:
    """Drop the cached copy (it proved stale)."""
    with _cache_lock:
        _cache.pop(item_id, None)


def listing_of(item: CatalogItem) -> Listing:
    return value_of(item, Listing, **{to: getattr(item, name) for name, to in RENAMED.items()})


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
    tx.put(ENTRY, _entry(item_id, kind))
    audit.add(tx, change)
    return run(tx.committed)


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
    if retired is not None:
        actions.append(CatalogItem.retired.set(retired))
    if retired is not None or VERSIONED & set(changes):
        actions.append(CatalogItem.ver.add(1))
    if stock_delta:
        actions += [CatalogItem.stock.add(stock_delta)]
        condition = CatalogItem.stock.exists()
        if stock_delta < 0:
            condition &= CatalogItem.stock >= -stock_delta
    actions.append(CatalogItem.updated_at.set(utc(now)))
    return actions, condition


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
    actions, stock_ok = _patch_actions(changes, now, stock_delta, retired)
    as_read = _as_read(item)
    tx = Tx()
    key = CatalogItem(pk=keys.item_pk(item.item_id), sk=keys.ITEM_SK)
    tx.update(ITEM, key, actions, condition=as_read if stock_ok is None else as_read & stock_ok)
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

    return run(attempt)


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
    items = [listing_of(found[e.item_id]) for e in entries if e.item_id in found]
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
