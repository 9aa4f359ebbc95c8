"""The lottery at scale through the real handlers (moto): the stats shards in partitions of
their own, the draw records spread over index partitions and merged by the audit, the
campaign copy a process keeps for a few seconds (checked by each draw's write), and campaigns
stored in the layout from before issue 23 (docs/data-model.md "Points lottery")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.dynamodb import keys
from shared.dynamodb import lottery as repo
from shared.dynamodb.connection import connection
from shared.dynamodb.models.lottery import DrawItem, LotteryItem, LotteryStatsItem
from tests.support import Api, Result, lottery_body, member_with_points, points_prize

pytestmark = pytest.mark.usefixtures("frozen_clock")


def lottery(api: Api, lottery_id: str = "spring", **fields: Any) -> Result:
    res = api.operator("PUT", f"/v1/admin/lotteries/{lottery_id}", lottery_body(**fields))
    assert res.status in (200, 201), res
    return res


def draw(api: Api, member_id: str, lottery_id: str = "spring") -> dict[str, Any]:
    res = api.member(member_id, "POST", f"/v1/lotteries/{lottery_id}/draws")
    assert res.status == 201, res
    return res.body


def stats(api: Api, lottery_id: str = "spring") -> dict[str, Any]:
    res = api.operator("GET", f"/v1/admin/lotteries/{lottery_id}/stats")
    assert res.status == 200, res
    return res.body


def audit(api: Api, lottery_id: str = "spring", limit: int = 3) -> list[dict[str, Any]]:
    """Every page of the campaign's draws, in the order they were served."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        path = f"/v1/admin/lotteries/{lottery_id}/draws?limit={limit}{cursor}"
        res = api.operator("GET", path)
        assert res.status == 200, res
        assert len(res.body["items"]) <= limit
        items += res.body["items"]
        if res.body["next_cursor"] is None:
            return items
        cursor = f"&cursor={res.body['next_cursor']}"


def shard_items(lottery_id: str) -> list[LotteryStatsItem]:
    wanted = [(keys.lottery_stats_pk(lottery_id, n), keys.LOTTERY_STATS_SK) for n in range(30)]
    return [s for pk, sk in wanted for s in LotteryStatsItem.query(pk, LotteryStatsItem.sk == sk)]


@pytest.fixture
def partitions_read() -> Iterator[list[str]]:
    """The table partitions the handlers Query while the test runs."""
    seen: list[str] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query" and "IndexName" not in params:
            seen.append(params["ExpressionAttributeValues"][":0"]["S"])

    events = connection().client.meta.events
    events.register("before-parameter-build.dynamodb", record)
    yield seen
    events.unregister("before-parameter-build.dynamodb", record)


