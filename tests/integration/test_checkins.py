"""Daily check-ins through the real handlers (moto), the clock pinned and moved day by day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from tests.support import Api, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)


def on_day(n: int, hour: int = 10, minute: int = 0) -> None:
    clock.pin(START.replace(hour=hour, minute=minute) + timedelta(days=n))


def check_in(api: Api, member_id: str = "m-1"):
    return api.member(member_id, "POST", "/v1/me/checkins")


def checkin_entries(api: Api, member_id: str = "m-1") -> list[dict]:
    items = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    return [e for e in items if e["source"] == "checkin"]


def test_thirty_day_run_earns_thirty_times_ten_plus_both_streak_bonuses(api: Api) -> None:
    register_member(api)

    results = []
    for day in range(30):
        on_day(day)
        res = check_in(api)
        assert res.status == 201, res.body
        results.append(res.body)

    assert [r["streak"] for r in results] == list(range(1, 31))
    assert [(r["streak"], r["bonus"]) for r in results if r["bonus"]] == [(7, 30), (30, 100)]
    assert results[6]["points"] == 40 and results[29]["points"] == 110
    entries = checkin_entries(api)
    assert len(entries) == 30
    assert sum(e["points"] for e in entries) == 30 * 10 + 30 + 100
    me = api.member("m-1", "GET", "/v1/me").body
    assert me["balance"] == 100 + 430
    assert me["checkin_streak"] == 30


def test_skipping_a_day_resets_the_streak(api: Api) -> None:
    register_member(api)
    for day in (0, 1, 2):
        on_day(day)
        check_in(api)

    on_day(3)  # no check-in on day 3
    assert api.member("m-1", "GET", "/v1/me").body["checkin_streak"] == 3  # yesterday counts
    on_day(4)
    assert api.member("m-1", "GET", "/v1/me").body["checkin_streak"] == 0
    res = check_in(api)

    assert res.status == 201
    assert (res.body["streak"], res.body["points"]) == (1, 10)
    assert api.member("m-1", "GET", "/v1/me").body["checkin_streak"] == 1


def test_a_reset_streak_can_earn_the_day_seven_bonus_again(api: Api) -> None:
    register_member(api)
    days = [*range(0, 7), *range(8, 15)]  # 7 days, a gap, 7 days
    bonuses = []
    for day in days:
        on_day(day)
        bonuses.append(check_in(api).body["bonus"])

    assert bonuses.count(30) == 2


def test_second_check_in_on_the_same_day_is_409_and_credits_nothing(api: Api) -> None:
    register_member(api)
    first = check_in(api)
    on_day(0, hour=23, minute=59)
    second = check_in(api)

    assert first.status == 201
    assert (second.status, second.code) == (409, "already_checked_in")
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 110
    assert len(checkin_entries(api)) == 1


def test_the_day_is_the_programme_time_zone_day_not_utc(api: Api) -> None:
    register_member(api)
    on_day(0, hour=0, minute=30)  # 2027-01-09 16:30 UTC, already the 10th in Shanghai
    assert check_in(api).body["date"] == "2027-01-10"
    on_day(0, hour=23, minute=30)  # 2027-01-10 15:30 UTC
    assert check_in(api).code == "already_checked_in"
    on_day(1, hour=0, minute=1)  # 31 minutes later: a new day in Shanghai
    res = check_in(api)

    assert (res.status, res.body["date"], res.body["streak"]) == (201, "2027-01-11", 2)


def test_operators_time_zone_change_moves_the_day_boundary(api: Api) -> None:
    register_member(api)
    assert api.operator("PUT", "/v1/admin/rules", {"timezone": "UTC"}).status == 200
    on_day(0, hour=1)  # 2027-01-09 17:00 UTC
    res = check_in(api)

    assert res.body["date"] == "2027-01-09"


def test_check_in_points_follow_the_programme_rules(api: Api) -> None:
    register_member(api)
    api.operator(
        "PUT",
        "/v1/admin/rules",
        {"checkin_points": 5, "streak_bonuses": [{"day": 2, "points": 7}]},
    )
    first = check_in(api).body
    on_day(1)
    second = check_in(api).body

    assert (first["points"], second["points"], second["bonus"]) == (5, 12, 7)


def test_unregistered_member_is_404_and_frozen_member_is_403(api: Api) -> None:
    assert check_in(api, "m-ghost").code == "member_not_found"
    register_member(api)
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "abuse"})

    res = check_in(api)

    assert (res.status, res.code) == (403, "member_frozen")
    assert checkin_entries(api) == []


@pytest.mark.parametrize("groups", [("operators",), ("systems",)])
def test_only_members_check_in(api: Api, groups: tuple[str, ...]) -> None:
    res = api.call("POST", "/v1/me/checkins", token=api.token("m-1", *groups))
    assert (res.status, res.code) == (403, "forbidden")
