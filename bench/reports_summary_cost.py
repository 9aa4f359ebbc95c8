"""What a 30-day report summary reads with 100 000 active members (issue 23).

On DynamoDB Local (in memory), counts the items every DynamoDB call of the summary returns
(Query pages, GetItem, BatchGetItem) and its read capacity (as DynamoDB Local reports it):

- before: the layout written up to issue 23 — one ``REPORTS`` partition of day items and one
  ``ACTIVE#<day>`` marker per member active that day (written directly with BatchWriteItem:
  the per-event consumer would take hours), the summary reading every marker;
- after: the same members' events counted in batches of 1 000 into the sharded day
  counters and per-day sketches (``--consumed`` of them through the whole consumer, the
  rest into the sketches only: see ``seed_batches``); the summary reads days × shards, the
  shards' running totals and the base the old layout's days were folded into (the first
  summary past the fold's wait folds them: measured apart);
- after, with history: ``--history`` days before the window counted through the consumer
  (``seed_history``: every day on all 4 shards), the same summary again: it should read what
  it read without them (before the running totals, 4 more items per day of history).

    .venv/bin/python bench/reports_summary_cost.py [--members 100000] [--days 30]
        [--consumed 10000] [--history 365]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from typing import Any

from _support import local_stack

LEGACY_END = date(2026, 12, 31)  # the "before" window ends here, the "after" one a month on
NEW_END = date(2027, 1, 30)


class Reads:
    """Items and read units returned to the shared client while ``on``."""

    def __init__(self, client: Any) -> None:
        self.on, self.items, self.units, self.calls = False, 0, 0.0, 0
        client.meta.events.register("provide-client-params.dynamodb", self.ask_capacity)
        client.meta.events.register("after-call.dynamodb", self.after)

    def ask_capacity(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on and model.name in ("Query", "GetItem", "BatchGetItem"):
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        self.calls += 1
        if model.name == "Query":
            self.items += len(parsed.get("Items", []))
        elif model.name == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif model.name == "BatchGetItem":
            self.items += sum(len(v) for v in parsed.get("Responses", {}).values())
        capacity = parsed.get("ConsumedCapacity")
        for entry in capacity if isinstance(capacity, list) else [capacity] if capacity else []:
            self.units += float(entry.get("CapacityUnits") or 0)

    def measure(self, run: Any) -> tuple[Any, float]:
        self.on, self.items, self.units, self.calls = True, 0, 0.0, 0
        started = time.perf_counter()
        try:
            return run(), time.perf_counter() - started
        finally:
            self.on = False


def seed_legacy(raw: Any, table: str, members: int, days: int) -> None:
    """The old layout: a day item per day (its exact active count) and a marker per member."""
    from shared.dynamodb import keys

    rng = random.Random(1)
    by_day: dict[date, list[str]] = {}
    for m in range(members):
        day = LEGACY_END - timedelta(days=rng.randrange(days))
        by_day.setdefault(day, []).append(f"m-{m}")
    puts = []
    for day, ids in by_day.items():
        sk = keys.report_day_sk(day)
        puts.append({"pk": {"S": keys.REPORTS}, "sk": {"S": sk}, "active": {"N": str(len(ids))}})
        puts += [
            {"pk": {"S": keys.active_pk(day)}, "sk": {"S": keys.member_pk(i)}, "ttl": {"N": "0"}}
            for i in ids
        ]
    for start in range(0, len(puts), 25):
        batch = [{"PutRequest": {"Item": item}} for item in puts[start : start + 25]]
        while batch:
            left = raw.batch_write_item(RequestItems={table: batch})["UnprocessedItems"]
            batch = left.get(table, [])


def seed_batches(members: int, days: int, consumed: int) -> float:
    """The new layout: each member earns once on a random day of the window, 1 000 events a
    batch in day order. The first ``consumed`` events go through the batch consumer
    (``shared.reports.consume``: markers, counters, sketches); the rest only into the
    sketches through the consumer's own repository call (``add_members``): the markers,
    ~4 ms each on DynamoDB Local, would take minutes and the summary never reads them.
    Returns the seconds the consumed events took."""
    from shared import clock, reports
    from shared.dynamodb import reports as reports_repo
    from shared.events import LEDGER_EVENTS, Event

    rng = random.Random(2)
    found = []
    for m in range(members):
        day = NEW_END - timedelta(days=rng.randrange(days))
        detail = {
            "member_id": f"m-{m}",
            "type": "earn",
            "source": rng.choice(("purchase", "checkin", "task")),
            "points": 100,
            "at": f"{day.isoformat()}T12:00:00+08:00",
        }
        found.append(Event(f"ev-{m}", LEDGER_EVENTS["earn"], detail))
    rng.shuffle(found)
    started = time.perf_counter()
    for start in range(0, consumed, 1000):
        outcome = reports.consume(found[start : min(start + 1000, consumed)], clock.now())
        assert not outcome.failed
    took = time.perf_counter() - started
    for start in range(consumed, len(found), 1000):
        by_day: dict[date, set[str]] = {}
        for event in found[start : start + 1000]:
            day = date.fromisoformat(event.detail["at"][:10])
            by_day.setdefault(day, set()).add(event.detail["member_id"])
        shard = rng.randrange(reports_repo.SHARDS)
        for day, ids in by_day.items():
            reports_repo.add_members(shard, day, ids)
    return took


def seed_history(first: date, days: int) -> float:
    """``days`` days before ``first``, each on all 4 shards: 4 earnings a day by 4 members
    (one a shard: each part's days are dealt round the shards from its own first one).
    Returns the seconds they took through the consumer."""
    from shared import clock, reports
    from shared.dynamodb import reports as reports_repo
    from shared.events import LEDGER_EVENTS, Event

    started = time.perf_counter()
    for part in range(reports_repo.SHARDS):
        found = []
        for back in range(1, days + 1):
            day = first - timedelta(days=back)
            detail = {
                "member_id": f"h-{back}-{part}",
                "type": "earn",
                "source": "purchase",
                "points": 10,
                "at": f"{day.isoformat()}T12:00:00+08:00",
            }
            found.append(Event(f"hist-{back}-{part}", LEDGER_EVENTS["earn"], detail))
        outcome = reports.consume(found, clock.now(), shard=part)
        assert not outcome.failed
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--consumed", type=int, default=10_000, help="through the consumer")
    parser.add_argument("--history", type=int, default=365, help="days before the window")
    args = parser.parse_args()
    with local_stack("loyalty-points-reports-cost"):
        import boto3

        from shared import clock, reports
        from shared.dynamodb.connection import connection
        from shared.settings import settings
        from tests.support import at

        cfg = settings()
        raw = boto3.client("dynamodb", endpoint_url=cfg.dynamodb_endpoint, region_name="us-east-1")
        reads = Reads(connection().client)
        at(NEW_END.isoformat(), hour=23)
        n, d = args.members, args.days
        print(f"{n:,} active members over {d} days; summary of the {d} days:")

        seed_legacy(raw, cfg.table_name, n, d)
        window = reports.Window(LEGACY_END - timedelta(days=d - 1), LEGACY_END)
        before, took = reads.measure(lambda: reports.summary(window))
        print(
            f"  before (REPORTS + ACTIVE#<day> markers): {reads.items:,} items read in "
            f"{reads.calls} calls, {reads.units:,.0f} RCU, {took:.1f} s; "
            f"active_members {before['active_members']:,} (exact {n:,}; markers now merged "
            "into a sketch)"
        )
        consumed = min(args.consumed, n)
        seeded = seed_batches(n, d, consumed)
        window = reports.Window(NEW_END - timedelta(days=d - 1), NEW_END)
        at(NEW_END.isoformat(), hour=23, minute=30)  # the fold's wait (15 minutes) is over
        first, took = reads.measure(lambda: reports.summary(window))
        print(
            f"  after, first summary (folds the old layout's totals once): {reads.items:,} "
            f"items read in {reads.calls} calls, {reads.units:,.0f} RCU, {took:.1f} s"
        )
        after, took = reads.measure(lambda: reports.summary(window))
        assert after == first, "the fold changed the figures"
        error = (after["active_members"] - n) / n * 100
        print(
            f"  after (sharded day counters + sketches + running totals): {reads.items:,} items "
            f"read in {reads.calls} calls, {reads.units:,.0f} RCU, {took:.1f} s; "
            f"active_members {after['active_members']:,} ({error:+.2f} % vs exact {n:,})"
        )
        print(
            f"  ({consumed:,} events through the consumer in {seeded:.0f} s, "
            f"{consumed / seeded:,.0f} events/s on DynamoDB Local; clock {clock.now():%Y-%m-%d})"
        )
        if args.history:
            seeded = seed_history(window.start, args.history)
            history, took = reads.measure(lambda: reports.summary(window))
            same = {k: v for k, v in history.items() if k not in ("outstanding", "members")}
            assert same == {k: v for k, v in after.items() if k not in ("outstanding", "members")}
            assert history["members"] == after["members"]
            assert history["outstanding"] == after["outstanding"] + 10 * 4 * args.history
            print(
                f"  after, with {args.history} days of history before the window (every day on "
                f"4 shards, counted in {seeded:.0f} s): {reads.items:,} items read in "
                f"{reads.calls} calls, {reads.units:,.0f} RCU, {took:.1f} s (before the running "
                f"totals: +{4 * args.history:,} day items)"
            )


if __name__ == "__main__":
    main()
