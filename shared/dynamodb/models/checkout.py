"""Checkout: points on hold for a shop order."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByExpiry, ByOrder


class HoldItem(Item):
    """Points on hold for a shop order (``HOLD#<hold_id>`` / ``HOLD``): two-phase checkout."""

    hold_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    order_pk = UnicodeAttribute(null=True)  # GSI by_order (refunds find it by order id)
    points = NumberAttribute()
    cash_value = UnicodeAttribute()  # decimal string
    order_amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute(default="CNY")
    status = UnicodeAttribute()  # active | captured | released | expired
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()  # UTC ISO-8601
    ended_at = UnicodeAttribute(null=True)
    exp_pk = UnicodeAttribute(null=True)  # GSI by_expiry while active (the sweep)
    exp_sk = UnicodeAttribute(null=True)
    refunded = UnicodeAttribute(null=True)  # decimal string, refunded share of the order
    returned = NumberAttribute(null=True)  # points given back by refunds
    refunds = MapAttribute(null=True)  # refund_id -> {"amount", "points"}

    by_expiry = ByExpiry()
    by_order = ByOrder()
