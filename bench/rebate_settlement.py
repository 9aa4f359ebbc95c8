"""Does rebate settlement's cost follow the participants, not the members?

Seeds (straight into DynamoDB Local) P members who took part in a rebate campaign (profile +
accrual), settles the campaign and times it, counting DynamoDB calls; settles again (every
statement already written: reads only). Then the same P participants among 10 × P more
members who never bought during the campaign. Prints the times, the calls and the ratio
(target ≤ 1.2).
Usage: python bench/rebate_settlement.py [P]   (default P = 10 000)
"""

from __future__ import annotations

import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from _support import ROOT, OpTimer, local_stack

from tests.support import rebate_body

CAMPAIGN = {"campaign_id": "ye-bench", **rebate_body(name="Year end (bench)")}
SETTLE_AT = datetime(2027, 1, 9, tzinfo=UTC)  # after the return window closed
OPERATOR = "op-bench"  # the settlement is an operator's: its completion is audited
AT = "2026-12-10T02:00:00.000000+00:00"


def seed(participants: int, others: int, table: str, endpoint: str) -> int:
    """Profiles for everyone, an accrual for each participant; returns Σ qualifying cents."""
    import boto3

    from shared.dynamodb import keys

    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    resource.Table(table).put_item(
        Item={
            "pk": keys.PROGRAMME,
            "sk": keys.rebate_campaign_sk(CAMPAIGN["campaign_id"]),
            "data": json.dumps(CAMPAIGN),
            "updated_at": AT,
        }
    )
    amounts = [random.Random(i).randrange(10_000, 1_500_000) for i in range(participants)]

    def profile(member_id: str) -> dict:
        return {
            "pk": keys.member_pk(member_id),
            "sk": keys.PROFILE,
            "member_id": member_id,
            "status": "active",
            "balance": 100,
            "spendable": 100,
            "held": 0,
            "credited": 100,
            "consumed": 0,
            "settled": 0,
            "ver": 1,
            "tier": "bronze",
            "qualifying": {},
            "registered_at": AT,
        }

    def write(block: range) -> None:
        with resource.Table(table).batch_writer() as batch:
            for i in block:
                member_id = f"m-{i:07d}"
                batch.put_item(Item=profile(member_id))
                if i < participants:
                    cid = CAMPAIGN["campaign_id"]
                    batch.put_item(
                        Item={
                            "pk": keys.member_pk(member_id),
                            "sk": keys.rebate_sk(cid),
                            "campaign_id": cid,
                            "member_id": member_id,
                            "qualifying": amounts[i],
                            "listed": 0,
                            "referral": 0,
                            "ver": 1,
                            **keys.rebate_index(cid, member_id),
                        }
                    )

    total = participants + others
    blocks = [range(start, min(start + 1_000, total)) for start in range(0, total, 1_000)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, blocks))
    return sum(amounts)


def measure(participants: int, others: int) -> float:
    from shared import programme
    from shared.domain.rebate_statements import compute
    from shared.domain.rebates import Accrual, RebateCampaign, from_cents
    from shared.dynamodb import connection
    from shared.rebates.settlement import settle
    from shared.settings import settings

    with local_stack(table=f"rebate-bench-{participants + others}") as _gateway:
        cfg = settings()
        started = time.perf_counter()
        qualifying = seed(participants, others, cfg.table_name, cfg.dynamodb_endpoint)
        seeded = time.perf_counter() - started
        connection.reset()
        programme.invalidate()
        timings = OpTimer(connection.connection().client)
        started = time.perf_counter()
        result = settle(CAMPAIGN["campaign_id"], SETTLE_AT, actor=OPERATOR)
        elapsed = time.perf_counter() - started
        calls = sum(len(t) for t in timings.totals.values())
        print(
            f"  {participants:>6} participants, {others:>7} other members: seeded in "
            f"{seeded:5.1f} s; settlement {elapsed:6.2f} s, {calls} DynamoDB calls — "
            f"{result['statements']} statements, total {result['total']}"
        )
        print("           " + timings.summary())
        campaign = RebateCampaign.from_json(CAMPAIGN)
        expected = sum(
            compute(
                campaign, Accrual("", "", qualifying=random.Random(i).randrange(10_000, 1_500_000))
            ).total
            for i in range(participants)
        )
        assert result["complete"] and result["statements"] == participants
        assert result["total"] == str(expected), (result["total"], expected)
        timings.totals.clear()
        started = time.perf_counter()
        again = settle(CAMPAIGN["campaign_id"], SETTLE_AT, actor=OPERATOR)
        print(
            f"           settled again: {time.perf_counter() - started:6.2f} s, "
            f"{sum(len(t) for t in timings.totals.values())} calls, same answer: {again == result}"
            f" (qualifying {from_cents(qualifying)})"
        )
        return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(f"rebate settlement (repo {ROOT.name}):")
    alone = measure(n, 0)
    among = measure(n, 10 * n)
    print(
        f"\n{n} participants: {alone:.2f} s; among {10 * n} more members: {among:.2f} s; "
        f"ratio {among / alone:.2f} (target ≤ 1.2)"
    )


if __name__ == "__main__":
    main()
