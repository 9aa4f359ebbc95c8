"""Use cases of the points mall (SPEC §4): catalog, redemption, orders, coupons, payment,
the sweep of unpaid points + cash orders. Rules live in ``shared.domain.mall``; every write
is one conditional transaction in ``shared.dynamodb.orders`` / ``shared.dynamodb.catalog``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import mall
from shared.domain.calendar import iso_local, local_date
from shared.domain.mall import Offer
from shared.domain.rules import Rules
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import idempotency
from shared.dynamodb import members as members_repo
from shared.dynamodb import orders as orders_repo
from shared.dynamodb.models import CatalogItem, OrderItem, as_plain
from shared.errors import (
    Contention,
    Invalid,
    InvalidTransition,
    ItemNotFound,
    LimitReached,
    NotAvailable,
    OrderNotFound,
    PickupLocked,
    SoldOut,
    WrongPickupCode,
)

ATTEMPTS = 5  # re-plans after an item changed under a redemption, or an order moved


def _local(value: str | None, rules: Rules) -> str | None:
    return iso_local(datetime.fromisoformat(value), rules.zone) if value else None


def _utc(value: datetime | None) -> str | None:
    return orders_repo.utc(value) if value is not None else None


# Catalog ----------------------------------------------------------------------------------


def item_view(
    item: CatalogItem,
    now: datetime,
    rules: Rules,
    member_tier: str | None = None,
    *,
    admin: bool = False,
) -> dict[str, Any]:
    """An item as ``GET /v1/catalog`` shows it (``available`` for this member's tier)."""
    offer = catalog_repo.offer_of(item)
    reason = mall.unavailable(offer, now, rules, member_tier)
    view: dict[str, Any] = {
        "item_id": offer.item_id,
        "name": offer.name,
        "kind": offer.kind,
        "points": offer.points,
        "cash": str(offer.cash) if offer.cash is not None else None,
        "currency": rules.currency,
        "stock": offer.stock,
        "available": reason is None,
        "unavailable_reason": reason,
        "starts_at": _local(item.starts_at, rules),
        "ends_at": _local(item.ends_at, rules),
        "min_tier": offer.min_tier,
        "per_member_limit": mall.limits_of(offer, rules).as_dict(),
        "image_url": item.image_url,
        "description": item.description,
        "retired": offer.retired,
    }
    if offer.kind == mall.COUPON:
        view["coupon_valid_days"] = (
            offer.coupon_valid_days
            if offer.coupon_valid_days is not None
            else mall.DEFAULT_COUPON_VALID_DAYS
        )
    if offer.kind == mall.DONATION:
        view["donated_points"] = int(item.donated_points or 0)
        view["donors"] = int(item.donors or 0)
    if offer.kind == mall.CASH_OUT:
        view["cash_value"] = str(mall.cash_out_value(offer.points, rules))
        view["cash_out_starts_at"] = rules.cash_out_starts_at
        view["cash_out_ends_at"] = rules.cash_out_ends_at
    if admin:
        view.update(
            ver=offer.ver,
            sold=int(item.sold or 0),
            limit_mode=offer.limit_mode,
            created_at=_local(item.created_at, rules),
            updated_at=_local(item.updated_at, rules),
        )
    return view


def _tier_of(member_id: str | None) -> str | None:
    """The member's tier for availability (unregistered: the lowest); None for operators."""
    if member_id is None:
        return None
    member = members_repo.find(member_id)
    return member.tier if member is not None else mall.tiers_from(None)[0]


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
    item = catalog_repo.get(item_id)
    if item is None:
        raise ItemNotFound(f"no catalog item {item_id!r}")
    return item_view(item, now, programme.current(), _tier_of(member_id))


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
    coupon_valid_days: int | None = None
    description: str | None = None
    image_url: str | None = None


def _check_definition(
    kind: str,
    cash: Decimal | None,
    stock: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    coupon_valid_days: int | None,
) -> None:
    problems = mall.definition_problems(
        kind,
        cash=cash,
        stock=stock,
        starts_at=starts_at,
        ends_at=ends_at,
        coupon_valid_days=coupon_valid_days,
    )
    if problems:
        raise Invalid(
            "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
        )


def put_item(item_id: str, d: Definition, now: datetime) -> tuple[dict[str, Any], bool]:
    """Create or replace a catalog item. Returns (stored item, created)."""
    _check_definition(d.kind, d.cash, d.stock, d.starts_at, d.ends_at, d.coupon_valid_days)
    definition = {
        "name": d.name,
        "kind": d.kind,
        "points": d.points,
        "cash": str(d.cash) if d.cash is not None and d.cash > 0 else None,
        "stock": d.stock,
        "starts_at": _utc(d.starts_at),
        "ends_at": _utc(d.ends_at),
        "min_tier": d.min_tier,
        "limit_mode": d.limit_mode,
        "limit_per_day": d.per_day if d.limit_mode == mall.LIMITS_CUSTOM else None,
        "limit_total": d.total if d.limit_mode == mall.LIMITS_CUSTOM else None,
        "coupon_valid_days": d.coupon_valid_days,
        "description": d.description,
        "image_url": d.image_url,
    }
    item, created = catalog_repo.put(item_id, definition, now)
    return item_view(item, now, programme.current(), admin=True), created


UNSET: Any = object()  # a PATCH field that was not sent


class Change(Struct, frozen=True):
    """An operator's ``PATCH /v1/admin/catalog/{item_id}`` (UNSET = leave as is)."""

    stock_delta: int | None = None
    points: Any = UNSET
    cash: Any = UNSET  # Decimal, or None to drop the cash part
    starts_at: Any = UNSET  # datetime, or None to open the window
    ends_at: Any = UNSET
    retired: bool | None = None


def patch_item(item_id: str, change: Change, now: datetime) -> dict[str, Any]:
    item = catalog_repo.get(item_id)
    if item is None:
        raise ItemNotFound(f"no catalog item {item_id!r}")
    offer = catalog_repo.offer_of(item)

    def pick(value: Any, current: Any) -> Any:
        return current if value is UNSET else value

    _check_definition(
        offer.kind,
        pick(change.cash, offer.cash),
        offer.stock,
        pick(change.starts_at, offer.starts_at),
        pick(change.ends_at, offer.ends_at),
        offer.coupon_valid_days,
    )
    changes: dict[str, Any] = {}
    if change.points is not UNSET:
        changes["points"] = change.points
    if change.cash is not UNSET:
        changes["cash"] = str(change.cash) if change.cash else None
    if change.starts_at is not UNSET:
        changes["starts_at"] = _utc(change.starts_at)
    if change.ends_at is not UNSET:
        changes["ends_at"] = _utc(change.ends_at)
    stored = catalog_repo.patch(
        item, changes, now, stock_delta=change.stock_delta, retired=change.retired
    )
    return item_view(stored, now, programme.current(), admin=True)


# Redemption -------------------------------------------------------------------------------


class Redeem(Struct, frozen=True):
    """A member's redemption of a catalog item."""

    member_id: str
    item_id: str
    quantity: int
    delivery: dict[str, str] | None = None
    idempotency_key: str | None = None
    request: dict[str, Any] | None = None  # the body, fingerprinted with the key


def _redemption_response(plan: orders_repo.Plan, rules: Rules) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": plan.order_id,
        "status": plan.status,
        "points": plan.points,
        "item_id": plan.offer.item_id,
        "kind": plan.offer.kind,
        "quantity": plan.quantity,
    }
    if plan.status == mall.ISSUED and plan.coupon_code and plan.coupon_expires_on:
        body["coupon"] = {
            "code": plan.coupon_code,
            "expires_on": plan.coupon_expires_on.isoformat(),
        }
    if plan.pickup_code:
        body["pickup_code"] = plan.pickup_code
    if plan.cash_due is not None and plan.payment_due_at is not None:
        body["cash_due"] = str(plan.cash_due)
        body["currency"] = plan.currency
        body["payment_due_at"] = iso_local(plan.payment_due_at, rules.zone)
    if plan.payout_amount is not None:
        body["payout"] = {"amount": str(plan.payout_amount), "currency": plan.currency}
    return body


