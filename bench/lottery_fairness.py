"""Lottery fairness: observed vs published frequencies, with a chi-square test, and draws/s.

Two measurements on the same prize pool (known weights, unlimited stock):

1. **Picking function** — 100 000 draws through ``shared.domain.lottery.draw``, the very
   function a draw request uses (``secrets.randbelow`` over the odds in force, then the
   interval lookup). No I/O: this is the fairness of the pick and its raw speed.
2. **End to end** — 2 000 draws through the real handler (``POST /v1/lotteries/{id}/draws``,
   in process) against AWS's DynamoDB Local: each one reads the campaign, picks, and writes
   the one transaction (debit, prize credit/order/coupon/payout, stats shard, daily counter,
   draw record). Observed frequencies come from the responses and are cross-checked with the
   operators' stats route and with the ledger (Σ balances = seeded − costs + prize points).

    .venv/bin/python bench/lottery_fairness.py [--draws 100000] [--ddb-draws 2000]
        [--clients 16] [--members 40] [--skip-ddb]

Exit status 1 if a bookkeeping check fails. A p-value below 0.01 is printed as LOW: with a
fair pick that happens in 1 run out of 100.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _support import call, local_stack

from shared.domain import lottery as domain
from shared.domain.lottery import Odds, Prize

NO_PRIZE_WEIGHT = 800
# (prize id, kind, weight, extra fields for the API) — total weight 1 000 with no prize.
POOL: tuple[tuple[str, str, int, dict[str, Any]], ...] = (
    ("phone", "gift", 1, {"item_id": "phone"}),
    ("red-packet", "cash", 4, {"cash": "8.88"}),
    ("coupon-30", "coupon", 15, {"item_id": "coupon-200-30"}),
    ("points-100", "points", 30, {"points": 100}),
    ("points-10", "points", 150, {"points": 10}),
)
COST = 10
SEED_POINTS = 5_000


def published_odds() -> Odds:
    prizes = [Prize(pid, pid, kind, weight) for pid, kind, weight, _ in POOL]
    return domain.odds_in_force(prizes, NO_PRIZE_WEIGHT, {})


def report(title: str, counts: Counter, odds: Odds, seconds: float) -> float:
    n = sum(counts.values())
    outcomes = [c.prize_id for c in odds.chances]
    observed = [counts.get(o, 0) for o in outcomes]
    expected = [n * c.weight / odds.total for c in odds.chances]
    statistic, df = domain.chi_square(observed, expected)
    p_value = domain.chi_square_p_value(statistic, df)
    print(f"\n== {title}")
    print(
        f"{'outcome':<12} {'weight':>7} {'published':>10} {'observed':>9} {'expected':>10}"
        f" {'obs. freq':>10}"
    )
    for chance, o, e in zip(odds.chances, observed, expected, strict=True):
        name = chance.prize_id or "(no prize)"
        print(
            f"{name:<12} {chance.weight:>7} {odds.text(chance.prize_id):>10} {o:>9}"
            f" {e:>10.1f} {domain.odds_text(o, n):>10}"
        )
    verdict = "ok (> 0.01)" if p_value > 0.01 else "LOW (< 0.01)"
    print(f"draws: {n}   chi-square: {statistic:.3f}   df: {df}   p-value: {p_value:.4f} {verdict}")
    print(f"time: {seconds:.3f} s   draws/s: {n / seconds:,.0f}")
    return p_value


def pure(draws: int) -> None:
    odds = published_odds()
    counts: Counter = Counter()
    started = time.perf_counter()
    for _ in range(draws):
        counts[domain.draw(odds)[1]] += 1
    seconds = time.perf_counter() - started
    report(
        f"1. picking function shared.domain.lottery.draw, {draws:,} draws (CSPRNG, no I/O)",
        counts,
        odds,
        seconds,
    )


def end_to_end(draws: int, clients: int, members: int) -> bool:
    with local_stack("loyalty-points-lottery-bench") as gateway:
        operator = gateway.signer.sign("op-bench", ["operators"])
        system = gateway.signer.sign("shop-bench", ["systems"])
        tokens = [gateway.signer.sign(f"m-{i:03d}", []) for i in range(members)]
        for i in range(members):
            member_id = f"m-{i:03d}"
            assert call(gateway, system, "POST", "/v1/members", {"member_id": member_id})[0] == 201
            purchase = {
                "order_id": f"o-{i}",
                "member_id": member_id,
                "amount": str(SEED_POINTS - 100),
            }
            assert call(gateway, system, "POST", "/v1/purchases", purchase)[0] == 201
        for item_id, kind in (("phone", "gift"), ("coupon-200-30", "coupon")):
            item = {"name": item_id, "kind": kind, "points": 1000}
            assert call(gateway, operator, "PUT", f"/v1/admin/catalog/{item_id}", item)[0] == 201
        campaign = {
            "name": "Fairness bench",
            "cost": COST,
            "starts_at": "2000-01-01T00:00:00+00:00",
            "ends_at": "2100-01-01T00:00:00+00:00",
            "no_prize_weight": NO_PRIZE_WEIGHT,
            "prizes": [
                {"prize_id": pid, "name": pid, "kind": kind, "weight": weight, **extra}
                for pid, kind, weight, extra in POOL
            ],
        }
        status, body = call(gateway, operator, "PUT", "/v1/admin/lotteries/bench", campaign)
        assert status == 201, body

        def one(i: int) -> tuple[int, Any]:
            return call(gateway, tokens[i % members], "POST", "/v1/lotteries/bench/draws")

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            results = list(pool.map(one, range(draws)))
        seconds = time.perf_counter() - started

        statuses = Counter(s for s, _ in results)
        ok = [b for s, b in results if s == 201]
        counts = Counter(b["prize"]["prize_id"] if b["prize"] else None for b in ok)
        report(
            f"2. end to end: {draws:,} draws through the handler and DynamoDB Local "
            f"({clients} client threads, {members} members)",
            counts,
            published_odds(),
            seconds,
        )
        print(f"statuses: {dict(statuses)}")

        # Bookkeeping: the operators' stats and the members' ledgers agree with the answers.
        _, stats = call(gateway, operator, "GET", "/v1/admin/lotteries/bench/stats")
        won = {o["prize_id"]: o["won"] for o in stats["outcomes"]}
        prize_points = sum((b["prize"] or {}).get("points") or 0 for b in ok)
        balances = sum(call(gateway, token, "GET", "/v1/me")[1]["balance"] for token in tokens)
        checks = {
            "every draw answered 201": statuses == {201: draws},
            "stats count every draw": stats["draws"] == len(ok),
            "stats outcomes = answers": won == {o: counts.get(o, 0) for o in won},
            "points in = draws × cost": stats["points_in"] == len(ok) * COST,
            "points out = prize points": stats["points_out"] == prize_points,
            "Σ balances = seeded − costs + prizes": balances
            == members * SEED_POINTS - len(ok) * COST + prize_points,
        }
        print(f"stats route chi-square: {stats['chi_square']}")
        for name, passed in checks.items():
            print(f"check: {name:<40} {'ok' if passed else 'FAILED'}")
        return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--ddb-draws", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--skip-ddb", action="store_true")
    args = parser.parse_args()
    print(f"pool: {', '.join(f'{p}={w}' for p, _, w, _ in POOL)}, no prize={NO_PRIZE_WEIGHT}")
    pure(args.draws)
    if args.skip_ddb:
        return 0
    return 0 if end_to_end(args.ddb_draws, args.clients, args.members) else 1


if __name__ == "__main__":
    sys.exit(main())
