"""Does the expiry job's cost follow the lots due, not the members? And how does it scale
with parallel workers (issue 23's fan-out, shared/jobs/fanout.py)?

1. Seeds (straight into DynamoDB Local) N members with one lot each that is not due, plus
   1 000 due lots spread over 1 000 of them; runs the job and times it. Then the same with
   10 × N members. Prints both times and their ratio (target ≤ 1.2).
2. ``--workers``: seeds 1 000 due lots for each of 1, 2, 4, 8 workers (each set due on its
   own day, so one table serves every run) and runs each day's expiry fanned out over that
   many threads (``fanout.Pool``: the shards' tasks as the job-shards queue's workers run
   them on AWS); prints lots/s per worker count, the DynamoDB calls per lot and the
   projection for 10 million lots on AWS (docs/data-model.md "Jobs fan out").
Usage: python bench/expire_scaling.py [N] | --workers
"""

from __future__ import annotations

import random
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from _support import ROOT, OpTimer, local_stack

DUE_LOTS = 1_000
EARNED = date(2027, 1, 10)
DUE_ON = date(2027, 7, 10)  # last valid day: due for a run on 2027-07-11
LATER = date(2027, 12, 31)
RUN_AT = datetime(2027, 7, 10, 19, 30, tzinfo=UTC)  # 2027-07-11 03:30 in Asia/Shanghai


def seed(members: int, table: str, endpoint: str, due_on: dict[int, date] | None = None) -> None:
    """``members`` members with a lot not due; ``due_on`` (member index → day) a second lot
    due that day (default: DUE_LOTS members picked at random, due on DUE_ON)."""
    import boto3

    from shared.dynamodb import keys
    from shared.programme import current

    shards = current().expiry_shards
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    if due_on is None:
        due_on = {i: DUE_ON for i in random.Random(7).sample(range(members), DUE_LOTS)}
    at = "2027-01-10T02:00:00.000000+00:00"

    def lot(member_id: str, expires_on: date, points: int) -> dict:
        sk = keys.lot_sk(expires_on, "purchase", f"seed-{uuid.uuid4().hex[:8]}")
        return {
            "pk": keys.member_pk(member_id),
            "sk": sk,
            "member_id": member_id,
            "points": points,
            "expires_on": expires_on.isoformat(),
            "source": "purchase",
            "ref": sk,
            "earned_at": at,
            "exp_pk": keys.expiry_pk(keys.shard_of(member_id, shards)),
            "exp_sk": keys.expiry_sk(expires_on, member_id, sk),
        }

    def write(block: range) -> None:
        table_ = resource.Table(table)
        with table_.batch_writer() as batch:
            for i in block:
                member_id = f"m-{i:06d}"
                lots = [lot(member_id, LATER, 100)]
                if i in due_on:
                    lots.append(lot(member_id, due_on[i], 40))
                total = sum(x["points"] for x in lots)
                batch.put_item(
                    Item={
                        "pk": keys.member_pk(member_id),
                        "sk": keys.PROFILE,
                        "member_id": member_id,
                        "status": "active",
                        "balance": total,
                        "spendable": total,
                        "held": 0,
                        "credited": total,
                        "consumed": 0,
                        "settled": 0,
                        "ver": 1,
                        "tier": "bronze",
                        "qualifying": {},
                        "registered_at": at,
                    }
                )
                for item in lots:
                    batch.put_item(Item=item)

    blocks = [range(start, min(start + 500, members)) for start in range(0, members, 500)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, blocks))


def measure(members: int) -> tuple[float, dict]:
    from shared.dynamodb import connection
    from shared.expiry import run_expiry
    from shared.settings import settings

    with local_stack(table=f"expire-bench-{members}") as _gateway:
        cfg = settings()
        started = time.perf_counter()
        seed(members, cfg.table_name, cfg.dynamodb_endpoint)
        seeded = time.perf_counter() - started
        connection.reset()
        timings = OpTimer(connection.connection().client)
        started = time.perf_counter()
        result = run_expiry(RUN_AT)
        elapsed = time.perf_counter() - started
        print(
            f"  {members:>6} members: seeded in {seeded:5.1f} s; job {elapsed:6.2f} s — "
            f"{result['members']} members settled, {result['lots']} lots, "
            f"{result['expired_points']} points expired"
        )
        print("           " + timings.summary())
        assert result["lots"] == DUE_LOTS and result["expired_points"] == DUE_LOTS * 40
        return elapsed, result