def _plan(
    cmd: Redeem,
    offer: Offer,
    now: datetime,
    rules: Rules,
    first_donation: bool | None,
    request: idempotency.Key | None,
) -> orders_repo.Plan:
    limits = mall.limits_of(offer, rules)
    points = mall.cost(offer, cmd.quantity)
    cash = mall.cash_due(offer, cmd.quantity)
    status = mall.first_status(offer.kind, cash)
    today = local_date(now, rules.zone)
    coupon = offer.kind == mall.COUPON
    pickup = offer.kind == mall.GIFT and (cmd.delivery or {}).get("method") == mall.PICKUP
    fields: dict[str, Any] = {
        "member_id": cmd.member_id,
        "order_id": mall.new_order_id(now),
        "offer": offer,
        "quantity": cmd.quantity,
        "points": points,
        "status": status,
        "at": now,
        "today": today,
        "day_ttl": int((now + timedelta(days=3)).timestamp()),
        "limits": limits,
        "currency": rules.currency,
        "response": {},
        "delivery": cmd.delivery if offer.kind == mall.GIFT else None,
        "pickup_code": mall.new_pickup_code() if pickup else None,
        "coupon_code": mall.new_coupon_code() if coupon else None,
        "coupon_expires_on": (
            mall.coupon_expires_on(today, offer.coupon_valid_days) if coupon else None
        ),
        "cash_due": cash,
        "payment_due_at": mall.payment_due(now, rules) if cash is not None else None,
        "payout_amount": (
            mall.cash_out_value(points, rules) if offer.kind == mall.CASH_OUT else None
        ),
        "first_donation": first_donation,
        "request": request,
    }
    plan = orders_repo.Plan(**fields)
    return orders_repo.Plan(**{**fields, "response": _redemption_response(plan, rules)})


