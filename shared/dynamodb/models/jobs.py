"""Jobs and the outbox: a scheduled run's checkpoint; items that announce an event once
committed."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class JobRunItem(Item):
    """Progress of one run of a scheduled job: a checkpoint to resume from and counters."""

    job = UnicodeAttribute()
    run = UnicodeAttribute()
    next_shard = NumberAttribute(default=0)
    complete = UnicodeAttribute(default="no")
    stats = MapAttribute(default=dict)
    updated_at = UnicodeAttribute()


class OutboxItem(Item):
    """An item whose only job is to announce an event once its transaction commits
    (reminder markers, ...). ``ttl`` lets DynamoDB delete it later."""

    evt_id = UnicodeAttribute()
    evt_type = UnicodeAttribute()
    evt_detail = UnicodeAttribute()
    member_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    ttl = NumberAttribute(null=True)
