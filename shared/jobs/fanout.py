"""Partitioned jobs fanned out: one task per shard, run by parallel workers.

A scheduled invocation (or an operator's run) is the run's *coordinator*
(:func:`coordinate`): it starts the run's round on the run's item (``JOB#<job>`` /
``RUN#<run>``, the completion record) and hands one :class:`Task` per shard not yet done to
a :class:`Dispatcher`. A task (:func:`run_shard`) leases its shard (``RUN#<run>#SHARD#<n>``:
a second task of the same shard, from a retried schedule, finds it leased and stops), works
the shard's members from its checkpoint (the index sort key of the last member done, saved
every :data:`CHECKPOINT_EVERY` members and when its time runs out), and when the shard is
done adds it to the run's done shards (once: a conditional set ADD); the task that completes
the set marks the run complete with the summed counters. A later try of a complete run
answers at once (or, for a job that scans again, starts the next round), as before fan-out.

Dispatchers:

- :class:`SqsDispatch` on AWS (``JOB_SHARDS_QUEUE_URL`` set, the ``job-shards`` queue of
  infra/catalog.py): the coordinator sends the tasks and answers ``queued``; the ``jobs``
  function consumes the queue one task per invocation, at most ``max_concurrency`` at once,
  and a task that ran out of time sends itself again to go on from its checkpoint.
- :class:`Inline` in local mode, tests and scripts: the tasks run in order in the caller,
  within its time budget; a task stopped for time is resumed by the run's next try.
- :class:`Pool` (bench/expire_scaling.py): ``workers`` threads of this process.

Every step of a job is idempotent (conditional), so a shard worked twice (a lease outlived by
a crashed task, a redelivered message) changes nothing twice.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any, Protocol

import msgspec

from shared.dynamodb import jobs as store
from shared.dynamodb.jobs import FanOut, ShardState
from shared.jobs.runner import Budget, Partitions, TimeLeft, answer, forever
from shared.observability import logger

QUEUE = "job-shards"  # infra/catalog.py: the jobs function consumes it
ENV_QUEUE_URL = "JOB_SHARDS_QUEUE_URL"  # infra/constructs/function.py queue_url_env(QUEUE)
ENV_SERVICE = "POWERTOOLS_SERVICE_NAME"  # the coordinating function: the workers' metrics
CHECKPOINT_EVERY = 100  # members between a running task's checkpoints
# How long a task holds its shard: a Lambda invocation's longest (900 s) and a minute more. A
# task that lets go (done, out of time, failed) clears it; one whose process died lapses.
LEASE_S = 960.0
SQS_BATCH = 10  # SendMessageBatch takes at most 10 entries

DONE, STOPPED, SKIPPED = "done", "stopped", "skipped"


class Task(msgspec.Struct, frozen=True):
    """One shard of one round of a run; ``at``: the coordinator's time (the work is planned
    from it), ``service``: the coordinating function (the dimension of the task's metrics)."""

    job: str
    run: str
    round_no: int
    shard: int
    at: str
    service: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a task did: ``done`` (its shard is), ``stopped`` (out of time, checkpointed),
    ``skipped`` (the shard was done or is leased to another task); ``processed`` in it."""

    status: str
    processed: int = 0


RunTask = Callable[[Task, Budget], Outcome]


class Dispatcher(Protocol):
    def dispatch(self, tasks: Sequence[Task], run: RunTask) -> int:
        """Have ``tasks`` run; answers how many were handed to workers elsewhere (they go on
        after the coordinator has answered)."""
        ...


class Inline:
    """Each task at once, in order, in this process, while the coordinator's budget lasts."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def dispatch(self, tasks: Sequence[Task], run: RunTask) -> int:
        for task in tasks:
            if self.budget.spent():
                break  # the run's next try takes up the rest
            run(task, self.budget)
        return 0


class Pool:
    """``workers`` threads of this process; a stopped task goes on until its shard is done."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def dispatch(self, tasks: Sequence[Task], run: RunTask) -> int:
        def work(task: Task) -> None:
            while run(task, Budget()).status == STOPPED:
                pass

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(work, tasks))
        return 0


class SqsDispatch:
    """The ``job-shards`` queue (AWS): tasks are sent, the ``jobs`` function runs them."""

    def __init__(self, queue_url: str, sqs: Any = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    def dispatch(self, tasks: Sequence[Task], run: RunTask | None = None) -> int:
        if self._sqs is None:
            self._sqs = _sqs()
        for start in range(0, len(tasks), SQS_BATCH):
            chunk = tasks[start : start + SQS_BATCH]
            entries = [
                {"Id": str(i), "MessageBody": msgspec.json.encode(t).decode()}
                for i, t in enumerate(chunk)
            ]
            failed = self._sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if failed.get("Failed"):  # the schedule's retry (or Lambda's) sends them again
                raise RuntimeError(f"{len(failed['Failed'])} shard task(s) not queued")
        return len(tasks)


@cache
def _sqs() -> Any:
    import boto3

    from shared.settings import settings

    return boto3.client("sqs", region_name=settings().region)


def default_dispatcher(budget: Budget) -> Dispatcher:
    """The queue on AWS (its URL in the environment), else inline."""
    url = os.environ.get(ENV_QUEUE_URL, "")
    return SqsDispatch(url) if url else Inline(budget)


def continue_later(task: Task) -> None:
    """Send ``task`` again (its shard stopped for time: the next task goes on from its
    checkpoint); without the queue (local mode) the run's next try takes it up."""
    url = os.environ.get(ENV_QUEUE_URL, "")
    if url:
        SqsDispatch(url).dispatch([task])


def decode(body: str | bytes) -> Task:
    return msgspec.json.decode(body, type=Task)


# The coordinator ------------------------------------------------------------------------------


def coordinate(
    work: Partitions,
    now: datetime,
    time_left: TimeLeft = forever,
    dispatcher: Dispatcher | None = None,
) -> dict[str, Any]:
    """Start (or go on with) ``work``'s run: its shards not yet done are dispatched, each once
    per try (a second task of a shard in progress finds it leased). Answers the run's counters
    so far, ``complete`` and, when workers elsewhere go on, ``queued`` (how many tasks)."""
    budget = Budget(time_left)
    dispatcher = dispatcher or default_dispatcher(budget)
    state = _current_round(work, now)
    if state is None:
        return answer(work, True, {}, already_complete=True)
    tasks = [
        Task(work.job, work.run, state.round_no, shard, now.isoformat(), _service())
        for shard in state.pending
    ]
    if not tasks:
        _complete(work, state, now)  # every shard done, the completion lost: complete it now
    queued = dispatcher.dispatch(tasks, _runner(work)) if tasks else 0
    after = store.fan_out_state(work.job, work.run)
    assert after is not None
    # Complete: this round, or a later one another coordinator started once this was done.
    if after.round_no >= state.round_no and after.complete:
        logger.info("job done", extra={"job": work.job, "run": work.run, **after.stats})
        return answer(work, True, after.stats)
    stats = _progress(work.job, work.run, after)
    extra = {"queued": queued} if queued else {}
    # A scan again of a complete run (``once`` False) that workers go on with: the run was
    # complete already (and its deadline met).
    return answer(work, after.completed_before and bool(queued), stats, **extra)


def _current_round(work: Partitions, now: datetime) -> FanOut | None:
    """The round to work on (None: the run is complete and done once). Starts a round where
    there is none (or after a complete one); a run another coordinator started meanwhile is
    read again."""
    shards = len(work.partitions)
    zeros = {key: 0 for key in work.counters}
    for _ in range(5):
        seen = store.fan_out_state(work.job, work.run)
        if seen is not None and seen.complete:
            if work.once:
                return None
            fresh = FanOut(_new_round(seen), shards, stats=zeros, completed_before=True)
        elif seen is None:
            fresh = FanOut(_new_round(seen), shards, stats=zeros)
        elif seen.round_no == 0:  # a sequential run's checkpoint: go on after its partitions
            fresh = FanOut(_new_round(seen), shards, seen.first, stats=zeros | seen.stats)
        else:
            return seen
        if store.start_round(work.job, work.run, seen, fresh, now):
            return fresh
    raise RuntimeError(f"run {work.job}/{work.run}: its item keeps changing")


def _new_round(seen: FanOut | None) -> int:
    """A round number above any earlier one of the run, even one whose item was deleted (its
    shards' items would otherwise pass for this round's): the time in milliseconds."""
    return max(int(time.time() * 1000), (seen.round_no if seen else 0) + 1)


def _progress(job: str, run: str, state: FanOut) -> dict[str, int]:
    """The round's counters: the run's own (carried from a sequential run) and its shards'."""
    stats = dict(state.stats)
    for shard in store.shard_states(job, run, state.round_no).values():
        for key, n in shard.stats.items():
            stats[key] = stats.get(key, 0) + n
    return stats


def _complete(work: Partitions, state: FanOut, now: datetime) -> None:
    if store.complete_fan_out(
        work.job, work.run, state.round_no, _progress(work.job, work.run, state), now
    ):
        logger.info("job run complete", extra={"job": work.job, "run": work.run})


def _service() -> str:
    return os.environ.get(ENV_SERVICE, "")


def _runner(work: Partitions) -> RunTask:
    return lambda task, budget: run_shard(task, work, budget, listed=True)


# A shard's task -------------------------------------------------------------------------------


def run_shard(
    task: Task, work: Partitions, budget: Budget | None = None, *, listed: bool = False
) -> Outcome:
    """Work ``task``'s shard of ``work`` from its checkpoint within ``budget``: ``done``
    (and the run completed if it was the last shard), ``stopped`` (checkpointed: a task of
    the same shard goes on from there) or ``skipped`` (nothing to do here). ``listed``: the
    coordinator in this process has just listed the shard as pending (no need to read the
    run again)."""
    budget = budget or Budget()
    now = datetime.fromisoformat(task.at)
    if not listed:
        run = store.fan_out_state(task.job, task.run)
        if run is None or run.round_no != task.round_no or run.complete or task.shard in run.done:
            return Outcome(SKIPPED)
    partition = work.partitions[task.shard]
    members = iter(work.members(*partition))
    first = next(members, None)
    processed = 0
    if first is not None:  # most shards of most runs are empty: no lease, no checkpoint
        lease, holder = time.time() + LEASE_S, uuid.uuid4().hex  # this task's lease
        held = store.take_shard(
            task.job, task.run, task.round_no, task.shard, lease, time.time(), now, holder
        )
        if held is None:
            logger.info(
                "shard leased to another task", extra={"job": task.job, "shard": task.shard}
            )
            return Outcome(SKIPPED)
        if not held.finished:
            if held.cursor is not None:  # resume past the checkpoint
                members = iter(work.members(*partition, after=held.cursor))
            else:
                members = chain([first], members)
            processed, status = _work_shard(task, work, held, members, budget, now)
            if status != DONE:
                return Outcome(status, processed)
    after = store.shard_done(task.job, task.run, task.round_no, task.shard, now)
    if after is not None and not after.pending:
        _complete(work, after, now)
    return Outcome(DONE, processed)


def _work_shard(
    task: Task,
    work: Partitions,
    held: ShardState,
    members: Iterator[tuple[str, str]],
    budget: Budget,
    now: datetime,
) -> tuple[int, str]:
    """The shard's ``members`` (those after its checkpoint): (members processed here, DONE,
    STOPPED for time, or SKIPPED: overtaken). Checkpoints as it goes; lets the lease go when
    it ends.

    Overtaken: the run's round was completed without this task (another task of the shard
    found it empty, its members done here meanwhile, and counted it done without a lease) and
    a later round has taken the shard. Its checkpoint is refused; the task stops there (its
    steps are idempotent, the later round's scan covers the shard)."""
    stats, cursor = dict(held.stats), held.cursor
    processed = since = 0

    def save(finished: bool, lease: float) -> bool:
        state = ShardState(None if finished else cursor, dict(stats), finished)
        kept = store.save_shard(task.job, task.run, task.round_no, task.shard, state, lease, now)
        if not kept:
            logger.info("shard taken by a later round", extra={"job": task.job, "run": task.run})
        return kept

    try:
        for member_id, position in members:
            if budget.spent():
                logger.info("shard paused", extra={"job": task.job, "shard": task.shard})
                return processed, STOPPED if save(False, 0) else SKIPPED
            for key, n in work.step(member_id).items():
                stats[key] = stats.get(key, 0) + n
                processed += n if key == work.processed else 0
            cursor, since = position, since + 1
            if since >= CHECKPOINT_EVERY:
                if not save(False, time.time() + LEASE_S):
                    return processed, SKIPPED
                since = 0
        return processed, DONE if save(True, 0) else SKIPPED
    except Exception:
        save(False, 0)  # what is done stays done; the redelivered task goes on from here
        raise
