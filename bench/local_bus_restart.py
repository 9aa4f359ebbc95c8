"""How long a new purchase waits after local mode's bus restarts, with a day-like history.

Seeds purchases through the real handler (in process) on DynamoDB Local until the table's
stream holds ``--records`` records (default 5 000: purchases, their ledger entries, lots and
balances, and the report counters the bus itself writes), lets a bus deliver them all to the
reports consumer (as the server's bus does) and stops it; then makes one more purchase while
no bus runs and restarts the bus two ways, timing from the restart to the moment the reports
consumer has the new purchase's event:

- before: no kept position — what local/bus.py did up to issue 23 (every shard from
  TRIM_HORIZON: the whole retained history is delivered again first);
- after: the position kept in a file (AFTER_SEQUENCE_NUMBER per shard).

    .venv/bin/python bench/local_bus_restart.py [--records 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import call, local_stack

TABLE = "loyalty-points-bus-restart"


class Restart:
    """A reports consumer that notes when the awaited purchase's event reaches it."""

    def __init__(self, entry_id: str):
        self.entry_id = entry_id
        self.started = time.perf_counter()
        self.seen_after: float | None = None
        self.delivered = 0

    def __call__(self, found: list[Any]) -> None:
        from shared import clock, reports

        reports.aggregate(found, clock.now())
        self.delivered += len(found)
        if self.seen_after is None and any(
            e.detail.get("entry_id") == self.entry_id for e in found
        ):
            self.seen_after = time.perf_counter() - self.started


def restart(position: Any, entry_id: str) -> Restart:
    from local.bus import LocalBus, StreamTail
    from shared.settings import settings

    cfg = settings()
    consumer = Restart(entry_id)  # the clock starts here: the restart
    bus = LocalBus(
        StreamTail(cfg.dynamodb_endpoint, cfg.table_name, position=position),
        subscribers=[consumer],
    )
    while consumer.seen_after is None:
        bus.drain()
    return consumer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5_000)
    args = parser.parse_args()
    with local_stack(TABLE) as gateway, tempfile.TemporaryDirectory() as state:
        from local.bus import LocalBus, StreamPosition, StreamTail
        from shared.settings import settings

        system = gateway.signer.sign("bench", ["systems"])
        cfg = settings()
        position = StreamPosition(Path(state) / "bus.json")

        class CountingTail(StreamTail):
            records = 0

            def poll(self) -> list[dict[str, Any]]:
                got = super().poll()
                self.records += len(got)
                return got

        # The bus that ran all day: delivers as the purchases come, keeps its position.
        tail = CountingTail(cfg.dynamodb_endpoint, cfg.table_name, position=position)
        day = LocalBus(tail, subscribers=[Restart("none")])
        purchases, t0 = 0, time.perf_counter()
        while tail.records < args.records:
            for _ in range(50):
                member = f"m-{purchases % 200:03d}"
                if purchases < 200:
                    call(gateway, system, "POST", "/v1/members", {"member_id": member})
                body = {"order_id": f"o-{purchases}", "member_id": member, "amount": "58.00"}
                status, _ = call(gateway, system, "POST", "/v1/purchases", body)
                assert status == 201, status
                purchases += 1
            day.drain()
        day.drain()
        print(
            f"history: {purchases} purchases, {tail.records} stream records "
            f"(seeded and delivered in {time.perf_counter() - t0:.0f} s); the bus stops"
        )

        status, _ = call(
            gateway,
            system,
            "POST",
            "/v1/purchases",
            {"order_id": "o-new", "member_id": "m-000", "amount": "58.00"},
        )
        assert status == 201
        after = restart(position, "purchase:o-new")
        before = restart(None, "purchase:o-new")
        print(
            f"before (no kept position): new purchase counted {before.seen_after:.2f} s after "
            f"the restart, behind {before.delivered - 1} events delivered again"
        )
        print(
            f"after (position kept):     new purchase counted {after.seen_after:.2f} s after "
            f"the restart, {after.delivered} event(s) delivered"
        )


if __name__ == "__main__":
    main()