@pytest.fixture
def long_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process keeps its copy of a campaign for the whole test (not 2 s)."""
    monkeypatch.setattr(repo.COPIES.kept, "seconds", 3600.0)


def test_draws_count_in_shards_of_their_own_and_the_stats_add_them_up(api: Api) -> None:
    member_with_points(api, points=10_000)
    prizes = [points_prize("a", weight=1, points=5), points_prize("b", weight=1, points=7)]
    lottery(api, daily_limit=None, prizes=prizes, no_prize_weight=2)
    bodies = [draw(api, "m-1") for _ in range(30)]
    won = [b["prize"]["prize_id"] if b["prize"] else None for b in bodies]

    shards = shard_items("spring")
    in_campaign = list(
        LotteryStatsItem.query(keys.lottery_pk("spring"), LotteryStatsItem.sk >= "STATS#")
    )
    s = stats(api)

    assert len(shards) == repo.STATS_SHARDS and in_campaign == []
    assert sum(1 for shard in shards if shard.draws) > 1  # spread, not one hot item
    assert sum(int(shard.draws) for shard in shards) == 30
    assert s["draws"] == 30 and s["points_in"] == 30 * 50
    assert s["points_out"] == 5 * won.count("a") + 7 * won.count("b")
    assert [(o["prize_id"], o["won"]) for o in s["outcomes"]] == [
        ("a", won.count("a")),
        ("b", won.count("b")),
        (None, won.count(None)),
    ]


def test_the_audit_merges_the_draw_shards_newest_first(api: Api) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[points_prize(weight=1)], no_prize_weight=1)
    lottery(api, "other", daily_limit=None)
    drawn = [draw(api, "m-1")["draw_id"] for _ in range(8)]
    draw(api, "m-1", "other")

    records = [DrawItem.get(keys.member_pk("m-1"), keys.draw_sk(d)) for d in drawn]
    items = audit(api, limit=3)

    assert len({r.st_pk for r in records}) > 1  # spread over index partitions
    assert all(r.st_pk.startswith("LOTTERYDRAWS#spring#") for r in records)
    assert [d["draw_id"] for d in items] == list(reversed(drawn))
    first = api.operator("GET", "/v1/admin/lotteries/spring/draws?limit=3").body
    elsewhere = api.operator(
        "GET", f"/v1/admin/lotteries/other/draws?cursor={first['next_cursor']}"
    )
    assert (elsewhere.status, elsewhere.code) == (400, "invalid_cursor")


def test_a_process_draws_on_its_copy_without_reading_the_campaign_again(
    api: Api, long_cache: None, partitions_read: list[str]
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None)
    draw(api, "m-1")
    partitions_read.clear()

    for _ in range(5):
        draw(api, "m-1")

    assert keys.lottery_pk("spring") not in partitions_read
    assert stats(api)["draws"] == 6


def test_an_edit_reaches_a_draw_planned_on_the_cached_copy_at_once(
    api: Api, long_cache: None
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None)
    first = draw(api, "m-1")  # the process keeps this copy (ver 1)

    lottery(api, daily_limit=None, cost=80)  # ver 2, set on every stats shard
    second = draw(api, "m-1")

    assert (first["cost"], second["cost"]) == (50, 80)
    record = DrawItem.get(keys.member_pk("m-1"), keys.draw_sk(second["draw_id"]))
    assert int(record.lottery_ver) == 2 and int(record.cost) == 80
    assert stats(api)["points_in"] == 50 + 80
    won = sum(b["prize"]["points"] for b in (first, second) if b["prize"])
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 10_000 - 130 + won


def test_a_cached_stock_never_oversells_the_picked_prize_falls_back_to_no_prize(
    api: Api, long_cache: None
) -> None:
    for m in ("m-1", "m-2", "m-3"):
        member_with_points(api, m)
    lottery(api, prizes=[points_prize("last", weight=1, points=500, stock=1)], no_prize_weight=0)

    first = draw(api, "m-1")  # wins the last unit; this process's copy still says 1 left
    second = draw(api, "m-2")  # picks "last" on the copy: refused by the stock, wins nothing
    third = draw(api, "m-3")  # the copy was dropped: the fresh odds are all "no prize"

    assert first["prize"]["prize_id"] == "last"
    assert second["prize"] is None and second["note"] == "stock_ran_out"
    assert third["prize"] is None and "note" not in third
    s = stats(api)
    assert (s["draws"], s["stock_fallbacks"], s["outcomes"][0]["won"]) == (3, 1, 1)
    assert s["outcomes"][0]["stock"] == 0


def _as_before_issue_23(lottery_id: str) -> None:
    """Rewrite a campaign as the layout before issue 23 stored it: its counters in shard
    ``STATS#03`` of its own partition, its draw records in one index partition, no shards of
    their own and no mark on the definition."""
    shards = shard_items(lottery_id)
    totals = repo.Totals.of(shards)
    old = LotteryStatsItem(
        pk=keys.lottery_pk(lottery_id),
        sk=keys.lottery_stats_sk(3),
        draws=totals.draws,
        points_in=totals.points_in,
        points_out=totals.points_out,
        cash_out_cents=totals.cash_out_cents,
        fallbacks=totals.fallbacks,
        won=totals.won,
        expected=totals.expected,
    )
    for shard in shards:
        shard.delete()
    old.save()
    for record in DrawItem.scan(DrawItem.lottery_id == lottery_id):
        record.update([DrawItem.st_pk.set(keys.lottery_draws_pk(lottery_id))])
    definition = LotteryItem.get(keys.lottery_pk(lottery_id), keys.LOTTERY_SK)
    definition.update([LotteryItem.stats_shards.remove()])
    repo.forget(lottery_id)


def test_a_campaign_stored_before_the_shards_is_still_drawn_counted_and_audited(
    api: Api,
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None, prizes=[points_prize(weight=1)], no_prize_weight=1)
    before = [draw(api, "m-1") for _ in range(3)]
    _as_before_issue_23("spring")
    old_stats = stats(api)
    assert old_stats["draws"] == 3 and shard_items("spring") == []

    after = [draw(api, "m-1") for _ in range(4)]

    definition = LotteryItem.get(keys.lottery_pk("spring"), keys.LOTTERY_SK)
    assert int(definition.stats_shards) == repo.STATS_SHARDS  # migrated by the first draw
    assert int(definition.ver) == 1  # not an edit
    assert sum(int(s.draws or 0) for s in shard_items("spring")) == 4
    s = stats(api)
    won = [b["prize"] for b in before + after]
    assert s["draws"] == 7 and s["points_in"] == 7 * 50
    assert s["outcomes"][0]["won"] == sum(1 for w in won if w is not None)
    assert s["outcomes"][1]["won"] == sum(1 for w in won if w is None)
    assert [d["draw_id"] for d in audit(api, limit=3)] == [
        b["draw_id"] for b in reversed(before + after)
    ]


def test_editing_a_campaign_stored_before_the_shards_creates_them_with_its_version(
    api: Api,
) -> None:
    member_with_points(api, points=10_000)
    lottery(api, daily_limit=None)
    draw(api, "m-1")
    _as_before_issue_23("spring")

    lottery(api, daily_limit=None, cost=70)
    shards = shard_items("spring")

    assert len(shards) == repo.STATS_SHARDS and {int(s.ver) for s in shards} == {2}
    assert draw(api, "m-1")["cost"] == 70
    assert stats(api)["points_in"] == 50 + 70
