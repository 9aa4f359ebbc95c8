"""Every Lambda function of the stack: HTTP ones come from the route table, scheduled ones
are listed here. Adding a function is one line (plus its grants in infra/permissions.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.permissions import SHARD_TASKS, Access, access_for
from infra.timeouts import JOBS_S
from shared.events import (
    LEDGER_EVENTS,
    MEMBER_REGISTERED,
    ORDER_PLACED,
    ORDER_STATUS_CHANGED,
    POINTS_EXPIRING_SOON,
    REBATE_PAID,
    REBATE_STATEMENT_ISSUED,
    TIER_CHANGED,
)
from shared.routes import functions as http_functions

DEFAULT_MEMORY_MB = 512


@dataclass(frozen=True, slots=True)
class Schedule:
    expression: str  # EventBridge schedule expression, e.g. "cron(5 19 * * ? *)" (UTC)
    payload: Mapping[str, Any] | None = None  # the event the function receives


@dataclass(frozen=True, slots=True)
class QueueSource:
    """An SQS queue of the stage (``loyalty-points-<stage>-<name>``) the function consumes:
    SSE, TLS only, 14 days' retention, a dead-letter queue after ``max_receives`` receives,
    batch item failures reported. ``events``: the business events (detail-types) a rule on
    the stage's bus puts on it; none: only our functions send to it (``Access.send_to``)."""

    name: str
    batch_size: int
    max_receives: int
    batching_window_s: int = 0
    events: tuple[str, ...] = ()
    # at most this many invocations at once (SQS's least is 2; None: as many as Lambda scales)
    max_concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str  # folder under functions/; handler functions.<name>.handler.lambda_handler
    access: Access
    schedule: str | None = None  # one EventBridge schedule expression without payload
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout_s: int = 10  # API Gateway gives up after 30 s; scheduled jobs may ask for more
    tmp_mb: int = 512  # Lambda's /tmp (ephemeral storage): where a job spools a file it writes
    schedules: tuple[Schedule, ...] = ()  # several schedules, each with its payload
    table_stream: bool = False  # consume the table's stream (with a dead-letter queue)
    bus_events: bool = False  # a rule on the stage's bus sends it every business event
    queue: QueueSource | None = None  # consume this queue (with a dead-letter queue)
    # told the member channels the stage configures (SMS_ENABLED, EMAIL_FROM); a function
    # that delivers on them (``Access.deliver``) is told too
    channels: bool = False

    @property
    def visibility_timeout_s(self) -> int:
        """Of its queue: AWS's advice for a Lambda event source, six times the function's
        timeout (plus the batching window), so a batch retried within a receive is not
        handed to a second invocation meanwhile."""
        window = self.queue.batching_window_s if self.queue else 0
        return 6 * self.timeout_s + window

    def all_schedules(self) -> tuple[Schedule, ...]:
        return ((Schedule(self.schedule),) if self.schedule else ()) + self.schedules


# Timeouts and memory from measured durations: bench/function_durations.py (warm, in process
# against DynamoDB Local on a shared 2-core VM, 30 calls per operation, 2026-11-30), the p99
# in ms over each function's main operations (p50 in the comment; docs/deploy.md has all).
MEASURED_P99_MS = {
    "account": 187,  # GET /v1/me, /v1/me/ledger (p50 44)
    "activity": 164,  # check-in (42)
    "admin": 196,  # a member's page (49)
    "checkout": 71,  # hold, capture, release (20)
    "earn": 211,  # register, purchase, refund (58)
    "inbox": 95,  # the inbox (58)
    "publisher": 50,  # 100 stream records, PutEvents answering at once (14)
    "redeem": 70,  # redeem a coupon, the catalog (26)
    "transfers": 173,  # a transfer (41)
}
# A cold start at 512 MB (~0.3 vCPU): the handler's imports and first client, ~0.5 s on a full
# core (bench/cold_start.py), ×3.5, rounded up.
COLD_START_S = 2.0
# pynamodb's 3 retries of a throttled or failed DynamoDB call, botocore's standard backoff:
# at most 1 + 2 + 4 s before the handler answers its own 503.
SDK_RETRIES_S = 7.0
HTTP_LIMIT_S = 29  # API Gateway's integration gives up at 30 s
# More CPU where it pays: Lambda's CPU grows with memory (1 vCPU at 1 769 MB). earn spends
# 4-11 ms of CPU per call on a full core (the purchase most): ~36 ms at 512 MB, ~18 at 1024, and
# a cold start of ~1 s instead of ~2. On the systems' money paths (earn, checkout: a shopper
# waits at the till) that halves the time and the reserved executions it takes, for about the
# same cost per call (twice the GB-s rate, about half the duration). Checkout's is its entry's.
HTTP_MEMORY_MB = {"earn": 1024}


