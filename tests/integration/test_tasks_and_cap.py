"""Tasks (once / daily / weekly) and the daily cap on activity points, through the handlers."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from tests.support import Api, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

START = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Sunday


def on_day(n: int) -> None:
    clock.pin(START + timedelta(days=n))


@pytest.fixture
def member(api: Api) -> str:
    return register_member(api)


def put_task(api: Api, task_id: str, points: int, limit: str, **extra) -> int:
    body = {"name": f"Task {task_id}", "points": points, "limit": limit, **extra}
    return api.operator("PUT", f"/v1/admin/tasks/{task_id}", body).status


def complete(api: Api, task_id: str, member_id: str = "m-1"):
    return api.member(member_id, "POST", f"/v1/me/tasks/{task_id}/completions")


def balance(api: Api, member_id: str = "m-1") -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def test_operator_creates_then_replaces_a_task(api: Api) -> None:
    assert put_task(api, "survey", 20, "once") == 201
    assert put_task(api, "survey", 25, "once") == 200

    listed = api.operator("GET", "/v1/admin/tasks").body["items"]
    assert [(t["task_id"], t["points"]) for t in listed] == [("survey", 25)]


def test_tasks_list_shows_what_the_member_did_this_period(api: Api, member: str) -> None:
    put_task(api, "survey", 20, "once")
    put_task(api, "share", 5, "daily")

    before = api.member(member, "GET", "/v1/tasks").body["items"]
    complete(api, "share")
    after = {t["task_id"]: t for t in api.member(member, "GET", "/v1/tasks").body["items"]}

    assert {t["task_id"]: t["completed_in_period"] for t in before} == {
        "share": False,
        "survey": False,
    }
    assert after["share"]["completed_in_period"] is True
    assert after["survey"]["completed_in_period"] is False
    assert after["share"] | {"completed_in_period": None} == {
        "task_id": "share",
        "name": "Task share",
        "points": 5,
        "limit": "daily",
        "period": "2027-01-10",
        "completed_in_period": None,
        "verified": False,  # members complete it themselves (a verified one: the shop reports)
    }
    on_day(1)
    next_day = {t["task_id"]: t for t in api.member(member, "GET", "/v1/tasks").body["items"]}
    assert next_day["share"]["completed_in_period"] is False


def test_once_task_credits_once_ever(api: Api, member: str) -> None:
    put_task(api, "survey", 20, "once")

    first = complete(api, "survey")
    again = complete(api, "survey")
    on_day(40)
    later = complete(api, "survey")

    assert (first.status, first.body["points"]) == (201, 20)
    assert (again.status, again.code) == (409, "task_limit_reached")
    assert later.code == "task_limit_reached"
    assert balance(api) == 120


def test_daily_task_credits_once_per_day(api: Api, member: str) -> None:
    put_task(api, "share", 5, "daily")

    assert complete(api, "share").status == 201
    assert complete(api, "share").code == "task_limit_reached"
    on_day(1)
    assert complete(api, "share").status == 201
    assert balance(api) == 110


def test_weekly_task_credits_once_per_iso_week(api: Api, member: str) -> None:
    put_task(api, "review", 30, "weekly")

    assert complete(api, "review").status == 201  # Sunday, week 1
    on_day(1)  # Monday: week 2
    assert complete(api, "review").status == 201
    on_day(6)  # Saturday, still week 2
    assert complete(api, "review").code == "task_limit_reached"
    assert balance(api) == 160


def test_unknown_and_retired_tasks_are_404(api: Api, member: str) -> None:
    put_task(api, "old", 10, "once", active=False)

    assert (complete(api, "nope").status, complete(api, "nope").code) == (404, "task_not_found")
    assert complete(api, "old").code == "task_not_found"
    assert api.member(member, "GET", "/v1/tasks").body["items"] == []


def test_frozen_member_cannot_complete_tasks(api: Api, member: str) -> None:
    put_task(api, "survey", 20, "once")
    api.operator("POST", f"/v1/admin/members/{member}/freeze", {"reason": "bot"})

    res = complete(api, "survey")

    assert (res.status, res.code) == (403, "member_frozen")
    assert balance(api) == 100


def test_check_ins_and_tasks_past_500_in_a_day_credit_only_up_to_500(api: Api, member: str) -> None:
    for task_id in ("a", "b", "c", "d"):
        put_task(api, task_id, 200, "daily")

    checkin = api.member(member, "POST", "/v1/me/checkins").body
    results = [complete(api, t) for t in ("a", "b", "c", "d")]

    assert (checkin["points"], checkin["capped"]) == (10, 0)
    assert [r.status for r in results] == [201] * 4
    assert [(r.body["points"], r.body["capped"]) for r in results] == [
        (200, 0),
        (200, 0),
        (90, 110),
        (0, 200),
    ]
    activity = [
        e
        for e in api.member(member, "GET", "/v1/me/ledger?limit=100").body["items"]
        if e["source"] in ("checkin", "task")
    ]
    assert sum(e["points"] for e in activity) == 500
    assert api.operator("GET", f"/v1/admin/members/{member}").body["activity_points_today"] == 500


def test_purchases_are_not_capped_and_the_cap_resets_the_next_day(api: Api, member: str) -> None:
    put_task(api, "big", 600, "daily")
    assert complete(api, "big").body == {
        "task_id": "big",
        "period": "2027-01-10",
        "points": 500,
        "capped": 100,
    }
    purchase = api.system(
        "POST", "/v1/purchases", {"order_id": "o-1", "member_id": member, "amount": "800"}
    )
    assert purchase.body["points"] == 800

    on_day(1)
    checkin = api.member(member, "POST", "/v1/me/checkins").body

    assert (checkin["points"], checkin["capped"]) == (10, 0)
    assert balance(api) == 100 + 500 + 800 + 10


def test_a_fully_capped_check_in_still_counts_for_the_streak(api: Api, member: str) -> None:
    put_task(api, "big", 500, "daily")
    complete(api, "big")

    checkin = api.member(member, "POST", "/v1/me/checkins")

    assert checkin.status == 201
    assert checkin.body | {"date": None} == {
        "date": None,
        "points": 0,
        "streak": 1,
        "bonus": 0,
        "capped": 10,
    }
    assert api.member(member, "POST", "/v1/me/checkins").code == "already_checked_in"


def test_operators_set_the_cap(api: Api, member: str) -> None:
    api.operator("PUT", "/v1/admin/rules", {"daily_activity_cap": 15})
    put_task(api, "share", 10, "daily")

    api.member(member, "POST", "/v1/me/checkins")
    res = complete(api, "share")

    assert (res.body["points"], res.body["capped"]) == (5, 5)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/tasks"), ("POST", "/v1/me/tasks/survey/completions")],
)
@pytest.mark.parametrize("groups", [("operators",), ("systems",)])
def test_task_routes_are_for_members_only(
    api: Api, method: str, path: str, groups: tuple[str, ...]
) -> None:
    res = api.call(method, path, token=api.token("m-1", *groups))
    assert (res.status, res.code) == (403, "forbidden")
