"""Every scheduled job by name, and the one way to run one.

An EventBridge schedule sends its function ``{"job": name}`` (:class:`Scheduled`); an
operator's ``POST /v1/admin/jobs/{job}/runs`` names the job in the path. Both end in
:func:`run`, with the time Lambda has left (:func:`time_left_of`), so "run now" is the
scheduled code. Each job takes ``(now, time_left)`` and returns its counters, among them
``processed`` (and ``complete`` for the jobs that can stop for time and resume). Every run
writes its metrics (``shared.jobs.progress``); a schedule's last try of the day sends
``"deadline": true``, and such a run that ends incomplete counts as a missed deadline.

An operator's run works within the HTTP request's budget (``runner.HTTP_BUDGET_S``: API
Gateway gives up at 30 s); when it ends incomplete it goes on in the background
(``shared.jobs.background``: the ``jobs`` function invokes itself with its full timeout),
run after run while each makes progress, every one audited like the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from types import MappingProxyType
from typing import Any

from shared import clock
from shared.domain import audit as audit_log
from shared.dynamodb import audit as audit_store
from shared.errors import AppError, NotFound
from shared.jobs import background
from shared.jobs.runner import Budget, Job, Partitions, TimeLeft, forever, within_budget
from shared.observability import logger

# Each job imports its use case when it runs, not when this module loads: a function that
# runs one job on its schedule (checkout's holds sweep, say) then does not pay at cold start
# for the expiry, tier and mall code of the others.


def expire(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import expiry

    return expiry.run_expiry(now, time_left)


def expiry_reminders(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import expiry

    return expiry.run_reminders(now, time_left)


def holds(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import checkout

    return within_budget(checkout.sweep)(now, time_left)


def unpaid_orders(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared.mall import payments

    return within_budget(payments.sweep_unpaid_orders)(now, time_left)


def evaluate_tiers(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import tiers

    return tiers.evaluate_tiers(now, time_left)


def birthdays(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import tiers

    return tiers.credit_birthdays(now, time_left)


def rebate_settlement(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared.rebates import settlement

    return settlement.run_scheduled(now, time_left)


def leaderboard(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared import leaderboard

    return leaderboard.run_snapshots(now, time_left)


def resume_imports(now: datetime, time_left: TimeLeft) -> dict[str, Any]:
    from shared.imports import service

    return service.resume_stalled(now, time_left)


JOBS: Mapping[str, Job] = MappingProxyType(
    {
        "expire": expire,
        "expiry-reminders": expiry_reminders,
        "holds": holds,
        "unpaid-orders": unpaid_orders,
        "tiers": evaluate_tiers,
        "birthdays": birthdays,
        "rebate-settlement": rebate_settlement,
        "leaderboard": leaderboard,
        "resume-imports": resume_imports,
    }
)


def _partitioned(module: str, plan: str) -> Callable[[datetime], Partitions]:
    def work(now: datetime) -> Partitions:
        return getattr(import_module(module), plan)(now)

    return work


# The jobs that fan out one task per shard (``shared.jobs.fanout``): how a shard's task, on
# its own, plans the run its coordinator started (from the coordinator's time).
PARTITIONED: Mapping[str, Callable[[datetime], Partitions]] = MappingProxyType(
    {
        "expire": _partitioned("shared.expiry", "expiry_work"),
        "expiry-reminders": _partitioned("shared.expiry", "reminders_work"),
        "tiers": _partitioned("shared.tiers", "tiers_work"),
        "birthdays": _partitioned("shared.tiers", "birthdays_work"),
    }
)


def run_shard_tasks(event: Mapping[str, Any], time_left: TimeLeft = forever) -> dict[str, Any]:
    """The ``job-shards`` queue's batch (one task each, ``shared.jobs.fanout``): each task's
    shard worked within ``time_left``; one stopped for time is sent again to go on from its
    checkpoint. Its metrics are the coordinating function's (``service``). A task that fails
    is reported (``batchItemFailures``): SQS hands it out again, its shard's lease lapsed."""
    from shared.jobs import fanout, progress

    failures = []
    for record in event.get("Records", []):
        try:
            task = fanout.decode(record["body"])
            work = PARTITIONED[task.job](datetime.fromisoformat(task.at))
            outcome = fanout.run_shard(task, work, Budget(time_left))
            if outcome.status == fanout.STOPPED:
                fanout.continue_later(task)
        except Exception:
            logger.exception("shard task failed", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record.get("messageId")})
            continue
        done = {"job": task.job, "run": task.run, "shard": task.shard, "status": outcome.status}
        logger.info("shard task", extra=done)
        progress.record(task.job, {"processed": outcome.processed}, service=task.service)
    return {"batchItemFailures": failures}


def claims_shard_tasks(event: Mapping[str, Any] | None) -> bool:
    """Whether ``event`` is an SQS batch (the ``job-shards`` queue's: the jobs function's only
    queue)."""
    records = (event or {}).get("Records") or []
    return bool(records) and records[0].get("eventSource") == "aws:sqs"


