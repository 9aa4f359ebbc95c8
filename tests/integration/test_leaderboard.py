"""The leaderboard (积分排名) through the handlers, with the clock pinned: what counts, ties,
months and years, the final board of an ended month, masked ids and the read's cost."""

from __future__ import annotations

from collections import Counter

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models.leaderboard import BoardItem
from shared.routes import ROUTES
from tests.security.conformance import problems
from tests.support import Api, at, purchase, refund, register_member

(ROUTE,) = [r for r in ROUTES if r.path == "/v1/leaderboard"]

# Each test starts on 2027-01-10 at 10:00, Shanghai time (``at`` moves the clock on).
pytestmark = pytest.mark.usefixtures("frozen_clock")


def buy(api: Api, member_id: str, order_id: str, amount: str) -> int:
    """The points the purchase earned."""
    res = purchase(api, member_id, order_id, amount)
    assert res.status == 201, res.body
    return res.body["points"]


def snapshot(api: Api) -> dict:
    res = api.operator("POST", "/v1/admin/jobs/leaderboard/runs")
    assert res.status == 200, res.body
    return res.body


def board(api: Api, member_id: str, period: str = "month") -> dict:
    """The board as ``member_id`` reads it (checked against the OpenAPI document)."""
    res = api.member(member_id, "GET", f"/v1/leaderboard?period={period}")
    assert res.status == 200, res.body
    assert problems(ROUTE, res.status, res.body) == []
    return res.body


def rows(view: dict) -> list[tuple[int, str, int]]:
    return [(i["rank"], i["member"], i["points"]) for i in view["items"]]


def test_equal_points_share_a_rank_and_who_reached_them_first_comes_first(api: Api) -> None:
    for member_id in ("m-anna", "m-bert", "m-cleo", "m-dave"):
        register_member(api, member_id)  # welcome points do not count
    at("2027-01-10", 11)
    buy(api, "m-anna", "o-1", "300")
    at("2027-01-10", 12)
    buy(api, "m-cleo", "o-2", "200")  # 200 first
    at("2027-01-10", 13)
    buy(api, "m-bert", "o-3", "200")
    at("2027-01-10", 14)
    buy(api, "m-dave", "o-4", "100")
    at("2027-01-10", 15)
    assert snapshot(api)["complete"] is True

    view = board(api, "m-dave")

    assert view["period"] == "month" and view["key"] == "2027-01"
    assert view["as_of"].startswith("2027-01-10T15:00:00") and view["as_of"].endswith("+08:00")
    assert rows(view) == [
        (1, "m***a", 300),
        (2, "m***o", 200),
        (2, "m***t", 200),
        (4, "m***e", 100),
    ]
    assert view["me"] == {"rank": 4, "points": 100, "exact": True}
    assert view["ranked"] == 4


def test_refunds_reduce_the_points_and_gifts_adjustments_transfers_do_not_count(
    api: Api,
) -> None:
    register_member(api, "m-anna")
    register_member(api, "m-bert")
    buy(api, "m-anna", "o-1", "500")
    assert refund(api, "r-1", "o-1", "200").status == 201  # claws back 200
    assert api.member("m-bert", "POST", "/v1/me/checkins").status == 201  # 10 points count
    adjust = api.operator(
        "POST",
        "/v1/admin/members/m-bert/adjustments",
        {"points": 5000, "reason": "goodwill"},
        headers={"idempotency-key": "adj-1"},
    )
    assert adjust.status == 201, adjust.body
    sent = api.member(
        "m-anna",
        "POST",
        "/v1/me/transfers",
        {"to_member_id": "m-bert", "points": 100},
        headers={"idempotency-key": "t-1"},
    )
    assert sent.status == 201, sent.body
    snapshot(api)

    view = board(api, "m-bert")

    assert rows(view) == [(1, "m***a", 300), (2, "m***t", 10)]
    assert view["me"] == {"rank": 2, "points": 10, "exact": True}


def test_the_year_adds_its_months_and_the_month_counts_only_itself(api: Api) -> None:
    at("2026-12-20")
    register_member(api, "m-anna")
    buy(api, "m-anna", "o-dec", "1000")  # last year: neither board of 2027
    at("2027-01-05")
    january = buy(api, "m-anna", "o-jan", "200")  # silver by now: x1.1
    at("2027-02-03")
    february = buy(api, "m-anna", "o-feb", "30")
    snapshot(api)

    month, year = board(api, "m-anna", "month"), board(api, "m-anna", "year")

    assert (january, february) == (220, 33)
    assert (month["key"], rows(month)) == ("2027-02", [(1, "m***a", 33)])
    assert (year["key"], rows(year)) == ("2027", [(1, "m***a", 253)])
    assert year["me"] == {"rank": 1, "points": 253, "exact": True}


