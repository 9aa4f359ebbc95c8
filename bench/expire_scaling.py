"""Does the expiry job's cost follow the lots due, not the members?

Seeds (straight into DynamoDB Local) N members with one lot each that is not due, plus
1 000 due lots spread over 1 000 of them; runs the job and times it. Then the same with
10 × N members. Prints both times and their ratio (target ≤ 1.2).
Usage: python bench/expire_scaling.py [N]   (default N = 5 000)
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


def seed(members: int, table: str, endpoint: str) -> None:
    import boto3

    from shared.dynamodb import keys
    from shared.programme import current

    shards = current().expiry_shards
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    due_members = set(random.Random(7).sample(range(members), DUE_LOTS))
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
                if i in due_members:
                    lots.append(lot(member_id, DUE_ON, 40))
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


def main() -> None:
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
