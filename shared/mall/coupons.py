"""Coupons of the mall: a member's coupons, and the shop's systems using one, once
(repeating the same shop order answers the same)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import programme
from shared.domain.calendar import local_date
from shared.dynamodb import coupons as coupons_repo
from shared.dynamodb import orders as orders_repo
from shared.mall.views import my_coupon_view, used_coupon_view


def my_coupons(member_id: str, limit: int, cursor: str | None, now: datetime) -> dict[str, Any]:
    rules = programme.current()
    today = local_date(now, rules.zone)
    orders, next_cursor = orders_repo.member_page(member_id, limit, cursor, coupons=True)
    return {
        "items": [my_coupon_view(o, today, rules) for o in orders],
        "next_cursor": next_cursor,
    }


def consume_coupon(code: str, shop_order_id: str | None, now: datetime) -> dict[str, Any]:
    """The shop's systems use a coupon, once (repeating the same shop order answers 200)."""
    rules = programme.current()
    coupon = coupons_repo.consume(code, shop_order_id, now, local_date(now, rules.zone))
    return used_coupon_view(coupon, rules)