def test_an_ended_month_gets_its_final_board_at_the_first_run_after_it(api: Api) -> None:
    register_member(api, "m-anna")
    at("2027-01-31", 23, 30)
    buy(api, "m-anna", "o-1", "400")
    at("2027-02-01", 0, 30)
    buy(api, "m-anna", "o-2", "50")  # the new month's: not in January's board

    first = snapshot(api)
    again = snapshot(api)

    assert "month:2027-01" in first["boards"] and "month:2027-01" not in again["boards"]
    item = BoardItem.get(keys.leaderboard_pk("month", "2027-01"), keys.SNAPSHOT_SK)
    assert item.closed is True and '"points":400' in item.board
    assert rows(board(api, "m-anna")) == [(1, "m***a", 50)]


def test_my_points_are_live_and_my_rank_counts_those_ahead_in_the_snapshot(api: Api) -> None:
    register_member(api, "m-anna")
    register_member(api, "m-bert")
    buy(api, "m-anna", "o-1", "300")
    buy(api, "m-bert", "o-2", "100")
    snapshot(api)
    buy(api, "m-bert", "o-3", "250")  # after the snapshot: 350, ahead of 300

    view = board(api, "m-bert")

    assert rows(view) == [(1, "m***a", 300), (2, "m***t", 100)]  # as of the snapshot
    assert view["me"] == {"rank": 1, "points": 350, "exact": True}


def test_no_board_before_the_first_snapshot_and_no_rank_without_points(api: Api) -> None:
    register_member(api, "m-anna")

    assert board(api, "m-anna") == {
        "period": "month",
        "key": "2027-01",
        "as_of": None,
        "items": [],
        "me": None,
    }
    snapshot(api)
    view = board(api, "m-anna")
    assert view["items"] == [] and view["me"] is None and view["as_of"] is not None
    assert board(api, "m-never-registered")["me"] is None


def test_a_member_frozen_for_earning_is_left_off(api: Api) -> None:
    register_member(api, "m-anna")
    register_member(api, "m-bert")
    buy(api, "m-anna", "o-1", "300")
    buy(api, "m-bert", "o-2", "100")
    frozen = api.operator("POST", "/v1/admin/members/m-anna/freeze", {"reason": "fraud"})
    assert frozen.status == 200, frozen.body
    snapshot(api)

    assert rows(board(api, "m-bert")) == [(1, "m***t", 100)]
    assert board(api, "m-anna")["me"] is None


def test_a_period_other_than_month_or_year_is_refused(api: Api) -> None:
    res = api.member("m-anna", "GET", "/v1/leaderboard?period=week")

    assert res.status == 422 and res.code == "validation_error"
    assert "period" in res.body["error"]["details"]["fields"]


def test_the_read_is_one_batch_get_of_the_snapshot_and_my_profile(
    api: Api, dynamodb_calls: Counter
) -> None:
    register_member(api, "m-anna")
    buy(api, "m-anna", "o-1", "300")
    snapshot(api)
    board(api, "m-anna")  # rules cached from here on (the first read may query them)

    dynamodb_calls.clear()
    view = board(api, "m-anna")

    assert view["me"] == {"rank": 1, "points": 300, "exact": True}
    assert dynamodb_calls == Counter({"BatchGetItem": 1})


def test_a_refund_takes_the_points_from_the_month_they_were_earned_in(api: Api) -> None:
    register_member(api, "m-anna")
    register_member(api, "m-bert")
    at("2027-01-20")
    buy(api, "m-anna", "o-1", "400")
    at("2027-02-02")
    buy(api, "m-bert", "o-2", "100")
    assert refund(api, "r-1", "o-1", "100").status == 201  # January's purchase

    snapshot(api)

    assert rows(board(api, "m-bert")) == [(1, "m***t", 100)]  # February untouched
    assert rows(board(api, "m-bert", "year")) == [(1, "m***a", 300), (2, "m***t", 100)]


def test_a_run_out_of_time_saves_no_board(api: Api) -> None:
    from shared import clock
    from shared.jobs import registry

    register_member(api, "m-anna")
    buy(api, "m-anna", "o-1", "300")

    result = registry.run("leaderboard", clock.now(), lambda: 0.0)

    assert result["complete"] is False and result["boards"] == []
    assert board(api, "m-anna")["as_of"] is None
