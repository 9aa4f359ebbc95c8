"""Data access for the scheduled jobs' runs: one checkpoint item per job and run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct
from pynamodb.exceptions import PutError, UpdateError

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.dynamodb import audit, keys
from shared.dynamodb.models.jobs import JobRunItem, JobShardItem
from shared.dynamodb.tx import Tx, updated
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


# Fanned-out runs (shared/jobs/fanout.py): the run's item is the completion record (its round,
# how many shards, the shards done); each shard has its own checkpoint item beside it.


class FanOut(Struct, frozen=True):
    """A run as its item says: ``round_no`` 0 for a sequential run's item (the layout before
    fan-out: its ``next_shard`` partitions were done, ``first``), else the fan-out's round."""

    round_no: int
    shards: int
    first: int = 0
    done: frozenset[int] = frozenset()
    complete: bool = False
    stats: dict[str, int] = {}
    completed_before: bool = False  # a round before this one was complete (a rescan)

    @property
    def pending(self) -> list[int]:
        """The shards of this round still to do."""
        return [s for s in range(self.first, self.shards) if s not in self.done]


class ShardState(Struct, frozen=True):
    """Where a shard's task stands: after the index sort key ``cursor``, with its counters."""

    cursor: str | None = None
    stats: dict[str, int] = {}
    finished: bool = False


def _ints(values: Any) -> dict[str, int]:
    return {k: int(v) for k, v in (values.as_dict() if values is not None else {}).items()}


def _fan_out(item: JobRunItem) -> FanOut:
    complete, stats = item.complete == "yes", _ints(item.stats)
    if item.round_no is None:  # a sequential run's checkpoint
        return FanOut(0, 0, int(item.next_shard or 0), complete=complete, stats=stats)
    done = frozenset(int(s) for s in item.done or ())
    before = item.completed_before == "yes"
    first = int(item.next_shard)
    return FanOut(int(item.round_no), int(item.shards), first, done, complete, stats, before)


def fan_out_state(job: str, run: str) -> FanOut | None:
    item = row_at(JobRunItem, keys.job_pk(job), keys.job_run_sk(run))
    return None if item is None else _fan_out(item)


def _conditional(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def start_round(job: str, run: str, seen: FanOut | None, fresh: FanOut, at: datetime) -> bool:
    """Write ``fresh`` (a new round: no shard done) as the run's item unless the run changed
    since it was read as ``seen`` (another coordinator started the round): False then."""
    if seen is None:
        condition = JobRunItem.pk.does_not_exist()
    elif seen.round_no == 0:
        condition = JobRunItem.round_no.does_not_exist()
    else:
        condition = JobRunItem.round_no == seen.round_no
    row = _row(job, run, Checkpoint(fresh.first, False, dict(fresh.stats)), at)
    row.round_no, row.shards = fresh.round_no, fresh.shards
    row.completed_before = "yes" if fresh.completed_before else None
    try:
        row.save(condition=condition)
    except PutError as exc:
        if _conditional(exc):
            return False
        raise
    return True


def shard_done(job: str, run: str, round_no: int, shard: int, at: datetime) -> FanOut | None:
    """Count ``shard`` done in the run's round, once: the run as it stands then, or None when
    it was counted already (a duplicate task) or the run moved on to another round."""
    item = JobRunItem(keys.job_pk(job), keys.job_run_sk(run))
    try:
        item.update(
            actions=[JobRunItem.done.add({shard}), JobRunItem.updated_at.set(utc_iso(at))],
            condition=(JobRunItem.round_no == round_no) & ~JobRunItem.done.contains(shard),
        )
    except UpdateError as exc:
        if _conditional(exc):
            return None
        raise
    return _fan_out(item)


def complete_fan_out(
    job: str, run: str, round_no: int, stats: dict[str, int], at: datetime
) -> bool:
    """Mark the round complete with its counters, once (False: it was already)."""
    item = JobRunItem(keys.job_pk(job), keys.job_run_sk(run))
    try:
        item.update(
            actions=[
                JobRunItem.complete.set("yes"),
                JobRunItem.stats.set(dict(stats)),
                JobRunItem.updated_at.set(utc_iso(at)),
            ],
            condition=(JobRunItem.round_no == round_no) & (JobRunItem.complete != "yes"),
        )
    except UpdateError as exc:
        if _conditional(exc):
            return False
        raise
    return True


def shard_states(job: str, run: str, round_no: int) -> dict[int, ShardState]:
    """The round's shard checkpoints by shard (one Query of the run's partition)."""
    prefix = keys.job_shards_prefix(run)
    return {
        int(item.sk.removeprefix(prefix)): _shard(item)
        for item in JobShardItem.query(
            keys.job_pk(job), JobShardItem.sk.startswith(prefix), consistent_read=True
        )
        if int(item.round_no) == round_no
    }


def _shard(item: JobShardItem) -> ShardState:
    return ShardState(item.cursor, _ints(item.stats), item.finished == "yes")


def take_shard(
    job: str,
    run: str,
    round_no: int,
    shard: int,
    lease_until: float,
    now: float,
    at: datetime,
    holder: str,
) -> ShardState | None:
    """Lease the shard to the task ``holder`` until ``lease_until`` (epoch seconds) and answer
    where it stands; None when another task holds an unexpired lease on it in this round (or
    a later round exists). A shard first taken in a round starts from scratch. The same
    holder taking it again gets it (the SDK's retry of a write whose answer was lost meets
    the lease that write took)."""
    item = JobShardItem(keys.job_pk(job), keys.job_shard_sk(run, shard))
    lease = [
        JobShardItem.lease_until.set(lease_until),
        JobShardItem.holder.set(holder),
        JobShardItem.updated_at.set(utc_iso(at)),
    ]
    fresh = [
        JobShardItem.round_no.set(round_no),
        JobShardItem.cursor.remove(),
        JobShardItem.stats.set({}),
        JobShardItem.finished.set("no"),
    ]
    try:  # first taken in this round (the usual case: one call)
        item.update(
            actions=lease + fresh,
            condition=JobShardItem.pk.does_not_exist() | (JobShardItem.round_no < round_no),
        )
        return ShardState()
    except UpdateError as exc:
        if not _conditional(exc):
            raise
    try:  # taken before in this round: resume unless another task holds it
        item.update(
            actions=lease,
            condition=(JobShardItem.round_no == round_no)
            & ((JobShardItem.lease_until < now) | (JobShardItem.holder == holder)),
        )
    except UpdateError as exc:
        if _conditional(exc):
            return None
        raise
    return _shard(item)


def save_shard(
    job: str,
    run: str,
    round_no: int,
    shard: int,
    state: ShardState,
    lease_until: float,
    at: datetime,
) -> bool:
    """Checkpoint the shard the caller holds (``lease_until`` 0 lets it go); False, nothing
    written, when a later round of the run has taken the shard (the caller's round was
    completed without it: see ``shared.jobs.fanout``)."""
    item = JobShardItem(keys.job_pk(job), keys.job_shard_sk(run, shard))
    cursor = state.cursor
    return updated(
        item,
        [
            JobShardItem.cursor.set(cursor) if cursor is not None else JobShardItem.cursor.remove(),
            JobShardItem.stats.set(dict(state.stats)),
            JobShardItem.finished.set("yes" if state.finished else "no"),
            JobShardItem.lease_until.set(lease_until),
            JobShardItem.updated_at.set(utc_iso(at)),
        ],
        JobShardItem.round_no == round_no,
    )
