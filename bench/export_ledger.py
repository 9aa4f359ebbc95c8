"""Exports: what a ledger export costs on DynamoDB Local.

Seeds MEMBERS member partitions (profile, ENTRIES ledger entries, as many lots; written
directly with BatchWriteItem, the shapes the ledger code writes), then runs the export job
of the whole ledger and of one month of it, and prints: rows, seconds, rows/s, the file's
size, the job's peak Python memory (tracemalloc: flat if the rows stream), the Scan
requests and the read capacity they consumed (ReturnConsumedCapacity), and the RCU per
GB of table. A Scan is billed on what it reads before its filter, so the month costs what
the whole table costs: the point of the figure.

    .venv/bin/python bench/export_ledger.py [members] [entries per member]
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

from _support import OpTimer, local_stack

MEMBERS = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
ENTRIES = int(sys.argv[2]) if len(sys.argv) > 2 else 4
START = datetime(2026, 1, 1, tzinfo=UTC)


def _items(member: int) -> list[dict[str, Any]]:
    from shared.clock import utc_iso
    from shared.dynamodb import keys

    member_id = f"m-{member:06d}"
    pk = {"S": keys.member_pk(member_id)}
    items = [
        {
            "pk": pk,
            "sk": {"S": keys.PROFILE},
            "member_id": {"S": member_id},
            "status": {"S": "active"},
            "balance": {"N": str(100 * ENTRIES)},
            "registered_at": {"S": utc_iso(START)},
            "phone": {"S": f"+86138{member:08d}"},
        }
    ]
    for n in range(ENTRIES):
        at = utc_iso(START + timedelta(days=(member + 37 * n) % 360))
        ref = f"o-{member:06d}-{n}"
        items.append(
            {
                "pk": pk,
                "sk": {"S": keys.ledger_sk("purchase", ref)},
                "lsi1sk": {"S": keys.ledger_time_key(at, f"purchase:{ref}")},
                "entry_id": {"S": f"purchase:{ref}"},
                "member_id": {"S": member_id},
                "type": {"S": "earn"},
                "source": {"S": "purchase"},
                "ref": {"S": ref},
                "points": {"N": "100"},
                "at": {"S": at},
                "description": {"S": "Purchase"},
                "amount": {"S": "100.50"},
                "currency": {"S": "CNY"},
            }
        )
        items.append(
            {
                "pk": pk,
                "sk": {"S": keys.lot_sk(START.date(), "purchase", ref)},
                "member_id": {"S": member_id},
                "points": {"N": "100"},
                "expires_on": {"S": "2028-12-31"},
                "source": {"S": "purchase"},
                "ref": {"S": ref},
                "earned_at": {"S": at},
            }
        )
    return items


def seed(client: Any, table: str) -> None:
    batch: list[dict[str, Any]] = []
    for member in range(MEMBERS):
        batch += [{"PutRequest": {"Item": item}} for item in _items(member)]
        while len(batch) >= 25:
            _write(client, table, batch[:25])
            batch = batch[25:]
    if batch:
        _write(client, table, batch)


def _write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    pending = {table: requests}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


class ScanMeter:
    """Scan requests and the read capacity they consumed."""

    def __init__(self, client: Any) -> None:
        self.requests = 0
        self.rcu = 0.0
        client.meta.events.register("provide-client-params.dynamodb.Scan", self.ask)
        client.meta.events.register("after-call.dynamodb.Scan", self.count)

    @staticmethod
    def ask(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def count(self, parsed: dict[str, Any], **_: Any) -> None:
        self.requests += 1
        self.rcu += float((parsed.get("ConsumedCapacity") or {}).get("CapacityUnits", 0))


def run(label: str, body: dict[str, Any], meter: ScanMeter, table_bytes: int) -> None:
    import os
    from pathlib import Path

    from shared import clock
    from shared.domain.exports import Export
    from shared.exports import jobs

    meter.requests, meter.rcu = 0, 0.0
    now = clock.now()
    export = Export(
        export_id=f"bench-{label}",
        kind="ledger",
        requested_by="bench",
        requested_at=now,
        updated_at=now,
        start=body.get("from"),
        end=body.get("to", now),
    )
    from shared.domain.audit import entry, target
    from shared.dynamodb import exports as repo

    repo.create(export, entry(now, "bench", "export.create", target("export", export.export_id)))
    tracemalloc.start()
    started = time.perf_counter()
    result = jobs.run_export({"export_id": export.export_id})
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = Path(os.environ["FILES_DIR"], f"exports/{export.export_id}.csv").stat().st_size
    rows = result["rows"]
    per_gb = meter.rcu / (table_bytes / 1e9) if table_bytes else float("nan")
    print(
        f"{label:>6}: {rows:>7} rows in {seconds:5.1f} s ({rows / seconds:7.0f} rows/s), "
        f"file {size / 1e6:5.1f} MB, peak Python memory {peak / 1e6:5.1f} MB, "
        f"{meter.requests} Scan requests, {meter.rcu:8.1f} RCU consumed "
        f"({per_gb:,.0f} RCU per GB of table)"
    )


def main() -> None:
    import os

    with tempfile.TemporaryDirectory() as files_dir, local_stack("loyalty-export-bench"):
        os.environ["FILES_DIR"] = files_dir
        from shared.dynamodb import connection
        from shared.settings import settings

        client = connection.connection().client
        table = settings().table_name
        started = time.perf_counter()
        seed(client, table)
        items = MEMBERS * (1 + 2 * ENTRIES)
        print(
            f"seeded {MEMBERS} members, {MEMBERS * ENTRIES} ledger entries, {items} items "
            f"in {time.perf_counter() - started:.1f} s"
        )
        table_bytes = int(client.describe_table(TableName=table)["Table"].get("TableSizeBytes", 0))
        print(f"table size (DescribeTable): {table_bytes / 1e6:.1f} MB")
        meter = ScanMeter(client)
        timer = OpTimer(client)
        run("year", {}, meter, table_bytes)
        month = {"from": START + timedelta(days=31), "to": START + timedelta(days=59)}
        run("month", month, meter, table_bytes)
        print(f"DynamoDB calls: {timer.summary()}")


if __name__ == "__main__":
    main()