def timeout_floor(name: str) -> int:
    """The least timeout function ``name`` may have: a cold start plus the longer of five
    times its measured p99 and the SDK's retries after its p99 (so a throttled call still
    answers its own 503: a Lambda timeout is a bare 500 and, for a write, an unknown
    outcome). With the figures above the retries decide: 10 s for every HTTP function."""
    p99 = MEASURED_P99_MS.get(name, 0) / 1000
    return math.ceil(COLD_START_S + max(5 * p99, SDK_RETRIES_S + p99))


def job(name: str, timeout_s: int, *schedules: Schedule, **options: Any) -> FunctionSpec:
    """A function without HTTP routes, with its declared grants: run on ``schedules``, or on
    what ``options`` (``table_stream``, ``bus_events``, ``queue``) connect it to."""
    return FunctionSpec(name, access_for(name), timeout_s=timeout_s, schedules=schedules, **options)


# The business events a member hears of: those shared/domain/notices.py turns into a message
# (tests/infra/test_notifications_stack.py checks the two agree).
NOTICE_EVENTS: tuple[str, ...] = (
    POINTS_EXPIRING_SOON,
    ORDER_STATUS_CHANGED,
    ORDER_PLACED,  # a gift won in the lottery, awaiting the member's delivery address
    TIER_CHANGED,
    LEDGER_EVENTS["lottery_prize"],
    REBATE_STATEMENT_ISSUED,
    REBATE_PAID,
    LEDGER_EVENTS["earn"],  # birthday points (the notifier skips other earnings)
    LEDGER_EVENTS["transfer_in"],
)

# The business events reports count (shared/reports.py numbers_of): every ledger event,
# registrations and the mall's orders.
REPORT_EVENTS: tuple[str, ...] = (
    *LEDGER_EVENTS.values(),
    MEMBER_REGISTERED,
    ORDER_PLACED,
    ORDER_STATUS_CHANGED,
)

# The partitioned jobs' shard tasks (shared/jobs/fanout.py QUEUE). Workers at once: as many
# as the expiry's and reminders' shards (rules.expiry_shards, 64: fewer would leave shards
# waiting, more would idle), the tiers' 40 partitions at once, the birthdays' 10-20; a worker
# does one member at a time (~26 ms of DynamoDB calls on AWS, ~40 WCU/s on its index
# partition), so 64 take ~2 400 lots/s (~10 500 WCU/s, a quarter of on-demand's default
# table limit): 10 million lots due on one night in ~1.1 h (docs/data-model.md "Expiry").
# They draw on the account's unreserved concurrency (prod: 64 of 510, infra/traffic.py;
# tests/infra/test_job_schedules.py checks they fit). A task failing 3 times is
# dead-lettered; the schedule's next try sends its shard again.
SHARD_QUEUE = SHARD_TASKS
# One worker per expiry shard: the rules' default expiry_shards (the CDK app reads no domain
# code; tests/infra/test_job_schedules.py checks the two agree).
SHARD_WORKERS = 64
SHARD_TASK_RECEIVES = 3

