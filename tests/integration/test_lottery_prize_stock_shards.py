"""A limited prize won often keeps its stock in shards of their own (issue 23), through the
real handlers (moto): how many shards a campaign's edit chooses, a win taking one unit from
one shard in the draw's one transaction, an empty shard making the draw try another, the
fallback once every shard is empty, edits re-splitting the stock, and prizes stored on one
item as before (docs/data-model.md "Points lottery")."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from shared.dynamodb import keys
from shared.dynamodb import lottery as repo
from shared.dynamodb.connection import connection
from shared.dynamodb.models.lottery import PrizeStockItem
from shared.lottery import draws
from tests.support import Api, Result, lottery_body, member_with_points, points_prize

pytestmark = pytest.mark.usefixtures("frozen_clock")


def lottery(api: Api, lottery_id: str = "spring", **fields: Any) -> Result:
    res = api.operator("PUT", f"/v1/admin/lotteries/{lottery_id}", lottery_body(**fields))
    assert res.status in (200, 201), res
    return res


def hot(stock: int, weight: int = 1, prize_id: str = "hot") -> dict[str, Any]:
    return points_prize(prize_id, weight=weight, points=5, stock=stock)


def draw(api: Api, member_id: str = "m-1") -> dict[str, Any]:
    res = api.member(member_id, "POST", "/v1/lotteries/spring/draws")
    assert res.status == 201, res
    return res.body


def header(prize_id: str = "hot") -> PrizeStockItem:
    return PrizeStockItem.get(keys.lottery_pk("spring"), keys.prize_sk(prize_id))


def shard_stocks(prize_id: str = "hot", upto: int = 20) -> dict[int, int]:
    """Every stock shard of the prize in the table (those a layout no longer reads too)."""
    found = {}
    for k in range(upto):
        pk = keys.lottery_prize_shard_pk("spring", prize_id, k)
        for row in PrizeStockItem.query(pk, PrizeStockItem.sk == keys.STOCK_SK):
            found[k] = int(row.stock)
    return found


def set_shard(k: int, stock: int, prize_id: str = "hot") -> None:
    """Another process's wins: the shard holds ``stock`` now."""
    row = PrizeStockItem.get(keys.lottery_prize_shard_pk("spring", prize_id, k), keys.STOCK_SK)
    row.update([PrizeStockItem.stock.set(stock)])


def admin_prize(api: Api, prize_id: str = "hot") -> dict[str, Any]:
    body = api.operator("GET", "/v1/admin/lotteries/spring").body
    return next(p for p in body["prizes"] if p["prize_id"] == prize_id)