def redeem(cmd: Redeem, now: datetime) -> tuple[int, dict[str, Any]]:
    """``POST /v1/redemptions``: one transaction debits, takes stock, counts the limits and
    records the order (and the Idempotency-Key's response). Returns (status, body)."""
    rules = programme.current()
    request = (
        idempotency.Key(
            cmd.member_id,
            cmd.idempotency_key,
            idempotency.fingerprint("POST", "/v1/redemptions", cmd.request),
        )
        if cmd.idempotency_key
        else None
    )
    first_donation: bool | None = None
    for _ in range(ATTEMPTS):
        item, fresh = catalog_repo.get_cached(cmd.item_id)
        try:
            if item is None:
                raise ItemNotFound(f"no catalog item {cmd.item_id!r}")
            offer = catalog_repo.offer_of(item)
            reason = mall.unavailable(offer, now, rules)
            if reason == "sold_out":
                raise SoldOut(f"{offer.name} is sold out", details={"item_id": offer.item_id})
            if reason is not None:
                raise NotAvailable(f"{offer.name} cannot be redeemed now")
            limits = mall.limits_of(offer, rules)
            if mall.over_limit(limits, cmd.quantity):
                raise LimitReached(
                    f"at most {limits.as_dict()} per member",
                    details={"limits": limits.as_dict()},
                )
        except (ItemNotFound, SoldOut, NotAvailable, LimitReached):
            if not fresh:  # never refuse on a cached copy: read the item again
                catalog_repo.forget(cmd.item_id)
                continue
            # A repeat of a request that succeeded gets its first response, whatever now.
            replay = idempotency.find(request, now) if request else None
            if replay is not None:
                return replay.status, replay.body
            raise
        problems = mall.request_problems(offer, cmd.quantity, cmd.delivery)
        if problems:
            raise Invalid(
                "invalid fields: " + ", ".join(sorted(problems)), details={"fields": problems}
            )
        if offer.kind == mall.DONATION and first_donation is None:
            first_donation = not orders_repo.has_redeemed(cmd.member_id, offer.item_id)
        plan = _plan(cmd, offer, now, rules, first_donation, request)
        try:
            replay = orders_repo.place(plan)
        except orders_repo.Stale as stale:
            if stale.first_donation is not None:
                first_donation = stale.first_donation
            else:
                catalog_repo.forget(cmd.item_id)
            continue
        except SoldOut:
            catalog_repo.forget(cmd.item_id)  # the next request reads the stock afresh
            raise
        if replay is not None:
            return replay.status, replay.body
        return 201, plan.response
    raise Contention("the item keeps changing; retry the request")


# Orders -----------------------------------------------------------------------------------


def order_view(order: OrderItem, now: datetime, rules: Rules, *, admin: bool = False) -> dict:
    view: dict[str, Any] = {
        "order_id": order.order_id,
        "status": order.status,
        "item_id": order.item_id,
        "item_name": order.item_name,
        "kind": order.kind,
        "quantity": int(order.quantity),
        "points": int(order.points),
        "placed_at": _local(order.placed_at, rules),
        "updated_at": _local(order.updated_at, rules),
    }
    delivery = as_plain(order.delivery)
    if delivery:
        view["delivery"] = delivery
    if order.carrier:
        view["carrier"] = order.carrier
        view["tracking_no"] = order.tracking_no
    if order.coupon_code:
        view["coupon"] = {
            "code": order.coupon_code,
            "expires_on": order.coupon_expires_on,
            "status": mall.coupon_status(
                order.coupon_used_at is not None,
                order.coupon_expires_on or "",
                local_date(now, rules.zone),
            ),
        }
    if order.pickup_code and not admin and order.status in mall.PICKUP_FROM:
        view["pickup_code"] = order.pickup_code
    if order.cash_due is not None:
        view["cash_due"] = order.cash_due
        view["currency"] = order.currency
        view["payment_due_at"] = _local(order.payment_due_at, rules)
        view["paid_at"] = _local(order.paid_at, rules)
    if order.payout_amount is not None:
        view["payout"] = {"amount": order.payout_amount, "currency": order.currency}
    if order.reason:
        view["reason"] = order.reason
    if admin:
        view["member_id"] = order.member_id
        if order.pickup_code:
            view["pickup_failures"] = int(order.pickup_failures or 0)
        if order.payment_ref:
            view["payment_ref"] = order.payment_ref
    return view


