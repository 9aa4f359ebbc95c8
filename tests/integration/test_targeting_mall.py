"""Per-month redemption limits through the handlers: counted per item and calendar month of
the programme's zone, refused atomically, given back by a cancellation in the same month."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Result, at, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")

TWICE_A_MONTH = {"per_month": 2}


def put_item(api: Api, item_id: str, **fields: Any) -> Result:
    body = {"name": item_id.title(), "kind": "coupon", "points": 100, **fields}
    return api.operator("PUT", f"/v1/admin/catalog/{item_id}", body)


def redeem(api: Api, item_id: str, **body: Any) -> Result:
    return api.member("m-1", "POST", "/v1/redemptions", {"item_id": item_id, **body})


def test_per_month_counts_the_programmes_calendar_month(api: Api) -> None:
    member_with_points(api, points=10_000)
    assert put_item(api, "credit", per_member_limit=TWICE_A_MONTH).status == 201

    at("2027-01-31", 23, 50)
    january = [redeem(api, "credit").status for _ in range(3)]
    at("2027-02-01", 0, 10)  # February in Shanghai, still 31 January in UTC
    february = redeem(api, "credit")

    assert january == [201, 201, 409]
    assert february.status == 201
    shown = api.member("m-1", "GET", "/v1/catalog/credit").body
    assert shown["per_member_limit"] == {"per_month": 2}


def test_the_month_limit_refusal_names_the_limits_and_changes_nothing(api: Api) -> None:
    member_with_points(api, points=10_000)
    put_item(api, "credit", per_member_limit={"per_month": 2, "total": 10})
    redeem(api, "credit")
    before = api.member("m-1", "GET", "/v1/me").body["balance"]

    two_more = redeem(api, "credit", quantity=2)  # coupons come one at a time: 422
    second = redeem(api, "credit")
    third = redeem(api, "credit")

    assert two_more.status == 422
    assert second.status == 201
    assert (third.status, third.code) == (409, "limit_reached")
    assert third.body["error"]["details"]["limits"] == {"per_month": 2, "total": 10}
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == before - 100


def test_a_quantity_above_the_monthly_limit_is_refused_before_writing(api: Api) -> None:
    member_with_points(api, points=10_000)
    put_item(api, "pen", kind="donation", per_member_limit={"per_month": 2})

    res = redeem(api, "pen", quantity=3)

    assert (res.status, res.code) == (409, "limit_reached")


def test_a_cancelled_order_gives_its_units_back_to_the_month(api: Api) -> None:
    member_with_points(api, points=10_000)
    ship = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}
    put_item(api, "mug", kind="gift", stock=10, per_member_limit={"per_month": 1})
    first = redeem(api, "mug", delivery=ship)

    refused = redeem(api, "mug", delivery=ship)
    cancelled = api.member("m-1", "POST", f"/v1/me/orders/{first.body['order_id']}/cancel")
    again = redeem(api, "mug", delivery=ship)

    assert first.status == 201 and refused.code == "limit_reached"
    assert cancelled.status == 200
    assert again.status == 201


def test_a_bad_per_month_limit_is_422(api: Api) -> None:
    res = put_item(api, "credit", per_member_limit={"per_month": 0})

    assert (res.status, res.code) == (422, "validation_error")
    assert "per_member_limit.per_month" in res.body["error"]["details"]["fields"]
    assert api.operator("GET", "/v1/admin/catalog/credit").status == 404
