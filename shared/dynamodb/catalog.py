"""Data access for the mall catalog.

Each item lives in its own partition (``ITEM#<id>`` / ``ITEM``), so a flash sale on one item
never shares a partition with another item or a member; the ``CATALOG`` partition lists the
items (one small entry each) for ``GET /v1/catalog``, whose page then batch-reads the items.
Operator changes to what a redemption relies on (price, window, limits, retirement) bump the
item's ``ver``; a redemption is conditional on the ``ver`` it read.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso as utc
from shared.domain.mall import DONATION, Offer
from shared.dynamodb import keys, pages
from shared.dynamodb.connection import connection, table
from shared.dynamodb.models import CatalogEntry, CatalogItem, set_or_remove
from shared.dynamodb.tx import Cancelled, Tx, image, run
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
    "coupon_valid_days",
    "description",
    "image_url",
)
# Changing any of these changes what a redemption agreed to: they bump ``ver``.
VERSIONED = frozenset(DEFINITION) - {"stock", "description", "image_url", "name"}


def get(item_id: str) -> CatalogItem | None:
    """The item as it is now (a strongly consistent read)."""
    try:
        return CatalogItem.get(keys.item_pk(item_id), keys.ITEM_SK, consistent_read=True)
    except DoesNotExist:
        return None


# Items a redemption read recently, per process (a warm Lambda, the local server). Safe to
# act on because every redemption is conditional on the item's ``ver``: a stale copy makes
# the transaction fail and the caller reads again. Never a reason to refuse by itself (the
# caller re-reads before answering sold_out / not_available). Tied to the connection, so a
# new table (tests) never sees another table's items.
CACHE_SECONDS = 60.0
CACHE_SIZE = 1000
_cache: dict[str, tuple[float, CatalogItem]] = {}
_cache_owner: list[object] = [None]
_cache_lock = threading.Lock()


def get_cached(item_id: str) -> tuple[CatalogItem | None, bool]:
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


def offer_of(item: CatalogItem) -> Offer:
    return Offer(
        item_id=item.item_id,
        name=item.name,
        kind=item.kind,
        points=int(item.points),
        cash=Decimal(item.cash) if item.cash is not None else None,
        stock=int(item.stock) if item.stock is not None else None,
        starts_at=datetime.fromisoformat(item.starts_at) if item.starts_at else None,
        ends_at=datetime.fromisoformat(item.ends_at) if item.ends_at else None,
        min_tier=item.min_tier,
        limit_mode=item.limit_mode,
        per_day=int(item.limit_per_day) if item.limit_per_day is not None else None,
        total=int(item.limit_total) if item.limit_total is not None else None,
        coupon_valid_days=(
            int(item.coupon_valid_days) if item.coupon_valid_days is not None else None
        ),
        retired=bool(item.retired),
        ver=int(item.ver),
    )


def _entry(item_id: str, kind: str) -> CatalogEntry:
    return CatalogEntry(pk=keys.CATALOG, sk=keys.catalog_sk(item_id), item_id=item_id, kind=kind)


def put(item_id: str, definition: dict[str, Any], now: datetime) -> tuple[CatalogItem, bool]:
    """Create or replace an item's definition. Stock is set as given; the running counters
    (units sold, donation totals) survive a replace. Returns (stored item, created)."""
    at = utc(now)
    values = {name: definition.get(name) for name in DEFINITION}
    kind = values["kind"]

    def create() -> bool:
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
        tx = Tx()
        tx.put(ITEM, item, condition=CatalogItem.pk.does_not_exist())
        tx.put(ENTRY, _entry(item_id, kind))
        try:
            tx.commit()
        except Cancelled:
            return False
        return True

    def replace() -> None:
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
        tx = Tx()
        tx.update(ITEM, CatalogItem(pk=keys.item_pk(item_id), sk=keys.ITEM_SK), actions)
        tx.put(ENTRY, _entry(item_id, kind))
        tx.commit()

    created = run(create)
    if not created:
        run(replace)
    stored = get(item_id)
    assert stored is not None
    return stored, created


def patch(
    item: CatalogItem,
    changes: dict[str, Any],
    now: datetime,
    *,
    stock_delta: int | None = None,
    retired: bool | None = None,
) -> CatalogItem:
    """Change some of an item's attributes (None removes one), add to its stock, retire it
    or bring it back. Stock never goes below zero (a condition, not a read)."""
    actions = set_or_remove(CatalogItem, changes)
    condition = CatalogItem.pk.exists()
    if retired is not None:
        actions.append(CatalogItem.retired.set(retired))
    if retired is not None or VERSIONED & set(changes):
        actions.append(CatalogItem.ver.add(1))
    if stock_delta:
        actions += [CatalogItem.stock.add(stock_delta)]
        condition &= CatalogItem.stock.exists()
        if stock_delta < 0:
            condition &= CatalogItem.stock >= -stock_delta
    actions.append(CatalogItem.updated_at.set(utc(now)))

    def attempt() -> None:
        tx = Tx()
        tx.update(ITEM, CatalogItem(pk=item.pk, sk=item.sk), actions, condition=condition)
        if retired is True:
            tx.delete(ENTRY, _entry(item.item_id, item.kind))
        elif retired is False:
            tx.put(ENTRY, _entry(item.item_id, item.kind))
        try:
            tx.commit()
        except Cancelled as cancelled:
            old = image(cancelled.failed.get(ITEM), CatalogItem)
            if old is None:
                raise ItemNotFound(f"no catalog item {item.item_id!r}") from None
            if old.stock is None:
                raise Invalid(
                    "the item has unlimited stock",
                    details={"fields": {"stock_delta": "the item has unlimited stock"}},
                ) from None
            raise InsufficientStock(
                f"only {int(old.stock)} in stock",
                details={"stock": int(old.stock), "stock_delta": stock_delta},
            ) from None

    run(attempt)
    stored = get(item.item_id)
    assert stored is not None
    return stored


def page(limit: int, cursor: str | None) -> tuple[list[CatalogItem], str | None]:
    """A page of the listed (not retired) items in id order, with the next cursor."""
    result = CatalogEntry.query(
        keys.CATALOG,
        limit=limit,
        last_evaluated_key=pages.decode(cursor, ("pk", keys.CATALOG)),
    )
    entries = list(result)
    found = {item.item_id: item for item in _batch_get([e.item_id for e in entries])}
    items = [found[e.item_id] for e in entries if e.item_id in found]
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
