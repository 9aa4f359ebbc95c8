"""The mall's catalog: members browse it (availability for their tier), operators define,
restock, reprice and retire items. Stored by ``shared.dynamodb.catalog``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import audit, mall
from shared.domain.audit import AuditEntry
from shared.domain.mall import Listing
from shared.domain.rules import Rules
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import members as members_repo
from shared.errors import Invalid, ItemNotFound
from shared.mall.views import item_view
from shared.replan import until_done


def _tier_of(member_id: str | None) -> str | None:
    """The member's tier for availability (unregistered: the lowest); None for operators."""
    if member_id is None:
        return None
    member = members_repo.find(member_id)
    return member.tier if member is not None else mall.tiers_from(None)[0]


def _item(item_id: str) -> Listing:
    item = catalog_repo.get(item_id)
    if item is None:
        raise ItemNotFound(f"no catalog item {item_id!r}")
    return item


def catalog_page(
    member_id: str | None, limit: int, cursor: str | None, now: datetime
) -> dict[str, Any]:
    rules = programme.current()
    items, next_cursor = catalog_repo.page(limit, cursor)
    tier = _tier_of(member_id) if items else None
    return {
        "items": [item_view(item, now, rules, tier) for item in items],
        "next_cursor": next_cursor,
    }


def catalog_item(item_id: str, member_id: str | None, now: datetime) -> dict[str, Any]:
    item = _item(item_id)
    return item_view(item, now, programme.current(), _tier_of(member_id))


def admin_item(item_id: str, now: datetime) -> dict[str, Any]:
    return item_view(_item(item_id), now, programme.current(), admin=True)


class Definition(Struct, frozen=True):
    """An operator's ``PUT /v1/admin/catalog/{item_id}``."""

    name: str
    kind: str
    points: int
    cash: Decimal | None = None
    stock: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    min_tier: str | None = None
    limit_mode: str = mall.LIMITS_DEFAULT
    per_day: int | None = None
    total: int | None = None
    per_month: int | None = None
    coupon_valid_days: int | None = None
    description: str | None = None
    image_url: str | None = None
    stock_shards: int | None = None


def _check_definition(
    kind: str,
    cash: Decimal | None,
    stock: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    coupon_valid_days: int | None,
    stock_shards: int | None = None,
) -> None:
    problems = mall.definition_problems(
        kind,
        cash=cash,
        stock=stock,
        starts_at=starts_at,
        ends_at=ends_at,
        coupon_valid_days=coupon_valid_days,
        stock_shards=stock_shards,
    )
    if problems:
        raise Invalid(
            "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
        )


def put_item(item_id: str, d: Definition, now: datetime, actor: str) -> tuple[dict[str, Any], bool]:
    """Create or replace a catalog item. Returns (stored item, created). Audited
    (``catalog.put``) in the write's transaction, conditional on the item as read."""
    _check_definition(
        d.kind, d.cash, d.stock, d.starts_at, d.ends_at, d.coupon_valid_days, d.stock_shards
    )
    custom = d.limit_mode == mall.LIMITS_CUSTOM
    definition = {
        "name": d.name,
        "kind": d.kind,
        "points": d.points,
        "cash": d.cash if d.cash is not None and d.cash > 0 else None,
        "stock": d.stock,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "min_tier": d.min_tier,
        "limit_mode": d.limit_mode,
        "limit_per_day": d.per_day if custom else None,
        "limit_total": d.total if custom else None,
        "limit_per_month": d.per_month if custom else None,
        "coupon_valid_days": d.coupon_valid_days,
        "description": d.description,
        "image_url": d.image_url,
        "stock_shards": d.stock_shards,
    }
    rules = programme.current()

    def attempt() -> bool | None:
        read = catalog_repo.get(item_id)
        _check_shards(read, d.stock_shards)
        after = catalog_repo.as_put(item_id, definition, now, read)
        change = _change(now, actor, "catalog.put", read, after, rules)
        return read is None if catalog_repo.put(item_id, definition, now, change, read) else None

    created = until_done(attempt, "catalog item")
    return item_view(catalog_repo.get_written(item_id), now, rules, admin=True), created


def _check_shards(read: Listing | None, stock_shards: int | None) -> None:
    """A hot item keeps its shard count: the shards hold its running ``sold`` counts (an
    item without shards may be made hot; its stock then moves to the shards)."""
    if read is not None and read.stock_shards and stock_shards != read.stock_shards:
        problem = f"is {read.stock_shards} and cannot change once set"
        raise Invalid(f"stock_shards {problem}", details={"fields": {"stock_shards": problem}})


def _change(
    now: datetime, actor: str, action: str, read: Listing | None, after: Listing, rules: Rules
) -> AuditEntry:
    """The audit entry of an operator's change of an item: as read, as written."""
    return audit.entry(
        now,
        actor,
        action,
        audit.target("catalog", after.item_id),
        before=item_view(read, now, rules, admin=True) if read is not None else None,
        after=item_view(after, now, rules, admin=True),
    )


UNSET: Any = object()  # a PATCH field that was not sent


class Change(Struct, frozen=True):
    """An operator's ``PATCH /v1/admin/catalog/{item_id}`` (UNSET = leave as is)."""

    stock_delta: int | None = None
    points: Any = UNSET
    cash: Any = UNSET  # Decimal, or None to drop the cash part
    starts_at: Any = UNSET  # datetime, or None to open the window
    ends_at: Any = UNSET
    retired: bool | None = None


def patch_item(item_id: str, change: Change, now: datetime, actor: str) -> dict[str, Any]:
    """Restock, reprice, reschedule, retire or bring back an item. Audited
    (``catalog.patch``) in the write's transaction, conditional on the item as read."""
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        item = _item(item_id)
        changes = _changes(item, change)
        moves = {"stock_delta": change.stock_delta, "retired": change.retired}
        after = catalog_repo.as_patched(item, changes, now, **moves)
        audited = _change(now, actor, "catalog.patch", item, after, rules)
        stored = catalog_repo.patch(item, changes, now, audited, **moves)
        return item_view(stored, now, rules, admin=True) if stored is not None else None

    return until_done(attempt, "catalog item")


def _changes(item: Listing, change: Change) -> dict[str, Any]:
    """The attributes ``change`` sets on ``item`` (checked against the rest of it)."""

    def pick(value: Any, current: Any) -> Any:
        return current if value is UNSET else value

    _check_definition(
        item.kind,
        pick(change.cash, item.cash),
        item.stock,
        pick(change.starts_at, item.starts_at),
        pick(change.ends_at, item.ends_at),
        item.coupon_valid_days,
    )
    changes: dict[str, Any] = {}
    if change.points is not UNSET:
        changes["points"] = change.points
    if change.cash is not UNSET:
        changes["cash"] = change.cash or None
    for name in ("starts_at", "ends_at"):
        if getattr(change, name) is not UNSET:
            changes[name] = getattr(change, name)
    return changes