def resolve(name: str) -> Job:
    job = JOBS.get(name)
    if job is None:
        raise NotFound(f"no job {name!r}; jobs: {', '.join(sorted(JOBS))}", code="job_not_found")
    return job


def run(
    name: str, now: datetime, time_left: TimeLeft = forever, *, deadline: bool = False
) -> dict[str, Any]:
    """Run job ``name`` (404 before any work for an unknown one) within ``time_left`` and
    write its metrics; ``deadline``: the schedule's last try (see the module's docstring)."""
    from shared.jobs import progress  # the metrics' cost only where a job runs

    result = {"job": name, **resolve(name)(now, time_left)}
    logger.info("job finished", extra=result)
    progress.record(name, result, deadline)
    return result


CONTINUATION = "continuation"  # a background run's number (1 for the first after the request)


def run_for(operator: str, name: str, now: datetime, time_left: TimeLeft = forever) -> dict:
    """An operator's "run now": :func:`run`, audited as ``job.run`` on ``job:<name>`` with the
    run's answer as ``after``. The run is many transactions of the job's own (each step
    idempotent, as on its schedule), so the entry is written on its own once the run ends;
    a run that crashes part-way (a 5xx, some steps done) is logged too (``after``: failed).
    A refusal (4xx) logs nothing. A run that ends incomplete continues in the background
    (the answer says ``continues: true``); see :func:`continue_run`."""
    resolve(name)  # an unknown job: 404, nothing logged
    return _audited(operator, name, now, time_left, 0)


def continue_run(payload: Mapping[str, Any], time_left: TimeLeft = forever) -> dict[str, Any]:
    """The background part of an operator's run (the event :func:`run_for` started): the job
    again, from its checkpoint (the sweeps: from scratch, they are idempotent), audited as
    ``job.run`` of the same operator with ``continuation`` in ``after``."""
    operator, name = str(payload["operator"]), str(payload["job"])
    return _audited(operator, name, clock.now(), time_left, int(payload[CONTINUATION]))


def _audited(
    operator: str, name: str, now: datetime, time_left: TimeLeft, continuation: int
) -> dict[str, Any]:
    target = audit_log.target("job", name)
    numbered = {CONTINUATION: continuation} if continuation else {}
    try:
        result = run(name, now, time_left)
    except AppError:
        raise
    except Exception as exc:
        failed = {"job": name, "failed": type(exc).__name__, **numbered}
        audit_store.record(audit_log.entry(now, operator, "job.run", target, after=failed))
        raise
    result |= {**numbered, "continues": _continues(result, continuation)}
    audit_store.record(audit_log.entry(now, operator, "job.run", target, after=result))
    if result["continues"] and not result.get("queued"):  # queued: the shards' workers go on
        nxt = {"job": name, "operator": operator, CONTINUATION: continuation + 1}
        background.start(nxt, continue_run)
    return result


def _continues(result: Mapping[str, Any], continuation: int) -> bool:
    """Whether an incomplete run goes on in the background: in the shards' workers when it
    queued their tasks; else in a continuation of this function: after the request always, after
    a background run only if it made progress (one that did nothing in a whole invocation
    would do nothing in the next: the job's next schedule takes it up, an error is logged)."""
    if result.get("complete") is not False:
        return False
    if result.get("queued"):  # handed to the shards' workers (shared.jobs.fanout)
        return True
    if continuation and not result.get("processed"):
        logger.error("job made no progress in the background; left to its schedule", extra=result)
        return False
    return True


def time_left_of(context: Any) -> TimeLeft:
    """Seconds left in this invocation, from the Lambda context (no deadline without one)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return forever
    return lambda: remaining() / 1000


@dataclass(frozen=True, slots=True)
class Scheduled:
    """The jobs a function runs on its schedules. ``default``: the job of a schedule that
    sends no payload (EventBridge then sends its "Scheduled Event")."""

    jobs: tuple[str, ...]
    default: str | None = None

    def __post_init__(self) -> None:
        unknown = [name for name in (*self.jobs, self.default) if name and name not in JOBS]
        if unknown or (self.default is not None and self.default not in self.jobs):
            raise ValueError(f"not jobs of this function: {unknown or [self.default]}")

    @staticmethod
    def claims(event: Mapping[str, Any] | None) -> bool:
        """Whether ``event`` is a schedule's: it names a job, or it is EventBridge's own
        "Scheduled Event" (a schedule without payload). API Gateway's events do neither."""
        event = event or {}
        return "job" in event or event.get("source") == "aws.events"

    def job_of(self, event: Mapping[str, Any] | None) -> str:
        name = (event or {}).get("job", self.default)
        if name not in self.jobs:
            raise ValueError(f"this function runs {self.jobs}, not {name!r}")
        return name

    def __call__(self, event: Mapping[str, Any] | None, context: Any) -> dict[str, Any]:
        deadline = bool((event or {}).get("deadline"))  # the schedule's last try of its window
        return run(self.job_of(event), clock.now(), time_left_of(context), deadline=deadline)
