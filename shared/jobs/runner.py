"""How every scheduled job runs: within a time budget, partition by partition, resumable.

A job gets ``time_left`` (seconds before Lambda stops the invocation; the caller reads it
from the Lambda context) and works within a :class:`Budget`: the time left minus a safety
margin that scales with the function's timeout, kept for the step in progress and the
checkpoint. Jobs that visit members index partition by index partition (expiry, its
reminders, the tier evaluation, birthdays) describe themselves as :class:`Partitions` and
run fanned out (:func:`fan_out`, ``shared.jobs.fanout``: one task per partition, each
checkpointed and resumed where it stopped, in parallel workers on AWS); the rebate
settlement through :func:`run_partitions`, which checkpoints after each partition with work
and resumes a run stopped for time at the partition it was in. The sweeps keep their own
loop and get a ``time_left`` that follows the budget (:func:`within_budget`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol

from shared.dynamodb import jobs as checkpoints
from shared.dynamodb.jobs import Checkpoint
from shared.observability import logger

if TYPE_CHECKING:
    from shared.jobs.fanout import Dispatcher

TimeLeft = Callable[[], float]
Job = Callable[[datetime, TimeLeft], dict[str, Any]]

MARGIN_SHARE = 0.1  # of the time the invocation had when the job started (about its timeout)
MARGIN_FLOOR = 2.0  # seconds: the slowest step (a member's transactions) and the checkpoint
# What a job run inside an HTTP request may use: API Gateway's HTTP API answers 503 at 30 s
# whatever the function's timeout, so the run and its answer end well before that.
HTTP_BUDGET_S = 25.0


def forever() -> float:
    """No deadline (tests, local runs, scripts)."""
    return math.inf


def margin_for(seconds: float) -> float:
    """The time kept in reserve by a job that starts with ``seconds`` left: a tenth of it,
    at least :data:`MARGIN_FLOOR` (10 s -> 2 s, 60 s -> 6 s, 900 s -> 90 s)."""
    if math.isinf(seconds):
        return MARGIN_FLOOR
    return max(MARGIN_FLOOR, MARGIN_SHARE * seconds)


def bounded(time_left: TimeLeft, seconds: float) -> TimeLeft:
    """``time_left`` capped at what is left of ``seconds`` from now (an HTTP request's budget
    inside an invocation that may last longer)."""
    end = time.monotonic() + seconds
    return lambda: min(time_left(), end - time.monotonic())


class Budget:
    """How long a job may keep starting work in this invocation. The first reading of
    ``time_left`` (when the job starts, so about the function's timeout) sets the margin."""

    def __init__(self, time_left: TimeLeft = forever) -> None:
        self._time_left = time_left
        self.margin = margin_for(time_left())

    def spent(self) -> bool:
        return self._time_left() < self.margin

    def gate(self) -> float:
        """A ``time_left`` for a loop with its own fixed stop threshold: unbounded while the
        budget lasts, 0 once it is spent, so the budget decides when the loop stops."""
        return 0.0 if self.spent() else math.inf


def within_budget(loop: Job) -> Job:
    """``loop`` (a sweep that stops when its ``time_left()`` drops under a fixed number of
    seconds) run within the budget instead: it stops when the budget is spent."""

    @wraps(loop)
    def job(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
        return loop(now, Budget(time_left).gate)

    return job


class Store(Protocol):
    """Where runs keep their checkpoints (``shared.dynamodb.jobs``)."""

    def get_run(self, job: str, run: str) -> Checkpoint | None: ...

    def save_run(self, job: str, run: str, checkpoint: Checkpoint, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Partitions:
    """A job that visits members partition by partition.

    ``members(*partition)`` lists a partition's members (an index partition: a shard, a
    tier and shard, a day and shard); for :func:`fan_out`, ``members(*partition,
    after=position)`` lists them with their position (the index's sort key), from past
    ``position`` on (None: from the start), so a shard resumes where it stopped;
    ``step(member_id)`` does one member's work and returns
    what to add to the counters; ``processed`` names the counter answered as
    ``processed``. One run per ``run`` key (a day, a month): a completed run answers at once,
    or, ``once`` False, starts over (a member contended or not yet in the lagging index is
    picked up by the next scheduled retry; each step is idempotent).
    """

    job: str
    run: str
    partitions: Sequence[tuple[Any, ...]]
    members: Callable[..., Iterable[Any]]  # ids (run_partitions), (id, position) (fan_out)
    step: Callable[[str], Mapping[str, int]]
    counters: tuple[str, ...]
    processed: str = "processed"
    once: bool = True


def run_partitions(
    work: Partitions,
    now: datetime,
    time_left: TimeLeft = forever,
    store: Store = checkpoints,
) -> dict[str, Any]:
    """Run ``work.step`` for every member of every partition from the run's checkpoint on,
    adding up the counters. Checkpoints after each partition with work; when the budget is
    spent, checkpoints the partition in progress (its members are visited again on resume:
    each step is idempotent) and answers ``complete: False``."""
    budget = Budget(time_left)
    previous = store.get_run(work.job, work.run)
    if previous is not None and previous.complete:
        if work.once:
            return answer(work, True, {}, already_complete=True)
        previous = None
    first = previous.next_partition if previous is not None else 0
    stats = {key: 0 for key in work.counters} | (previous.stats if previous is not None else {})
    for position in range(first, len(work.partitions)):
        visited = 0
        for member_id in work.members(*work.partitions[position]):
            if budget.spent():
                store.save_run(work.job, work.run, Checkpoint(position, False, stats), now)
                logger.info("job paused", extra={"job": work.job, "run": work.run, **stats})
                return answer(work, False, stats)
            for key, n in work.step(member_id).items():
                stats[key] = stats.get(key, 0) + n
            visited += 1
        if visited and position + 1 < len(work.partitions):  # with work, and not the last
            store.save_run(work.job, work.run, Checkpoint(position + 1, False, stats), now)
    store.save_run(work.job, work.run, Checkpoint(len(work.partitions), True, stats), now)
    logger.info("job done", extra={"job": work.job, "run": work.run, **stats})
    return answer(work, True, stats)


def answer(work: Partitions, complete: bool, stats: dict[str, int], **extra: Any) -> dict:
    """A partitioned run's answer: the run, ``complete``, ``processed`` and every counter
    (0 when none was counted), then ``extra`` (shared by the sequential and fanned-out runs)."""
    counters = {key: 0 for key in work.counters} | stats
    return {
        "job": work.job,
        "run": work.run,
        "complete": complete,
        "processed": counters.get(work.processed, 0),
        **counters,
        **extra,
    }


def fan_out(
    work: Partitions,
    now: datetime,
    time_left: TimeLeft = forever,
    dispatcher: Dispatcher | None = None,
) -> dict[str, Any]:
    """Run ``work`` fanned out, one task per partition (``shared.jobs.fanout``): on AWS the
    partitions' tasks go to the ``job-shards`` queue and parallel workers; elsewhere (or with
    ``dispatcher`` ``fanout.Inline``) they run here, in order, within ``time_left``, each
    resuming from its own checkpoint. Answers the run's counters, ``complete`` and, when
    workers go on after the answer, ``queued``."""
    from shared.jobs import fanout

    return fanout.coordinate(work, now, time_left, dispatcher)
