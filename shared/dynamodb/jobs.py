"""Data access for the scheduled jobs' runs: one checkpoint item per job and run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct
from pynamodb.exceptions import PutError

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.dynamodb import audit, keys
from shared.dynamodb.models.jobs import JobRunItem
from shared.dynamodb.tx import Tx
from shared.dynamodb.tx import run as run_tx
from shared.dynamodb.values import row_at

RUN = "run"


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


def _row(job: str, run: str, checkpoint: Checkpoint, at: datetime) -> JobRunItem:
    return JobRunItem(
        pk=keys.job_pk(job),
        sk=keys.job_run_sk(run),
        job=job,
        run=run,
        next_shard=checkpoint.next_partition,
        complete="yes" if checkpoint.complete else "no",
        stats=dict(checkpoint.stats),
        updated_at=utc_iso(at),
    )


def save_run(job: str, run: str, checkpoint: Checkpoint, at: datetime) -> None:
    _row(job, run, checkpoint, at).save()


def _not_complete() -> Any:
    return JobRunItem.pk.does_not_exist() | (JobRunItem.complete != "yes")


def advance_run(job: str, run: str, checkpoint: Checkpoint, at: datetime) -> bool:
    """Save a checkpoint of a run in progress unless the run is complete already (another
    request finished it meanwhile): False then, and nothing written. An unconditional save
    would mark a completed run unfinished again, and the next completion be logged twice."""
    try:
        _row(job, run, checkpoint, at).save(condition=_not_complete())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def complete_run(
    job: str, run: str, checkpoint: Checkpoint, at: datetime, change: AuditEntry
) -> bool:
    """Save the checkpoint that completes a run with the audit entry ``change``, in one
    transaction, unless the run is complete already: False then, and nothing written (so one
    entry marks a run's completion, whoever completes it)."""
    tx = Tx().put(RUN, _row(job, run, checkpoint, at), _not_complete())
    audit.add(tx, change)
    return run_tx(tx.committed)
