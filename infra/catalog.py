"""Every Lambda function of the stack: HTTP ones come from the route table, scheduled ones
are listed here. Adding a function is one line (plus its grants in infra/permissions.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.permissions import Access, access_for
from shared.routes import functions as http_functions


@dataclass(frozen=True, slots=True)
class Schedule:
    expression: str  # EventBridge schedule expression, e.g. "cron(5 19 * * ? *)" (UTC)
    payload: Mapping[str, Any] | None = None  # the event the function receives


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str  # folder under functions/; handler functions.<name>.handler.lambda_handler
    access: Access
    schedule: str | None = None  # one EventBridge schedule expression without payload
    memory_mb: int = 512
    timeout_s: int = 10  # API Gateway gives up after 30 s; scheduled jobs may ask for more
    tmp_mb: int = 512  # Lambda's /tmp (ephemeral storage): where a job spools a file it writes
    schedules: tuple[Schedule, ...] = ()  # several schedules, each with its payload
    table_stream: bool = False  # consume the table's stream (with a dead-letter queue)
    bus_events: bool = False  # a rule on the stage's bus sends it every business event

    def all_schedules(self) -> tuple[Schedule, ...]:
        return ((Schedule(self.schedule),) if self.schedule else ()) + self.schedules


def job(name: str, timeout_s: int, *schedules: Schedule, **options: Any) -> FunctionSpec:
    """A function without HTTP routes, with its declared grants: run on ``schedules``, or on
    what ``options`` (``table_stream``, ``bus_events``) connect it to."""
    return FunctionSpec(name, access_for(name), timeout_s=timeout_s, schedules=schedules, **options)


# Scheduled and stream functions (no HTTP route), one entry each. Times are UTC: the
# programme's day starts at 16:00 UTC (Asia/Shanghai, UTC+8).
SCHEDULED: tuple[FunctionSpec, ...] = (
    job(
        "expire",
        900,
        # 03:05 programme time every day, reminders at 10:00; hourly retries finish a run
        # that ran out of time (each run is checkpointed per day: a completed one answers
        # at once, and the reminders' markers send nothing twice)
        Schedule("cron(5 19-22 * * ? *)", {"job": "expire"}),
        Schedule("cron(0 2-5 * * ? *)", {"job": "expiry-reminders"}),
    ),
    job("publisher", 60, table_stream=True),
    # Counts every business event into the daily report aggregates (also serves the report).
    job("reports", 30, bus_events=True),
    # Releases checkout holds whose time ran out (spendable never counts them meanwhile).
    job("checkout", 60, Schedule("rate(5 minutes)", {"job": "holds"})),
    # Points + cash orders unpaid after unpaid_order_minutes (default 30): every 5 minutes.
    job("mall_sweep", 300, Schedule("rate(5 minutes)", {"job": "unpaid-orders"})),
    # Membership tiers: the evaluation on the 1st at 04:00 programme time (20:00 UTC on the
    # last day of the month before), birthdays daily at 00:10; hourly retries finish a run
    # that ran out of time (a completed run answers at once).
    job(
        "tiers",
        900,
        Schedule("cron(0 20-23 L * ? *)", {"job": "tiers"}),
        Schedule("cron(10 16-19 * * ? *)", {"job": "birthdays"}),
    ),
    # Rebate settlement of every campaign whose return window closed: daily at 02:30
    # programme time, hourly retries finish a run that ran out of time (checkpointed per
    # campaign: a completed settlement costs one read).
    job("rebate_settlement", 900, Schedule("cron(30 18-21 * * ? *)", {"job": "rebate-settlement"})),
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
)


def catalog() -> tuple[FunctionSpec, ...]:
    """HTTP functions in route-table order, then the scheduled ones. A scheduled entry named
    like an HTTP function replaces it (the function then serves routes and runs on schedule)."""
    specs = {name: FunctionSpec(name, access_for(name)) for name in http_functions()}
    for spec in SCHEDULED:
        specs[spec.name] = spec
    return tuple(specs.values())
