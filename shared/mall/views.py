"""The mall's JSON views (the HTTP contract), rendered from domain values: catalog items, orders,
coupons and the redemption's 201 body. Times show in the programme's time zone."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.domain import mall
from shared.domain.calendar import iso_local, local_date
from shared.domain.mall import Coupon, Listing, Order
from shared.domain.rules import Rules
from shared.dynamodb.redemptions import Plan


def local(at: datetime | None, rules: Rules) -> str | None:
    return iso_local(at, rules.zone) if at is not None else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _money(amount: Decimal | None) -> str | None:
    return str(amount) if amount is not None else None


def item_view(
    item: Listing,
    now: datetime,
    rules: Rules,
    member_tier: str | None = None,
    *,
    admin: bool = False,
) -> dict[str, Any]:
    """An item as ``GET /v1/catalog`` shows it (``available`` for this member's tier)."""
    reason = mall.unavailable(item, now, rules, member_tier)
    view: dict[str, Any] = {
        "item_id": item.item_id,
        "name": item.name,
        "kind": item.kind,
        "points": item.points,
        "cash": _money(item.cash),
        "currency": rules.currency,
        "stock": item.stock,
        "available": reason is None,
        "unavailable_reason": reason,
        "starts_at": local(item.starts_at, rules),
        "ends_at": local(item.ends_at, rules),
        "min_tier": item.min_tier,
        "per_member_limit": mall.limits_of(item, rules).as_dict(),
        "image_url": item.image_url,
        "description": item.description,
        "retired": item.retired,
    }
    if item.kind == mall.COUPON:
        view["coupon_valid_days"] = (
            item.coupon_valid_days
            if item.coupon_valid_days is not None
            else mall.DEFAULT_COUPON_VALID_DAYS
        )
    if item.kind == mall.DONATION:
        view["donated_points"] = item.donated_points or 0
        view["donors"] = item.donors or 0
    if item.kind == mall.CASH_OUT:
        view["cash_value"] = str(mall.cash_out_value(item.points, rules))
        view["cash_out_starts_at"] = rules.cash_out_starts_at
        view["cash_out_ends_at"] = rules.cash_out_ends_at
    if admin:
        view.update(
            ver=item.ver,
            sold=item.sold,
            stock_shards=item.stock_shards,
            limit_mode=item.limit_mode,
            created_at=local(item.created_at, rules),
            updated_at=local(item.updated_at, rules),
        )
    return view


def redemption_view(plan: Plan, rules: Rules) -> dict[str, Any]:
    """The 201 body of ``POST /v1/redemptions`` (also kept for Idempotency-Key replays)."""
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


def _coupon_status(used_at: datetime | None, expires_on: date | None, today: date) -> str:
    return mall.coupon_status(used_at is not None, _day(expires_on) or "", today)


def order_view(order: Order, now: datetime, rules: Rules, *, admin: bool = False) -> dict:
    view: dict[str, Any] = {
        "order_id": order.order_id,
        "status": order.status,
        "item_id": order.item_id,
        "item_name": order.item_name,
        "kind": order.kind,
        "quantity": order.quantity,
        "points": order.points,
        "placed_at": local(order.placed_at, rules),
        "updated_at": local(order.updated_at, rules),
    }
    if order.delivery:
        view["delivery"] = order.delivery
    if order.carrier:
        view["carrier"] = order.carrier
        view["tracking_no"] = order.tracking_no
    if order.coupon_code:
        today = local_date(now, rules.zone)
        view["coupon"] = {
            "code": order.coupon_code,
            "expires_on": _day(order.coupon_expires_on),
            "status": _coupon_status(order.coupon_used_at, order.coupon_expires_on, today),
        }
    if order.pickup_code and not admin and order.status in mall.PICKUP_FROM:
        view["pickup_code"] = order.pickup_code
    if order.cash_due is not None:
        view["cash_due"] = str(order.cash_due)
        view["currency"] = order.currency
        view["payment_due_at"] = local(order.payment_due_at, rules)
        view["paid_at"] = local(order.paid_at, rules)
    if order.payout_amount is not None:
        view["payout"] = {"amount": str(order.payout_amount), "currency": order.currency}
    if order.reason:
        view["reason"] = order.reason
    if admin:
        view["member_id"] = order.member_id
        if order.pickup_code:
            view["pickup_failures"] = order.pickup_failures
        if order.payment_ref:
            view["payment_ref"] = order.payment_ref
    return view


def my_coupon_view(order: Order, today: date, rules: Rules) -> dict[str, Any]:
    """A coupon as ``GET /v1/me/coupons`` lists it, from the order that issued it."""
    return {
        "code": order.coupon_code,
        "item_id": order.item_id,
        "item_name": order.item_name,
        "order_id": order.order_id,
        "status": _coupon_status(order.coupon_used_at, order.coupon_expires_on, today),
        "expires_on": _day(order.coupon_expires_on),
        "used_at": local(order.coupon_used_at, rules),
    }


def used_coupon_view(coupon: Coupon, rules: Rules) -> dict[str, Any]:
    """The shop's answer once a coupon is used."""
    return {
        "code": coupon.code,
        "status": "used",
        "item_id": coupon.item_id,
        "member_id": coupon.member_id,
        "used_at": local(coupon.used_at, rules),
        "order_id": coupon.used_by,
        "expires_on": coupon.expires_on.isoformat(),
    }
