"""How far local mode's reports fall behind a burst of business events (issue 23).

On DynamoDB Local (in memory) a bus tails the table's stream every 0.25 s, as
local/server.py's does, and hands the reports consumer what it read. A burst of ``--events``
ledger entries (purchase earnings of 2 000 members, one PointsEarned event each) is written
straight into the table with BatchWriteItem from two threads — as fast as DynamoDB Local
takes them, faster than the handlers could make them — and the time from the burst's last
write until the report has counted every event is the lag.

- before: the consumer up to issue 23, a transaction per event on the day's single item and
  one per member and day for its marker (``--before-events``, default 2 000: it is slow);
- after: the batch consumer (shared/reports.py ``aggregate``), 1 000 events a batch, its
  markers in the counted-events table (no stream, no index: shared/tables.py).

Then the consumer's own pace: as many events written with the bus stopped, then counted.

    .venv/bin/python bench/reports_lag.py [--events 10000] [--before-events 2000]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _support import local_stack

DAY = "2027-01-10"
MEMBERS = 2_000


def burst(raw: Any, table: str, tag: str, n: int) -> float:
    """``n`` ledger entries written as fast as the table takes them; returns when done."""

    def entry(i: int) -> dict[str, Any]:
        member = f"m-{i % MEMBERS}"
        return {
            "pk": {"S": f"MEMBER#{member}"},
            "sk": {"S": f"LEDGER#purchase#{tag}-{i}"},
            "type": {"S": "earn"},
            "source": {"S": "purchase"},
            "member_id": {"S": member},
            "entry_id": {"S": f"{tag}-{i}"},
            "points": {"N": "10"},
            "at": {"S": f"{DAY}T12:00:00+08:00"},
        }

    def write(part: range) -> None:
        for start in range(part.start, part.stop, 25):
            batch = [
                {"PutRequest": {"Item": entry(i)}} for i in range(start, min(start + 25, part.stop))
            ]
            while batch:
                left = raw.batch_write_item(RequestItems={table: batch})["UnprocessedItems"]
                batch = left.get(table, [])

    half = n // 2
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, (range(0, half), range(half, n))))
    return time.perf_counter()


class Setup:
    """A bus over the table's stream handing what it reads to ``consumer`` (what the table
    held before already drained: not this burst's), and the issued points counted so far."""

    def __init__(self, consumer: Callable[[list[Any]], Any]) -> None:
        import boto3

        from local.bus import LocalBus, StreamTail
        from shared import clock, reports
        from shared.settings import settings

        cfg = settings()
        self.table = cfg.table_name
        self.raw = boto3.client(
            "dynamodb", endpoint_url=cfg.dynamodb_endpoint, region_name="us-east-1"
        )
        self.bus = LocalBus(StreamTail(cfg.dynamodb_endpoint, self.table), subscribers=[consumer])
        self.bus.drain()
        self.window = reports.window(None, None, clock.now())
        self.before = self.issued()

    def issued(self) -> int:
        from shared import reports

        return reports.summary(self.window)["issued"]

    def all_counted(self, n: int) -> bool:
        """Every one of ``n`` events (10 points each) written since is counted."""
        return self.issued() >= self.before + 10 * n


def run(label: str, consumer: Callable[[list[Any]], Any], n: int, tag: str) -> None:
    setup = Setup(consumer)
    stop = threading.Event()

    def loop() -> None:  # as LocalBus.run_in_background, but stoppable
        while not stop.is_set():
            setup.bus.drain()
            time.sleep(0.25)

    thread = threading.Thread(target=loop, daemon=True)
    started = time.perf_counter()
    thread.start()
    ended = burst(setup.raw, setup.table, tag, n)
    while not setup.all_counted(n):
        time.sleep(0.1)
    counted = time.perf_counter()
    stop.set()
    thread.join()
    print(
        f"  {label}: {n:,} events written in {ended - started:.1f} s; all counted "
        f"{counted - ended:.1f} s after the burst's end (lag), {counted - started:.1f} s in all: "
        f"{n / (counted - started):,.0f} events/s"
    )


def catch_up(consumer: Callable[[list[Any]], Any], n: int, tag: str) -> None:
    """The consumer's own pace: ``n`` events written while the bus is stopped, then the bus
    started — how long it takes to count them all (nothing else writing meanwhile)."""
    setup = Setup(consumer)
    burst(setup.raw, setup.table, tag, n)
    started = time.perf_counter()
    setup.bus.drain()
    spent = time.perf_counter() - started
    assert setup.issued() == setup.before + 10 * n
    print(
        f"  caught up after a stop: {n:,} events waiting, all counted in {spent:.1f} s: "
        f"{n / spent:,.0f} events/s (the stream read included)"
    )


def legacy_events() -> list[Any]:
    """One event counted the old way, so the reports hold a day from before the switch."""
    from shared.events import LEDGER_EVENTS, Event

    detail = {"member_id": "m-old", "type": "earn", "points": 10, "at": f"{DAY}T09:00:00+08:00"}
    return [Event("old-1", LEDGER_EVENTS["earn"], {"event_id": "old-1", **detail})]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--before-events", type=int, default=2_000)
    parser.add_argument(
        "--old-markers",
        action="store_true",
        help="count with the table's old markers still looked up (a deploy's first 14 days)",
    )
    args = parser.parse_args()
    print(f"burst of ledger entries ({MEMBERS:,} members), reports lag in local mode:")
    if args.before_events:
        with local_stack("loyalty-points-reports-lag-before"):
            from tests.reports_legacy import one_by_one
            from tests.support import at

            at(DAY, hour=20)
            run("before (an event at a time)", one_by_one, args.before_events, "b")
    # A table of its own: on the one counted the old way the consumer would still look the
    # old markers up (shared/dynamodb/reports.py legacy_markers_until), a deploy's first 14
    # days, not how it runs after. That window is measured apart (--old-markers).
    with local_stack("loyalty-points-reports-lag"):
        from shared import clock, reports
        from tests.reports_legacy import one_by_one
        from tests.support import at

        at(DAY, hour=20)
        if args.old_markers:
            one_by_one(legacy_events())  # counted the old way: the 14-day window is open
        batches = lambda found: reports.aggregate(found, clock.now())  # noqa: E731
        label = "after, old markers looked up" if args.old_markers else "after"
        run(f"{label} (batches of 1 000)", batches, args.events, "a")
        catch_up(batches, args.events, "c")


if __name__ == "__main__":
    main()
