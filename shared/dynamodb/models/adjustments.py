"""Adjustments awaiting a second operator (``ADJUSTMENT#<adjustment_id>`` / ``ADJUSTMENT``)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item
from shared.dynamodb.models.indexes import ByStatus


class AdjustmentItem(Item):
    """An operator adjustment above the approval threshold, and its decision.

    ``by_status`` (st_pk ``ADJUSTMENTS#<status>``, st_sk ``<time>#<adjustment_id>``) lists
    them: pending ones by when they were asked for, decided ones by when they were decided."""

    adjustment_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    points = NumberAttribute()
    reason = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()  # UTC ISO-8601
    status = UnicodeAttribute()
    allow_debt = BooleanAttribute(default=False)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    st_pk = UnicodeAttribute()
    st_sk = UnicodeAttribute()

    by_status = ByStatus()