@pytest.fixture
def long_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process keeps its copy of a campaign for the whole test (not 2 s)."""
    monkeypatch.setattr(repo.COPIES.kept, "seconds", 3600.0)


@pytest.fixture
def stock_writes() -> Iterator[list[str]]:
    """The partitions of the prize stock items each TransactWriteItems updates."""
    seen: list[str] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "TransactWriteItems":
            for op in params["TransactItems"]:
                update = op.get("Update")
                if update and "PRIZE#" in update["Key"]["pk"]["S"] + update["Key"]["sk"]["S"]:
                    seen.append(update["Key"]["pk"]["S"])

    events = connection().client.meta.events
    events.register("before-parameter-build.dynamodb", record)
    yield seen
    events.unregister("before-parameter-build.dynamodb", record)


def test_a_prize_won_often_is_split_over_shards_and_shown_as_their_sum(api: Api) -> None:
    member_with_points(api)
    # 18 % of draws: 900 wins/s at 5 000 draws/s, 4 shards of 250; the other keeps one item.
    lottery(api, prizes=[hot(1_002, weight=18), hot(50, 2, "rare")], no_prize_weight=80)

    assert (int(header().stock), int(header().shards), int(header().stocked)) == (0, 4, 1_002)
    assert shard_stocks() == {0: 251, 1: 251, 2: 250, 3: 250}
    assert (int(header("rare").stock), header("rare").shards) == (50, None)
    assert shard_stocks("rare") == {}
    assert (admin_prize(api)["stock"], admin_prize(api)["stocked"]) == (1_002, 1_002)
    listed = api.member("m-1", "GET", "/v1/lotteries").body["items"][0]["prizes"]
    assert [p["stock"] for p in listed] == [1_002, 50]


def test_a_win_takes_one_unit_from_one_shard_in_the_draws_transaction(
    api: Api, stock_writes: list[str]
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[hot(40)], no_prize_weight=0)  # every draw wins

    bodies = [draw(api) for _ in range(6)]

    assert all(b["prize"]["prize_id"] == "hot" for b in bodies)
    assert len(stock_writes) == 6  # one stock update per draw (its one transaction)
    assert keys.lottery_pk("spring") not in stock_writes  # never the campaign's partition
    stocks = shard_stocks()
    assert len(stocks) == 20 and sum(stocks.values()) == 40 - 6
    assert all(s >= 0 for s in stocks.values())
    assert admin_prize(api)["stock"] == 34
    s = api.operator("GET", "/v1/admin/lotteries/spring/stats").body
    assert (s["draws"], s["outcomes"][0]["won"], s["outcomes"][0]["stock"]) == (6, 6, 34)


def test_an_empty_shard_makes_the_draw_try_another_of_the_same_prize(
    api: Api, long_cache: None, stock_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(draws, "random", SimpleNamespace(choice=min))  # shards in order
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[hot(4)], no_prize_weight=0)  # 4 shards of 1
    first = draw(api)  # takes shard 0; this process's copy still counts 1 in each
    set_shard(1, 0)  # other processes won shards 1 and 2
    set_shard(2, 0)

    second = draw(api)

    assert first["prize"]["prize_id"] == second["prize"]["prize_id"] == "hot"
    assert "note" not in second  # no fallback: shard 3 had a unit
    shard_pk = [keys.lottery_prize_shard_pk("spring", "hot", k) for k in range(4)]
    assert stock_writes == [shard_pk[0], shard_pk[0], shard_pk[1], shard_pk[2], shard_pk[3]]
    assert shard_stocks() == dict.fromkeys(range(4), 0)
    s = api.operator("GET", "/v1/admin/lotteries/spring/stats").body
    assert (s["draws"], s["stock_fallbacks"], s["outcomes"][0]["won"]) == (2, 0, 2)


def test_once_every_shard_is_empty_the_draw_falls_back_to_no_prize(
    api: Api, long_cache: None
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[hot(3)], no_prize_weight=0)  # 3 shards of 1
    first = draw(api)  # the copy: 3 units in 3 shards
    for k in shard_stocks():
        set_shard(k, 0)

    second = draw(api)  # picks the prize on the copy: each shard refuses
    third = draw(api)  # the copy was dropped: the prize is out

    assert first["prize"]["prize_id"] == "hot"
    assert second["prize"] is None and second["note"] == "stock_ran_out"
    assert third["prize"] is None and "note" not in third
    s = api.operator("GET", "/v1/admin/lotteries/spring/stats").body
    assert (s["draws"], s["stock_fallbacks"], s["outcomes"][0]["won"]) == (3, 1, 1)
    assert s["outcomes"][0]["stock"] == 0
    assert all(stock == 0 for stock in shard_stocks().values())
    balance = api.member("m-1", "GET", "/v1/me").body["balance"]
    assert balance == 10_000 - 3 * 50 + 5  # every draw paid, one prize credited


def test_an_edit_sets_the_stock_again_over_the_shards_its_odds_call_for(api: Api) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[hot(100)], no_prize_weight=0)  # 20 shards of 5
    for _ in range(3):
        draw(api)

    lottery(api, daily_limit=None, prizes=[hot(30, weight=18)], no_prize_weight=82)

    assert (int(header().shards), int(header().stocked)) == (4, 30)
    assert [shard_stocks()[k] for k in range(4)] == [8, 8, 7, 7]
    assert admin_prize(api)["stock"] == 30  # the shards beyond 4 are no longer read

    lottery(api, daily_limit=None, prizes=[hot(7, weight=1)], no_prize_weight=99)  # 1 %

    assert (int(header().stock), header().shards, int(header().stocked)) == (7, None, 7)
    assert admin_prize(api)["stock"] == 7
    bodies = [draw(api) for _ in range(3)]
    won = sum(1 for b in bodies if b["prize"])
    assert int(header().stock) == 7 - won  # taken from the prize's own item again

    lottery(api, daily_limit=None, prizes=[hot(12)], no_prize_weight=0)  # 12 shards of 1
    assert int(header().shards) == 12
    assert [shard_stocks()[k] for k in range(12)] == [1] * 12  # set, whatever they held
    assert admin_prize(api)["stock"] == 12


def test_a_prize_stored_on_one_item_before_the_shards_is_drawn_there_until_an_edit(
    api: Api,
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[hot(10)], no_prize_weight=0)
    # As before issue 23: the whole stock on the prize's item, no shards.
    header().update([PrizeStockItem.stock.set(10), PrizeStockItem.shards.remove()])
    for k in shard_stocks():
        PrizeStockItem(pk=keys.lottery_prize_shard_pk("spring", "hot", k), sk="STOCK").delete()
    repo.forget("spring")

    assert admin_prize(api)["stock"] == 10
    assert all(draw(api)["prize"]["prize_id"] == "hot" for _ in range(3))
    assert int(header().stock) == 7 and shard_stocks() == {}

    lottery(api, daily_limit=None, prizes=[hot(7)], no_prize_weight=0)  # the edit migrates

    assert (int(header().stock), int(header().shards)) == (0, 7)
    assert shard_stocks() == dict.fromkeys(range(7), 1)
    assert draw(api)["prize"]["prize_id"] == "hot"
    assert sum(shard_stocks().values()) == 6 and admin_prize(api)["stock"] == 6


def test_a_big_pool_replacing_another_fits_its_shards_in_one_transaction(api: Api) -> None:
    member_with_points(api)
    lottery(api, prizes=[hot(10, prize_id=f"old-{i:02d}") for i in range(30)])
    # 19 prizes of 1/19 each want 2 shards (38 items); with the 30 old prizes' deletions
    # the transaction has room for fewer: the first ones keep one item.
    pool = [hot(10, prize_id=f"new-{i:02d}") for i in range(19)]
    lottery(api, prizes=pool, no_prize_weight=0)

    body = api.operator("GET", "/v1/admin/lotteries/spring").body
    assert [p["stock"] for p in body["prizes"]] == [10] * 19
    sharded = [i for i in range(19) if header(f"new-{i:02d}").shards]
    assert 0 < len(sharded) < 19
    for i in sharded:
        assert sum(shard_stocks(f"new-{i:02d}").values()) == 10
