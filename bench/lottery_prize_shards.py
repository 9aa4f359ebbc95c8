"""A limited prize's stock in shards (issue 23): how the wins spread over the shards, and
what a race for the last units costs. Real handlers in process, DynamoDB Local.

1. **Spread** — ``bench/hot_partitions.py``'s pool (a prize at weight 8 unlimited, a
   limited one at weight 2 with 1 000 000 units: 20 % of draws, so 4 shards): ``--draws``
   draws; units taken per shard and, projected to 5 000 draws/s, each shard's WCU/s (2 per
   win) against the 1 000 a partition takes.
2. **Race** — one prize every draw picks, ``--stock`` units (20 shards): ``--race-draws``
   draws from ``--clients`` threads, more than the stock. Exactly the stock is won, no
   shard below zero; how many writes an empty shard refused (each then tried another) and
   how many draws fell back to no prize.

    .venv/bin/python bench/lottery_prize_shards.py [--draws 1000] [--stock 200]
        [--race-draws 400] [--clients 32]

Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _support import call, local_stack

from shared.dynamodb import keys
from shared.dynamodb import lottery_draws as draws_repo
from shared.dynamodb.models.lottery import PrizeStockItem
from shared.dynamodb.values import rows_at

PEAK = 5_000  # draws/s one campaign is built for
MEMBERS = 64


def shard_stocks(lottery_id: str, prize_id: str, shards: int) -> list[int]:
    wanted = [
        (keys.lottery_prize_shard_pk(lottery_id, prize_id, k), keys.STOCK_SK) for k in range(shards)
    ]
    by_pk = {row.pk: int(row.stock) for row in rows_at(PrizeStockItem, wanted)}
    return [by_pk[pk] for pk, _ in wanted]


class Refusals:
    """Counts the draws' writes an empty stock shard refused, per shard."""

    def __init__(self) -> None:
        self.by_shard: Counter[int] = Counter()
        self._refusal = draws_repo._refusal

    def __call__(self, cancelled: Any, plan: Any, zone: Any) -> Exception:
        refusal = self._refusal(cancelled, plan, zone)
        if isinstance(refusal, draws_repo.PrizeGone) and refusal.shard is not None:
            self.by_shard[refusal.shard] += 1
        return refusal


def campaign(prizes: list[dict[str, Any]], no_prize_weight: int) -> dict[str, Any]:
    return {
        "name": "Shards bench",
        "cost": 10,
        "starts_at": "2000-01-01T00:00:00+00:00",
        "ends_at": "2100-01-01T00:00:00+00:00",
        "no_prize_weight": no_prize_weight,
        "prizes": prizes,
    }


def prize(prize_id: str, weight: int, stock: int | None = None) -> dict[str, Any]:
    extra = {"stock": stock} if stock is not None else {}
    return {
        "prize_id": prize_id,
        "name": prize_id,
        "kind": "points",
        "weight": weight,
        "points": 1,
        **extra,
    }


def run(gateway: Any, tokens: list[str], lottery_id: str, draws: int, clients: int):
    def one(i: int) -> tuple[int, Any]:
        return call(gateway, tokens[i % len(tokens)], "POST", f"/v1/lotteries/{lottery_id}/draws")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, range(draws)))
    return results, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000)
    parser.add_argument("--stock", type=int, default=200)
    parser.add_argument("--race-draws", type=int, default=400)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    checks: dict[str, bool] = {}
    with local_stack("loyalty-points-prize-shards-bench") as gateway:
        operator = gateway.signer.sign("op-bench", ["operators"])
        system = gateway.signer.sign("shop-bench", ["systems"])
        tokens = [gateway.signer.sign(f"m-{i:03d}", []) for i in range(MEMBERS)]
        for i in range(MEMBERS):
            member = {"member_id": f"m-{i:03d}"}
            assert call(gateway, system, "POST", "/v1/members", member)[0] == 201
            buy = {"order_id": f"o-{i}", "member_id": f"m-{i:03d}", "amount": "100000"}
            assert call(gateway, system, "POST", "/v1/purchases", buy)[0] == 201

        # 1. Spread
        pool = [prize("points", 8), prize("gift", 2, 1_000_000)]
        status, body = call(
            gateway, operator, "PUT", "/v1/admin/lotteries/spread", campaign(pool, 0)
        )
        assert status == 201, body
        header = PrizeStockItem.get(keys.lottery_pk("spread"), keys.prize_sk("gift"))
        shards = int(header.shards)
        results, seconds = run(gateway, tokens, "spread", args.draws, args.clients)
        wins = sum(
            1 for s, b in results if s == 201 and (b["prize"] or {}).get("prize_id") == "gift"
        )
        taken = [250_000 - s for s in shard_stocks("spread", "gift", shards)]
        print(
            f"== 1. spread: {args.draws} draws ({seconds:.1f} s), gift won {wins} times "
            f"({100 * wins / args.draws:.1f} %), stock in {shards} shards"
        )
        for k, n in enumerate(taken):
            wcu = 2 * PEAK * n / args.draws
            print(f"   shard {k:02d}: {n:4d} units taken -> {wcu:5.0f} WCU/s at {PEAK} draws/s")
        mean = 2 * PEAK * wins / args.draws / shards
        print(f"   mean {mean:.0f} WCU/s a shard; on one item it would be {mean * shards:.0f}")
        checks["spread: units taken = wins"] = sum(taken) == wins

        # 2. Race
        refusals = Refusals()
        draws_repo._refusal = refusals  # type: ignore[assignment]
        race = campaign([prize("hot", 1, args.stock)], 0)
        status, body = call(gateway, operator, "PUT", "/v1/admin/lotteries/race", race)
        assert status == 201, body
        shards = int(PrizeStockItem.get(keys.lottery_pk("race"), keys.prize_sk("hot")).shards)
        results, seconds = run(gateway, tokens, "race", args.race_draws, args.clients)
        statuses = Counter(s for s, _ in results)
        ok = [b for s, b in results if s == 201]
        won = sum(1 for b in ok if b["prize"])
        fallbacks = sum(1 for b in ok if b.get("note") == "stock_ran_out")
        left = shard_stocks("race", "hot", shards)
        print(
            f"\n== 2. race: {args.race_draws} draws from {args.clients} threads for "
            f"{args.stock} units in {shards} shards ({seconds:.1f} s, "
            f"{args.race_draws / seconds:.0f} draws/s)"
        )
        print(
            f"   statuses {dict(statuses)}; won {won}; fell back to no prize {fallbacks}; "
            f"no prize once out {len(ok) - won - fallbacks}"
        )
        print(
            f"   writes refused by an empty shard (then another tried): "
            f"{sum(refusals.by_shard.values())}, per shard "
            f"{[refusals.by_shard[k] for k in range(shards)]}"
        )
        print(f"   shards left {left}")
        checks["race: every draw answered 201"] = statuses == {201: args.race_draws}
        checks["race: exactly the stock won"] = won == min(args.stock, args.race_draws)
        checks["race: no shard below zero, units taken = wins"] = (
            min(left) >= 0 and args.stock - sum(left) == won
        )
    print()
    for name, passed in checks.items():
        print(f"{'ok  ' if passed else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
