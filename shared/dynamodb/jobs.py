"""Data access for the scheduled jobs' runs: one checkpoint item per job and run."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from shared.clock import utc_iso
from shared.dynamodb import keys
from shared.dynamodb.models.jobs import JobRunItem
from shared.dynamodb.values import row_at


class Checkpoint(Struct, frozen=True):
    """Where a run stands: the next partition to do, its counters, whether it is done."""

    next_partition: int = 0
    complete: bool = False
    stats: dict[str, int] = {}


def get_run(job: str, run: str) -> Checkpoint | None:
    item = row_at(JobRunItem, keys.job_pk(job), keys.job_run_sk(run))
    if item is None:
        return None
    stats = {k: int(v) for k, v in (item.stats.as_dict() or {}).items()}
    return Checkpoint(int(item.next_shard), item.complete == "yes", stats)


def save_run(job: str, run: str, checkpoint: Checkpoint, at: datetime) -> None:
    JobRunItem(
        pk=keys.job_pk(job),
        sk=keys.job_run_sk(run),
        job=job,
        run=run,
        next_shard=checkpoint.next_partition,
        complete="yes" if checkpoint.complete else "no",
        stats=dict(checkpoint.stats),
        updated_at=utc_iso(at),
    ).save()
