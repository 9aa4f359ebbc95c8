"""pynamodb models of the items in the points table (see docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex
from pynamodb.models import Model

from shared.dynamodb.connection import table


class Item(Model):
    """Base of every item: the table name and connection come from settings at first use."""

    class Meta:
        table_name = "points"  # placeholder; the real name comes from shared.settings

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return table()


class MemberItem(Item):
    """The member aggregate root: balance and the counters every write keeps in step."""

    member_id = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    balance = NumberAttribute(default=0)  # may go negative only through clawbacks
    held = NumberAttribute(default=0)  # points on hold at the shop's checkout
    spendable = NumberAttribute(default=0)  # balance − held, kept in step (conditions need it)
    credited = NumberAttribute(default=0)  # points of every lot ever created
    consumed = NumberAttribute(default=0)  # points spent, clawed back or expired (FIFO)
    settled = NumberAttribute(default=0)  # points of lots the expiry job has closed
    ver = NumberAttribute(default=0)  # +1 on every ledger write: consistent ledger reads
    tier = UnicodeAttribute(default="bronze")
    qualifying = MapAttribute(default=dict)  # "YYYY-MM" -> qualifying points earned
    registered_at = UnicodeAttribute()
    joined_at = UnicodeAttribute(null=True)
    birthday = UnicodeAttribute(null=True)  # "MM-DD"
    referred_by_code = UnicodeAttribute(null=True)


class LedgerByTime(LocalSecondaryIndex):
    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    lsi1sk = UnicodeAttribute(range_key=True)


class LedgerByOrder(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_order"
        projection = AllProjection()

    order_pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class LedgerItem(Item):
    """One balance change. Its key is the business key, so a retry cannot apply twice."""

    lsi1sk = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    type = UnicodeAttribute()
    source = UnicodeAttribute()
    ref = UnicodeAttribute()
    points = NumberAttribute()
    at = UnicodeAttribute()  # UTC ISO-8601
    description = UnicodeAttribute(default="")
    expires_on = UnicodeAttribute(null=True)  # credits: the lot's last valid day
    # Purchases (looked up by order id for refunds).
    order_pk = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)  # decimal string
    currency = UnicodeAttribute(null=True)
    breakdown = ListAttribute(of=MapAttribute, null=True)
    refunded = UnicodeAttribute(null=True)  # decimal string, total refunded so far
    clawed_back = NumberAttribute(null=True)
    refunds = MapAttribute(null=True)  # refund_id -> {"amount", "points"}
    # Clawbacks: which refund/order they answer.
    order_id = UnicodeAttribute(null=True)

    by_time = LedgerByTime()
    by_order = LedgerByOrder()


class LotItem(Item):
    """Points earned together that expire together."""

    member_id = UnicodeAttribute()
    points = NumberAttribute()
    expires_on = UnicodeAttribute()  # YYYY-MM-DD, last valid day
    source = UnicodeAttribute()
    ref = UnicodeAttribute()
    earned_at = UnicodeAttribute()
    exp_pk = UnicodeAttribute(null=True)  # GSI by_expiry (removed once settled)
    exp_sk = UnicodeAttribute(null=True)


def as_plain(value: Any) -> Any:
    """MapAttribute/ListAttribute values as plain dicts and lists."""
    if isinstance(value, MapAttribute):
        return {k: as_plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    return value
