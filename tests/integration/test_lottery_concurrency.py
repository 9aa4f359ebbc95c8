"""Members racing for a limited top prize against AWS's DynamoDB Local (moto is not safe under
concurrency): exactly the stock is won, never below zero, every draw debited exactly once,
and costs and prize points add up to the ledger; the same for a prize whose stock is in
shards (issue 23)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models.lottery import PrizeStockItem
from shared.dynamodb.values import rows_at
from tests.support import Api, Result, lottery_body, member_with_points, points_prize

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]

MEMBERS = 64
COST = 50
TOP_POINTS, SMALL_POINTS = 500, 20
TOP_STOCK = 10


def test_64_members_racing_for_a_top_prize_of_stock_10_win_it_exactly_10_times(
    local_api: Api,
) -> None:
    api = local_api
    members = [f"m-{i:02d}" for i in range(MEMBERS)]
    for member_id in members:
        member_with_points(api, member_id, 1_000)
    pool = {
        "name": "New year draw",
        "cost": COST,
        "daily_limit": 1,
        "starts_at": "2027-01-01T00:00:00+08:00",
        "ends_at": "2027-02-01T00:00:00+08:00",
        # The top prize is picked ~90 % of the time: far more members pick it than it has
        # stock, so most of them race for the last units.
        "prizes": [
            {
                "prize_id": "top",
                "name": "500 points",
                "kind": "points",
                "weight": 90,
                "points": TOP_POINTS,
                "stock": TOP_STOCK,
            },
            {
                "prize_id": "small",
                "name": "20 points",
                "kind": "points",
                "weight": 5,
                "points": SMALL_POINTS,
            },
        ],
        "no_prize_weight": 5,
    }
    assert api.operator("PUT", "/v1/admin/lotteries/ny", pool).status == 201

    def draw(i: int) -> tuple[str, Result]:
        member_id = members[i % MEMBERS]  # every member sends its draw twice (a retry)
        headers = {"idempotency-key": f"draw-{member_id}"}
        return member_id, api.member(member_id, "POST", "/v1/lotteries/ny/draws", headers=headers)

    with ThreadPoolExecutor(max_workers=MEMBERS) as workers:
        results = list(workers.map(draw, range(2 * MEMBERS)))

    assert Counter(r.status for _, r in results) == {201: 2 * MEMBERS}, [
        r.body for _, r in results if r.status != 201
    ]
    by_member: dict[str, list[dict[str, Any]]] = {}
    for member_id, result in results:
        by_member.setdefault(member_id, []).append(result.body)
    assert all(first == retry for first, retry in by_member.values())  # the same draw, twice
    draws = {m: bodies[0] for m, bodies in by_member.items()}
    won = Counter(d["prize"]["prize_id"] if d["prize"] else None for d in draws.values())
    assert won["top"] == TOP_STOCK

    ny = api.operator("GET", "/v1/admin/lotteries/ny").body
    assert [p["stock"] for p in ny["prizes"]] == [0, None]
    prize_points = TOP_POINTS * won["top"] + SMALL_POINTS * won["small"]
    total = 0
    for member_id, body in draws.items():
        entries = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
        balance = api.member(member_id, "GET", "/v1/me").body["balance"]
        costs = [e for e in entries if e["type"] == "lottery_cost"]
        prizes = [e for e in entries if e["type"] == "lottery_prize"]
        assert [(e["points"], e["ref"]) for e in costs] == [(-COST, body["draw_id"])]
        assert sum(e["points"] for e in prizes) == ((body["prize"] or {}).get("points") or 0)
        assert (
            balance
            == sum(e["points"] for e in entries)
            == 1_000 - COST + sum(e["points"] for e in prizes)
        )
        total += balance
    assert total == MEMBERS * (1_000 - COST) + prize_points

    stats = api.operator("GET", "/v1/admin/lotteries/ny/stats").body
    assert (stats["draws"], stats["points_in"], stats["points_out"]) == (
        MEMBERS,
        MEMBERS * COST,
        prize_points,
    )
    assert {o["prize_id"]: o["won"] for o in stats["outcomes"]} == {
        "top": won["top"],
        "small": won["small"],
        None: won[None],
    }
    fallbacks = [d for d in draws.values() if d.get("note") == "stock_ran_out"]
    assert stats["stock_fallbacks"] == len(fallbacks)
    assert all(d["prize"] is None for d in fallbacks)
    audit = api.operator("GET", "/v1/admin/lotteries/ny/draws?limit=100").body
    assert sorted(d["draw_id"] for d in audit["items"]) == sorted(
        d["draw_id"] for d in draws.values()
    )
    assert audit["next_cursor"] is None


SHARDED_STOCK = 40


def test_64_members_racing_for_a_prize_in_20_stock_shards_win_exactly_its_stock(
    local_api: Api,
) -> None:
    """Every draw picks the prize (no other outcome weighs anything while it lasts): its 40
    units are spread over 20 shards of 2 (issue 23), so the draws race shard by shard, try
    another when theirs is empty, and fall back to no prize once all are."""
    api = local_api
    members = [f"s-{i:02d}" for i in range(MEMBERS)]
    for member_id in members:
        member_with_points(api, member_id, 1_000)
    prize = points_prize("hot", weight=1, points=TOP_POINTS, stock=SHARDED_STOCK)
    pool = lottery_body(name="Hot draw", cost=COST, daily_limit=1, prizes=[prize])
    assert api.operator("PUT", "/v1/admin/lotteries/hot", pool).status == 201
    shard_keys = [(keys.lottery_prize_shard_pk("hot", "hot", k), keys.STOCK_SK) for k in range(20)]
    assert [int(s.stock) for s in rows_at(PrizeStockItem, shard_keys)] == [2] * 20

    def draw(member_id: str) -> Result:
        return api.member(member_id, "POST", "/v1/lotteries/hot/draws")

    with ThreadPoolExecutor(max_workers=MEMBERS) as workers:
        results = list(workers.map(draw, members))

    assert Counter(r.status for r in results) == {201: MEMBERS}, [
        r.body for r in results if r.status != 201
    ]
    won = [r.body for r in results if r.body["prize"] is not None]
    assert len(won) == SHARDED_STOCK  # exactly the stock
    shards = [int(s.stock) for s in rows_at(PrizeStockItem, shard_keys)]
    assert len(shards) == 20 and min(shards) == 0 and sum(shards) == 0  # none negative
    hot = api.operator("GET", "/v1/admin/lotteries/hot").body["prizes"][0]
    assert (hot["stock"], hot["stocked"]) == (0, SHARDED_STOCK)
    stats = api.operator("GET", "/v1/admin/lotteries/hot/stats").body
    assert stats["draws"] == MEMBERS
    assert stats["outcomes"][0]["won"] == SHARDED_STOCK  # wins = units taken
    assert stats["points_out"] == SHARDED_STOCK * TOP_POINTS
    fallbacks = [r.body for r in results if r.body.get("note") == "stock_ran_out"]
    assert stats["stock_fallbacks"] == len(fallbacks)
    total = sum(api.member(m, "GET", "/v1/me").body["balance"] for m in members)
    assert total == MEMBERS * (1_000 - COST) + SHARDED_STOCK * TOP_POINTS