WORKERS = (1, 2, 4, 8)
WARM_UP_LOTS = 300
# AWS latencies (same region, warm client; DynamoDB's documented single-digit milliseconds):
# what a member's expiry costs there, from the calls per lot the bench counts.
AWS_MS = {"GetItem": 5.0, "Query": 6.0, "TransactWriteItems": 15.0, "UpdateItem": 6.0}
TARGET_LOTS = 10_000_000


def scaling() -> None:
    from shared.dynamodb import connection
    from shared.expiry import expiry_work
    from shared.jobs.fanout import Pool
    from shared.jobs.runner import fan_out
    from shared.settings import settings

    warm_up = date(2027, 7, 8)  # a first run, untimed: DynamoDB Local's JVM warms up
    days = {workers: date(2027, 7, 10 + 2 * k) for k, workers in enumerate(WORKERS)}
    due_on = {k * DUE_LOTS + i: day for k, day in enumerate(days.values()) for i in range(DUE_LOTS)}
    due_on |= {len(days) * DUE_LOTS + i: warm_up for i in range(WARM_UP_LOTS)}
    with local_stack(table="expire-bench-workers"):
        cfg = settings()
        started = time.perf_counter()
        seed(len(due_on), cfg.table_name, cfg.dynamodb_endpoint, due_on)
        print(
            f"  seeded {len(due_on)} members, {DUE_LOTS} lots due on each of {len(days)} days "
            f"in {time.perf_counter() - started:.1f} s"
        )
        connection.reset()
        timings = OpTimer(connection.connection().client)
        rates = {}
        at = datetime(warm_up.year, warm_up.month, warm_up.day, 19, 30, tzinfo=UTC)
        fan_out(expiry_work(at), at, dispatcher=Pool(2))
        for workers, day in days.items():
            at = datetime(day.year, day.month, day.day, 19, 30, tzinfo=UTC)  # the next day's
            timings.totals.clear()
            started = time.perf_counter()
            result = fan_out(expiry_work(at), at, dispatcher=Pool(workers))
            elapsed = time.perf_counter() - started
            assert result["complete"] and result["lots"] == DUE_LOTS, result
            rates[workers] = DUE_LOTS / elapsed
            print(
                f"  {workers} worker(s): {elapsed:6.2f} s, {rates[workers]:6.1f} lots/s "
                f"(×{rates[workers] / rates[1]:.2f})"
            )
        calls = {name: len(t) / DUE_LOTS for name, t in timings.totals.items()}
        print(
            "  per lot (last run): " + "; ".join(f"{n} {c:.2f}" for n, c in sorted(calls.items()))
        )
    per_lot_ms = sum(AWS_MS.get(name, 6.0) * c for name, c in calls.items())
    print(
        "\nDynamoDB Local on this machine: 2 cores shared with other sessions; the engine "
        "(one JVM) is the ceiling, so the rate stops rising at 2-4 workers."
    )
    print(
        f"AWS: {per_lot_ms:.0f} ms of DynamoDB calls per lot (AWS_MS × calls per lot) — "
        f"{1000 / per_lot_ms:.0f} lots/s per worker:"
    )
    for workers in (10, 32, 64):
        hours = TARGET_LOTS * per_lot_ms / 1000 / workers / 3600
        print(
            f"  {TARGET_LOTS:,} lots with {workers:>2} workers (≥ as many shards): {hours:5.1f} h"
        )


def main() -> None:
    if "--workers" in sys.argv:
        print(f"expiry fanned out, {DUE_LOTS} lots due per run (repo {ROOT.name}):")
        scaling()
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    print(f"expiry job, {DUE_LOTS} lots due (repo {ROOT.name}):")
    small, _ = measure(n)
    large, _ = measure(10 * n)
    print(
        f"\nN = {n}: {small:.2f} s; 10 × N = {10 * n}: {large:.2f} s; "
        f"ratio {large / small:.2f} (target ≤ 1.2)"
    )


if __name__ == "__main__":
    main()
