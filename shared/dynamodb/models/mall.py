"""Mall: catalog items and their listing, orders, coupons, per-member limit counters, payouts."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByOrder, ByStatus


class CatalogItem(Item):
    """A mall item in its own partition (``ITEM#<id>`` / ``ITEM``): what it is, its stock and
    running counters. Redemptions update only ``stock``/``sold``/donation totals; operator
    changes to what a redemption reads (price, window, limits, retirement) bump ``ver``."""

    item_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # gift | coupon | donation | cash_out
    points = NumberAttribute()  # price per unit
    cash = UnicodeAttribute(null=True)  # decimal string: the cash part of points + cash
    stock = NumberAttribute(null=True)  # absent = unlimited
    starts_at = UnicodeAttribute(null=True)  # UTC ISO-8601
    ends_at = UnicodeAttribute(null=True)
    min_tier = UnicodeAttribute(null=True)
    limit_mode = UnicodeAttribute(default="default")  # default | custom | none
    limit_per_day = NumberAttribute(null=True)
    limit_total = NumberAttribute(null=True)
    limit_per_month = NumberAttribute(null=True)
    coupon_valid_days = NumberAttribute(null=True)
    description = UnicodeAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    retired = BooleanAttribute(default=False)
    ver = NumberAttribute(default=0)
    sold = NumberAttribute(default=0)  # units redeemed, net of cancellations (limited items)
    donated_points = NumberAttribute(null=True)  # donations: the public running total
    donors = NumberAttribute(null=True)  # donations: distinct members who gave
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Hot items: the stock lives in this many StockShard items (``stock`` absent here).
    stock_shards = NumberAttribute(null=True)
    # Items created since issue 23: a member's units ever of this item are counted on their
    # profile (``rt_<item id>``); older items keep a counter item (``LIMIT#ITEM#<id>``).
    total_on_profile = BooleanAttribute(null=True)


class StockShard(Item):
    """One share of a hot item's stock in its own partition (``ITEM#<id>#<kk>`` /
    ``STOCK``): a redemption takes from one shard; ``ver`` copies the item's, so the
    redemption's guard on the definition it read never touches the item's own partition."""

    item_id = UnicodeAttribute()
    stock = NumberAttribute(default=0)
    sold = NumberAttribute(default=0)  # units taken from this shard, net of cancellations
    ver = NumberAttribute(default=0)


class CatalogEntry(Item):
    """An item's line in the ``CATALOG`` listing partition (retired items have none)."""

    item_id = UnicodeAttribute()
    kind = UnicodeAttribute()


class OrderItem(Item):
    """A mall order in its member's partition (``MEMBER#<id>`` / ``ORDER#<order_id>``)."""

    order_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    item_name = UnicodeAttribute()
    kind = UnicodeAttribute()
    quantity = NumberAttribute()
    points = NumberAttribute()  # total points debited
    cash_due = UnicodeAttribute(null=True)  # decimal string (points + cash)
    currency = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    placed_at = UnicodeAttribute()  # UTC ISO-8601
    updated_at = UnicodeAttribute()
    delivery = MapAttribute(null=True)  # {"method", "name", "phone", "address"}
    carrier = UnicodeAttribute(null=True)
    tracking_no = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # why it was cancelled or rejected
    coupon_code = UnicodeAttribute(null=True)
    coupon_expires_on = UnicodeAttribute(null=True)
    coupon_used_at = UnicodeAttribute(null=True)
    pickup_code = UnicodeAttribute(null=True)
    pickup_failures = NumberAttribute(default=0)
    payment_due_at = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    payment_ref = UnicodeAttribute(null=True)
    payout_amount = UnicodeAttribute(null=True)  # cash-outs: decimal string
    # What a cancellation gives back besides the points.
    stocked = BooleanAttribute(default=False)  # one unit of stock per unit ordered
    stock_shard = NumberAttribute(null=True)  # hot items: the shard the units came from
    counted_total = BooleanAttribute(default=False)  # the per-item limit counter
    counted_day = UnicodeAttribute(null=True)  # the per-day counter's day (YYYY-MM-DD)
    # since issue 23 that counter is on the member's profile (rday_<kind>/rn_<kind>)
    day_on_profile = BooleanAttribute(default=False)
    total_on_profile = BooleanAttribute(default=False)  # that counter too (rt_<item id>)
    counted_month = UnicodeAttribute(null=True)  # the per-month counter's month (YYYY-MM)
    # Index keys: by id (GSI by_order), by status (GSI by_status).
    order_pk = UnicodeAttribute(null=True)
    st_pk = UnicodeAttribute(null=True)
    st_sk = UnicodeAttribute(null=True)

    by_order = ByOrder()
    by_status = ByStatus()


class CouponItem(Item):
    """A coupon code (``COUPON#<code>`` / ``COUPON``): unique, consumed once by the shop."""

    code = UnicodeAttribute()
    member_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    expires_on = UnicodeAttribute()  # last valid day (programme time zone)
    used_at = UnicodeAttribute(null=True)
    used_by = UnicodeAttribute(null=True)  # the shop's order that used it


class CounterItem(Item):
    """A per-member limit counter (units of an item ever; units of a kind on one day)."""

    n = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)


class PayoutItem(Item):
    """A cash-out for finance to pay (``PAYOUTS#<day>`` / ``PAYOUT#<order_id>``)."""

    order_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    points = NumberAttribute()
    amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    created_at = UnicodeAttribute()
