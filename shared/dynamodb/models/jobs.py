"""Jobs and the outbox: a scheduled run's checkpoint; items that announce an event once
committed."""

from __future__ import annotations

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)

from shared.dynamodb.models.base import Item


class JobRunItem(Item):
    """Progress of one run of a scheduled job: a checkpoint to resume from and counters."""

    job = UnicodeAttribute()
    run = UnicodeAttribute()
    next_shard = NumberAttribute(default=0)
    complete = UnicodeAttribute(default="no")
    stats = MapAttribute(default=dict)
    updated_at = UnicodeAttribute()
    # A fanned-out run (shared/jobs/fanout.py; absent on a sequential run's item): its round
    # (a rescan of a completed run is the next one), how many shards, the shards done.
    round_no = NumberAttribute(null=True)
    shards = NumberAttribute(null=True)
    done = NumberSetAttribute(null=True)
    completed_before = UnicodeAttribute(null=True)  # "yes": an earlier round was complete


class JobShardItem(Item):
    """One shard of a fanned-out run: where its task stopped (the index's sort key of the last
    member done), the shard's counters, and the lease of the task working it (epoch s) with
    that task's id (``holder``)."""

    round_no = NumberAttribute()
    cursor = UnicodeAttribute(null=True)
    stats = MapAttribute(default=dict)
    finished = UnicodeAttribute(default="no")
    lease_until = NumberAttribute(default=0)
    holder = UnicodeAttribute(null=True)
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
