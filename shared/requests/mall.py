"""Requests of the points mall: redemptions (members) and the catalog and order queue
(operators)."""

from __future__ import annotations

from shared.delivery import DELIVERY
from shared.domain.mall import (
    APPROVED,
    DELIVERED,
    KINDS,
    MAX_POINTS,
    MAX_QUANTITY,
    MAX_STOCK_SHARDS,
    PLACED,
    REJECTED,
    SHIPPED,
    STATUSES,
)
from shared.domain.rules import TIER_NAMES
from shared.requests import Body
from shared.validation import Boolean, Choice, Id, Integer, Money, Nested, Text, Timestamp

MAX_STOCK = 100_000_000

REDEEM = Body(
    {
        "item_id": Id(),
        "quantity": Integer(required=False, default=1, minimum=1, maximum=MAX_QUANTITY),
        "delivery": Nested(DELIVERY, required=False),
    }
)
LIMITS = Body(
    {
        "per_day": Integer(required=False, minimum=1, maximum=MAX_STOCK),
        "per_month": Integer(required=False, minimum=1, maximum=MAX_STOCK),
        "total": Integer(required=False, minimum=1, maximum=MAX_STOCK),
    }
)
PUT_ITEM = Body(
    {
        "name": Text(max_length=200),
        "kind": Choice(KINDS),
        "points": Integer(minimum=1, maximum=MAX_POINTS),
        "cash": Money(required=False),
        "stock": Integer(required=False, minimum=0, maximum=MAX_STOCK),
        "starts_at": Timestamp(required=False),
        "ends_at": Timestamp(required=False),
        "min_tier": Choice(TIER_NAMES, required=False, component="Tier"),
        # absent: the programme's default limits; null: none; an object: these
        "per_member_limit": Nested(LIMITS, required=False),
        "coupon_valid_days": Integer(required=False, minimum=1, maximum=3650),
        # a hot item: its stock spread over this many shards (≈ expected peak / 400 per s)
        "stock_shards": Integer(required=False, minimum=1, maximum=MAX_STOCK_SHARDS),
        "description": Text(required=False, max_length=2000, multiline=True),
        "image_url": Text(
            required=False,
            max_length=1000,
            starts=("https://", "http://", "/"),
            starts_problem="must be an http(s) URL or a path",
        ),
    }
)
# Only the fields given change (absent: unchanged; null cash/starts_at/ends_at: none).
PATCH_ITEM = Body(
    {
        "stock_delta": Integer(
            required=False, minimum=-MAX_STOCK, maximum=MAX_STOCK, zero="must not be zero"
        ),
        "points": Integer(minimum=1, maximum=MAX_POINTS),
        "cash": Money(required=False),
        "starts_at": Timestamp(required=False),
        "ends_at": Timestamp(required=False),
        "retired": Boolean(required=False),
    },
    unknown="cannot be changed with PATCH (use PUT)",
    partial=True,
)
ORDER_QUEUE = Body({"status": Choice(STATUSES, required=False, default=PLACED)})  # the query
MOVE_ORDER = Body(
    {
        "status": Choice((APPROVED, SHIPPED, DELIVERED, REJECTED)),
        "carrier": Text(required=False, required_when=("status", SHIPPED), max_length=100),
        "tracking_no": Text(required=False, required_when=("status", SHIPPED), max_length=100),
        "reason": Text(required=False, max_length=500),
    }
)
CONFIRM_PICKUP = Body({"pickup_code": Text(max_length=32)})