# Scheduled, stream and queue functions (no HTTP route), one entry each. Times are UTC: the
# programme's day starts at 16:00 UTC (Asia/Shanghai, UTC+8).
SCHEDULED: tuple[FunctionSpec, ...] = (
    job(
        "expire",
        900,
        # 03:05 programme time every day, reminders at 10:00; hourly retries finish a run
        # that ran out of time (each run is checkpointed per day: a completed one answers
        # at once, and the reminders' markers send nothing twice). The last try of each
        # window is the deadline (here and below): still incomplete, it is an alarm.
        Schedule("cron(5 19-21 * * ? *)", {"job": "expire"}),
        Schedule("cron(5 22 * * ? *)", {"job": "expire", "deadline": True}),
        Schedule("cron(0 2-4 * * ? *)", {"job": "expiry-reminders"}),
        Schedule("cron(0 5 * * ? *)", {"job": "expiry-reminders", "deadline": True}),
    ),
    job("publisher", 60, table_stream=True),
    # Reports (also serves the report): the events they count → the reports queue → up to
    # 1 000 per invocation (a 2 s window gathers them; at 10 000 events/s ~10 invocations/s),
    # each batch counted at once into sharded day counters (docs/data-model.md "Reports").
    job(
        "reports",
        30,
        queue=QueueSource(
            "reports", 1000, max_receives=5, batching_window_s=2, events=REPORT_EVENTS
        ),
    ),
    # Releases checkout holds whose time ran out (spendable never counts them meanwhile).
    # 1024 MB: the systems' money path, as earn's (HTTP_MEMORY_MB).
    job("checkout", 60, Schedule("rate(5 minutes)", {"job": "holds"}), memory_mb=1024),
    # Points + cash orders unpaid after unpaid_order_minutes (default 30): every 5 minutes.
    job("mall_sweep", 300, Schedule("rate(5 minutes)", {"job": "unpaid-orders"})),
    # Membership tiers: the evaluation on the 1st at 04:00 programme time (20:00 UTC on the
    # last day of the month before), birthdays daily at 00:10; hourly retries finish a run
    # that ran out of time (a completed run answers at once).
    job(
        "tiers",
        900,
        Schedule("cron(0 20-22 L * ? *)", {"job": "tiers"}),
        Schedule("cron(0 23 L * ? *)", {"job": "tiers", "deadline": True}),
        Schedule("cron(10 16-18 * * ? *)", {"job": "birthdays"}),
        Schedule("cron(10 19 * * ? *)", {"job": "birthdays", "deadline": True}),
    ),
    # Rebate settlement of every campaign whose return window closed: daily at 02:30
    # programme time, hourly retries finish a run that ran out of time (checkpointed per
    # campaign: a completed settlement costs one read).
    job(
        "rebate_settlement",
        900,
        Schedule("cron(30 18-20 * * ? *)", {"job": "rebate-settlement"}),
        Schedule("cron(30 21 * * ? *)", {"job": "rebate-settlement", "deadline": True}),
    ),
    # Members import: its routes, its job in asynchronous invocations of itself (15 minutes
    # each, continued by the job before its time runs out) and, every 5 minutes, a sweep that
    # starts again an import left without a checkpoint for 5 minutes (an invocation lost).
    job("imports", 900, Schedule("rate(5 minutes)", {"job": "resume-imports"})),
    # Leaderboard snapshot: this month's and this year's boards every hour (and a just-ended
    # period's final board at the first run after its end); a run out of time saves nothing
    # and the next hour's starts over.
    job("leaderboard_snapshot", 900, Schedule("rate(1 hour)", {"job": "leaderboard"})),
    # Exports: the HTTP function also runs the export job it starts (an asynchronous
    # invocation of itself, shared/jobs/background.py), so it may take Lambda's 15 minutes;
    # API Gateway still answers its routes within 30 s. More memory: more network and CPU for
    # the parallel Scan and the CSV writer; a 4 GB /tmp for the file spooled before its upload
    # (about 20 million ledger rows).
    job("exports", 900, memory_mb=1024, tmp_mb=4096),
    # Operators' "run a job now" (POST /v1/admin/jobs/{job}/runs): the request's run stops
    # within API Gateway's 30 s; one that ends incomplete continues in asynchronous
    # invocations of this function (shared/jobs/background.py), 15 minutes each, like the
    # jobs on their schedules (which keep their own: the route has none).
    # It is also the partitioned jobs' worker (shared/jobs/fanout.py): their coordinators
    # (the schedules above, the route) send one task per index shard to the job-shards queue;
    # one task per invocation (its 15 minutes; a task out of time sends itself again), at most
    # SHARD_WORKERS at once. This function already holds every job's grants, so the fan-out
    # costs one queue (and its dead-letter queue, policies, event source mapping and alarms)
    # instead of a function and role of its own or a state machine.
    job(
        "jobs",
        JOBS_S,
        queue=QueueSource(
            SHARD_QUEUE, 1, max_receives=SHARD_TASK_RECEIVES, max_concurrency=SHARD_WORKERS
        ),
    ),
    # Notifications: the member-facing events → the notices queue → the notifier, up to 100
    # per invocation (a 5 s window gathers a burst): inbox messages, and the sends each
    # member opted into → the sends queue → the sender (SMS, e-mail), which holds a failed
    # send back with ChangeMessageVisibility (backoff, quiet hours) until its 6th receive.
    job(
        "notifier",
        60,
        queue=QueueSource(
            "notices", 100, max_receives=5, batching_window_s=5, events=NOTICE_EVENTS
        ),
        channels=True,
    ),
    # Two senders at a time: SNS SMS and SES accept a few to a few tens of messages a second
    # per account, and the sends quiet hours held overnight all fall due at 09:00; throttled
    # sends would use up their 6 receives in retries, while sends left waiting use none.
    job("sender", 30, queue=QueueSource("sends", 10, max_receives=6, max_concurrency=2)),
)


def catalog() -> tuple[FunctionSpec, ...]:
    """HTTP functions in route-table order, then the scheduled ones. A scheduled entry named
    like an HTTP function replaces it (the function then serves routes and runs on schedule)."""
    specs = {
        name: FunctionSpec(
            name, access_for(name), memory_mb=HTTP_MEMORY_MB.get(name, DEFAULT_MEMORY_MB)
        )
        for name in http_functions()
    }
    for spec in SCHEDULED:
        specs[spec.name] = spec
    return tuple(specs.values())