def my_orders(member_id: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    orders, next_cursor = orders_repo.member_page(member_id, limit, cursor)
    return {"items": [order_view(o, now, rules) for o in orders], "next_cursor": next_cursor}


def _my_order(member_id: str, order_id: str) -> OrderItem:
    order = orders_repo.get(member_id, order_id)
    if order is None:  # another member's order is not found either
        raise OrderNotFound(f"you have no order {order_id!r}")
    return order


def my_order(member_id: str, order_id: str, now: datetime) -> dict[str, Any]:
    return order_view(_my_order(member_id, order_id), now, programme.current())


def cancel_my_order(member_id: str, order_id: str, now: datetime) -> dict[str, Any]:
    """Member cancel (only while ``placed``, or unpaid): points, stock and limits return,
    once. Cancelling a cancelled order again answers the same, changing nothing."""
    rules = programme.current()
    for _ in range(ATTEMPTS):
        order = _my_order(member_id, order_id)
        if order.status == mall.CANCELLED:
            return order_view(order, now, rules)
        mall.check_transition(order.status, mall.CANCELLED, mall.MEMBER_CANCELS)
        if orders_repo.give_back(
            order, mall.CANCELLED, "cancelled by the member", now, local_date(now, rules.zone)
        ):
            return order_view(order, now, rules)
    raise Contention("the order keeps changing; retry the request")


def my_coupons(member_id: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    today = local_date(now, rules.zone)
    orders, next_cursor = orders_repo.member_page(member_id, limit, cursor, coupons=True)
    items = [
        {
            "code": o.coupon_code,
            "item_id": o.item_id,
            "item_name": o.item_name,
            "order_id": o.order_id,
            "status": mall.coupon_status(
                o.coupon_used_at is not None, o.coupon_expires_on or "", today
            ),
            "expires_on": o.coupon_expires_on,
            "used_at": _local(o.coupon_used_at, rules),
        }
        for o in orders
    ]
    return {"items": items, "next_cursor": next_cursor}


def consume_coupon(code: str, shop_order_id: str | None, now: datetime) -> dict[str, Any]:
    """The shop's systems use a coupon, once (repeating the same shop order answers 200)."""
    rules = programme.current()
    coupon = orders_repo.consume_coupon(code, shop_order_id, now, local_date(now, rules.zone))
    return {
        "code": coupon.code,
        "status": "used",
        "item_id": coupon.item_id,
        "member_id": coupon.member_id,
        "used_at": _local(coupon.used_at, rules),
        "order_id": coupon.used_by,
        "expires_on": coupon.expires_on,
    }


# Operators --------------------------------------------------------------------------------


def _order_by_id(order_id: str) -> OrderItem:
    order = orders_repo.find(order_id)
    if order is None:
        raise OrderNotFound(f"no order {order_id!r}")
    return order


def admin_orders(status: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    orders, next_cursor = orders_repo.status_page(status, limit, cursor)
    return {
        "items": [order_view(o, now, rules, admin=True) for o in orders],
        "next_cursor": next_cursor,
    }


class Move(Struct, frozen=True):
    """An operator's move of a mall order to another status."""

    order_id: str
    status: str
    carrier: str | None = None
    tracking_no: str | None = None
    reason: str | None = None


def move_order(cmd: Move, now: datetime) -> dict[str, Any]:
    """Operators: approve, ship, deliver or reject (points and stock back) an order.
    Asking for the status an order already has (with the same shipping data) changes
    nothing and answers 200."""
    rules = programme.current()
    for _ in range(ATTEMPTS):
        order = _order_by_id(cmd.order_id)
        method = (as_plain(order.delivery) or {}).get("method")
        if order.status == cmd.status and (
            cmd.status != mall.SHIPPED
            or (order.carrier, order.tracking_no) == (cmd.carrier, cmd.tracking_no)
        ):
            return order_view(order, now, rules, admin=True)
        mall.check_transition(order.status, cmd.status, mall.operator_sources(cmd.status, method))
        if cmd.status == mall.REJECTED:
            done = orders_repo.give_back(
                order,
                mall.REJECTED,
                cmd.reason or "rejected by an operator",
                now,
                local_date(now, rules.zone),
            )
        else:
            fields = {}
            if cmd.status == mall.SHIPPED:
                fields = {"carrier": cmd.carrier, "tracking_no": cmd.tracking_no}
            done = orders_repo.move(order, cmd.status, now, **fields)
        if done:
            return order_view(order, now, rules, admin=True)
    raise Contention("the order keeps changing; retry the request")


def confirm_pickup(order_id: str, code: str, now: datetime) -> dict[str, Any]:
    """Staff hand a pickup order over against its one-time code. Wrong codes are counted;
    after ``PICKUP_ATTEMPTS`` of them the order is locked for pickup (409 pickup_locked)."""
    rules = programme.current()
    for _ in range(ATTEMPTS):
        order = _order_by_id(order_id)
        matches = mall.pickup_code_matches(order.pickup_code, code)
        if order.status == mall.PICKED_UP and matches:
            return order_view(order, now, rules, admin=True)
        method = (as_plain(order.delivery) or {}).get("method")
        allowed = mall.PICKUP_FROM if method == mall.PICKUP else frozenset()
        mall.check_transition(order.status, mall.PICKED_UP, allowed)
        failures = int(order.pickup_failures or 0)
        if failures >= mall.PICKUP_ATTEMPTS:
            raise PickupLocked(
                f"{failures} wrong pickup codes: pickup is locked for this order",
                details={"attempts_left": 0},
            )
        if not matches:
            if orders_repo.count_pickup_failure(order, now):
                left = mall.PICKUP_ATTEMPTS - failures - 1
                raise WrongPickupCode(
                    "the pickup code does not match", details={"attempts_left": left}
                )
            continue
        if orders_repo.pick_up(order, code, now):
            return order_view(order, now, rules, admin=True)
    raise Contention("the order keeps changing; retry the request")


# The shop's systems: points + cash ---------------------------------------------------------


def confirm_payment(
    order_id: str, amount: Decimal, payment_ref: str, now: datetime
) -> dict[str, Any]:
    """The shop received the cash part: the order goes on. Repeating the same confirmation
    answers the same; a cancelled (unpaid, swept) order cannot be paid any more."""
    rules = programme.current()
    for _ in range(ATTEMPTS):
        order = _order_by_id(order_id)
        if order.cash_due is None:
            raise InvalidTransition("this order has no cash part", details={"status": order.status})
        if order.status != mall.AWAITING_PAYMENT:
            if order.paid_at and order.payment_ref == payment_ref:
                return order_view(order, now, rules, admin=True)
            raise InvalidTransition(
                f"the order is {order.status}, not awaiting payment",
                details={"status": order.status},
            )
        if amount != Decimal(order.cash_due):
            raise Invalid(
                f"the amount paid must be the cash due, {order.cash_due}",
                details={"fields": {"amount": f"must be {order.cash_due}"}},
            )
        if orders_repo.confirm_payment(order, payment_ref, now, local_date(now, rules.zone)):
            return order_view(order, now, rules, admin=True)
    raise Contention("the order keeps changing; retry the request")


def _forever() -> float:
    return math.inf


def sweep_unpaid_orders(now: datetime, time_left: Callable[[], float] = _forever) -> dict:
    """The ``unpaid-orders`` job: cancel points + cash orders still unpaid after
    ``unpaid_order_minutes``, returning points, stock and limits (once: conditional on the
    status). Its cost follows the unpaid orders due (the by_status index), nothing else."""
    rules = programme.current()
    cutoff = now - timedelta(minutes=rules.unpaid_order_minutes)
    today = local_date(now, rules.zone)
    found = cancelled = 0
    for hit in orders_repo.placed_before(mall.AWAITING_PAYMENT, cutoff):
        if time_left() < 5:
            break
        found += 1
        order = orders_repo.get(hit.member_id, hit.order_id)
        if order is None or order.status != mall.AWAITING_PAYMENT:
            continue  # paid or cancelled meanwhile (the index lags the table)
        if orders_repo.give_back(order, mall.CANCELLED, "unpaid", now, today):
            cancelled += 1
    return {"processed": found, "cancelled": cancelled}


def admin_item(item_id: str, now: datetime) -> dict[str, Any]:
    item = catalog_repo.get(item_id)
    if item is None:
        raise ItemNotFound(f"no catalog item {item_id!r}")
    return item_view(item, now, programme.current(), admin=True)
