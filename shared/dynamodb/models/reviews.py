"""The review queue (``REVIEW#<review_id>`` / ``REVIEW``): credits waiting for an operator."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByStatus


class ReviewItem(Item):
    """A purchase held back by a risk rule, and its decision.

    ``by_status`` (st_pk ``REVIEWS#<status>``, st_sk ``<time>#<review_id>``) lists the queue:
    pending ones by when they arrived, decided ones by when they were decided."""

    review_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # "purchase"
    member_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    points = NumberAttribute()
    amount = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute()
    flags = ListAttribute(of=UnicodeAttribute)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()  # UTC ISO-8601
    breakdown = ListAttribute(of=MapAttribute, null=True)
    channel = UnicodeAttribute(null=True)
    occurred_at = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    st_pk = UnicodeAttribute()
    st_sk = UnicodeAttribute()

    by_status = ByStatus()
