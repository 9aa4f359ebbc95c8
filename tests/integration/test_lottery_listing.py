"""Operators list every lottery (``GET /v1/admin/lotteries``, for the console): ended ones
too, latest end first, each as ``GET /v1/admin/lotteries/{id}`` shows it, paged."""

from __future__ import annotations

import pytest

from tests.support import Api

pytestmark = pytest.mark.usefixtures("frozen_clock")

PRIZE = {"prize_id": "p-10", "name": "10 points", "kind": "points", "weight": 1, "points": 10}


def put_lottery(api: Api, lottery_id: str, ends_at: str) -> None:
    body = {
        "name": lottery_id.title(),
        "starts_at": "2027-01-01T00:00:00+08:00",
        "ends_at": ends_at,
        "prizes": [PRIZE],
    }
    assert api.operator("PUT", f"/v1/admin/lotteries/{lottery_id}", body).status == 201


def test_operators_page_through_every_lottery_latest_end_first(api: Api) -> None:
    put_lottery(api, "ended", "2027-01-05T00:00:00+08:00")  # before the frozen clock's now
    put_lottery(api, "spring", "2027-02-01T00:00:00+08:00")
    put_lottery(api, "summer", "2027-08-01T00:00:00+08:00")

    first = api.operator("GET", "/v1/admin/lotteries?limit=2")
    rest = api.operator("GET", f"/v1/admin/lotteries?limit=2&cursor={first.body['next_cursor']}")

    assert first.status == 200 and rest.status == 200
    listed = first.body["items"] + rest.body["items"]
    assert [item["lottery_id"] for item in listed] == ["summer", "spring", "ended"]
    assert listed[1] == api.operator("GET", "/v1/admin/lotteries/spring").body
    assert [item["open"] for item in listed] == [True, True, False]
    assert rest.body["next_cursor"] is None


def test_a_replaced_end_time_lists_the_lottery_once(api: Api) -> None:
    put_lottery(api, "spring", "2027-02-01T00:00:00+08:00")
    body = api.operator("GET", "/v1/admin/lotteries/spring").body
    replaced = {k: body[k] for k in ("name", "starts_at")} | {
        "ends_at": "2027-03-01T00:00:00+08:00",
        "prizes": [PRIZE],
    }
    assert api.operator("PUT", "/v1/admin/lotteries/spring", replaced).status == 200

    listed = api.operator("GET", "/v1/admin/lotteries").body["items"]

    assert [(i["lottery_id"], i["ends_at"]) for i in listed] == [
        ("spring", "2027-03-01T00:00:00+08:00")
    ]


def test_an_empty_list_and_a_bad_cursor(api: Api) -> None:
    assert api.operator("GET", "/v1/admin/lotteries").body == {"items": [], "next_cursor": None}
    bad = api.operator("GET", "/v1/admin/lotteries?cursor=bm90LWEta2V5")
    assert bad.status == 400 and bad.code == "invalid_cursor"
    assert api.member("m-1", "GET", "/v1/admin/lotteries").status == 403
