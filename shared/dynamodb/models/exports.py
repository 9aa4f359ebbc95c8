"""Export jobs (``EXPORT#<id>`` / ``EXPORT``): what an operator asked for and how it went."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class ExportItem(Item):
    """One export: its request (kind, window, campaign), status, rows written so far and the
    file's key once complete. ``ttl`` removes it a while after its file is gone."""

    export_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # ledger | orders | members | statements
    status = UnicodeAttribute()  # queued | running | complete | failed
    start = UnicodeAttribute(null=True)  # window, UTC ISO-8601, [start, end)
    end = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)  # statements
    rows = NumberAttribute(default=0)
    file_key = UnicodeAttribute(null=True)  # exports/<id>.csv, once complete
    error = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    ttl = NumberAttribute(null=True)
