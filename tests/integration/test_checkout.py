"""Points at checkout: two-phase hold / capture / release."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared import clock
from tests.support import Api, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def member_with_1000(api: Api, member: str = "m-c") -> str:
    purchase(api, register_member(api, member), f"buy-{member}", "900")
    return member


def hold(api: Api, hold_id: str, points: int, member: str = "m-c", amount: str = "100.00"):
    return api.system(
        "POST",
        "/v1/holds",
        {
            "hold_id": hold_id,
            "member_id": member,
            "order_id": f"order-{hold_id}",
            "order_amount": amount,
            "points": points,
        },
    )


def me(api: Api, member: str = "m-c") -> dict:
    return api.member(member, "GET", "/v1/me").body


def test_a_hold_makes_points_unspendable_and_capture_spends_them(api: Api) -> None:
    member_with_1000(api)
    api.operator(
        "PUT", "/v1/admin/catalog/gift-500", {"name": "Gift", "kind": "coupon", "points": 500}
    )

    held = hold(api, "h-1", 600, amount="20.00")
    assert held.status == 201, held.body
    assert held.body["cash_value"] == "6.00"
    assert (me(api)["balance"], me(api)["held"], me(api)["spendable"]) == (1000, 600, 400)

    refused = api.member("m-c", "POST", "/v1/redemptions", {"item_id": "gift-500", "quantity": 1})
    assert (refused.status, refused.code) == (409, "insufficient_points")

    captured = api.system("POST", "/v1/holds/h-1/capture")
    assert captured.status == 200
    assert (me(api)["balance"], me(api)["held"], me(api)["spendable"]) == (400, 0, 400)
    newest = api.member("m-c", "GET", "/v1/me/ledger").body["items"][0]
    assert (newest["type"], newest["points"], newest["balance_after"]) == ("checkout", -600, 400)
    again = api.system("POST", "/v1/holds/h-1/capture")
    assert (again.status, again.body) == (200, captured.body)
    assert api.system("POST", "/v1/holds/h-1/release").code == "hold_not_active"


def test_release_gives_the_points_back_once(api: Api) -> None:
    member_with_1000(api)
    hold(api, "h-2", 300)
    first = api.system("POST", "/v1/holds/h-2/release")
    second = api.system("POST", "/v1/holds/h-2/release")

    assert (first.status, second.status, second.body) == (200, 200, first.body)
    assert (me(api)["balance"], me(api)["held"], me(api)["spendable"]) == (1000, 0, 1000)
    assert api.system("POST", "/v1/holds/h-2/capture").code == "hold_not_active"


@pytest.mark.parametrize(
    ("points", "amount"),
    [(5001, "100.00"), (600, "11.99"), (1, "0.01")],
)
def test_more_than_half_the_order_is_refused_and_nothing_is_held(
    api: Api, points: int, amount: str
) -> None:
    member_with_1000(api)
    res = hold(api, "h-3", points, amount=amount)
    assert (res.status, res.code) == (422, "exceeds_max_share")
    assert me(api)["held"] == 0


def test_holding_more_than_spendable_is_refused(api: Api) -> None:
    member_with_1000(api)
    res = hold(api, "h-4", 1100, amount="1000")
    assert (res.status, res.code) == (409, "insufficient_points")
    assert me(api)["held"] == 0


def test_a_frozen_member_cannot_hold(api: Api) -> None:
    member_with_1000(api)
    api.operator("POST", "/v1/admin/members/m-c/freeze", {"reason": "fraud review"})
    res = hold(api, "h-5", 100)
    assert (res.status, res.code) == (403, "member_frozen")


def test_a_hold_left_alone_expires_at_once_and_is_swept_once(api: Api) -> None:
    member_with_1000(api)
    hold(api, "h-6", 600, amount="20.00")
    clock.pin(clock.now() + timedelta(minutes=31))

    assert (me(api)["held"], me(api)["spendable"]) == (0, 1000)  # before any sweep
    assert api.system("POST", "/v1/holds/h-6/capture").code == "hold_not_active"
    first = api.operator("POST", "/v1/admin/jobs/holds/runs").body
    second = api.operator("POST", "/v1/admin/jobs/holds/runs").body
    assert (first["released"], second["released"]) == (1, 0)
    assert (me(api)["balance"], me(api)["held"], me(api)["spendable"]) == (1000, 0, 1000)


def test_an_expired_hold_never_blocks_a_spend_even_before_the_sweep(api: Api) -> None:
    member_with_1000(api)
    api.operator(
        "PUT", "/v1/admin/catalog/gift-900", {"name": "Gift", "kind": "coupon", "points": 900}
    )
    hold(api, "h-7", 600, amount="20.00")
    clock.pin(clock.now() + timedelta(minutes=31))

    res = api.member("m-c", "POST", "/v1/redemptions", {"item_id": "gift-900", "quantity": 1})

    assert res.status == 201, res.body
    assert (me(api)["balance"], me(api)["held"]) == (100, 0)


def test_same_hold_id_repeated_answers_the_first_and_other_data_conflicts(api: Api) -> None:
    member_with_1000(api)
    first = hold(api, "h-8", 100)
    again = hold(api, "h-8", 100)
    other = hold(api, "h-8", 200)
    assert (first.status, again.status, again.body) == (201, 200, first.body)
    assert (other.status, other.code) == (409, "hold_exists")
    assert me(api)["held"] == 100


def test_refund_of_a_captured_order_returns_points_proportionally_once(api: Api) -> None:
    member_with_1000(api)
    hold(api, "h-9", 600, amount="20.00")
    api.system("POST", "/v1/holds/h-9/capture")
    refund = {"refund_id": "r-1", "order_id": "order-h-9", "amount": "10.00"}

    first = api.system("POST", "/v1/refunds", refund)
    again = api.system("POST", "/v1/refunds", refund)

    assert first.status == 201, first.body
    assert first.body["points_returned"] == 300
    assert (again.status, again.body) == (200, first.body)
    assert me(api)["balance"] == 700
    newest = api.member("m-c", "GET", "/v1/me/ledger").body["items"][0]
    assert (newest["type"], newest["points"]) == ("refund", 300)


def test_bad_hold_requests_are_422(api: Api) -> None:
    member_with_1000(api)
    for body in (
        {"hold_id": "x", "member_id": "m-c", "order_id": "o", "order_amount": "10"},
        {"hold_id": "x", "member_id": "m-c", "order_id": "o", "order_amount": "10", "points": 0},
        {"hold_id": "x", "member_id": "m-c", "order_id": "o", "order_amount": "-1", "points": 5},
    ):
        assert api.system("POST", "/v1/holds", body).status == 422
    assert me(api)["held"] == 0
    assert api.member("m-c", "POST", "/v1/holds", {}).status == 403


@pytest.mark.dynamodb_local
def test_twenty_concurrent_holds_of_100_on_1000_points_exactly_ten_succeed(
    local_api: Api,
) -> None:
    api = local_api
    member_with_1000(api)
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = Counter(pool.map(lambda i: hold(api, f"hc-{i}", 100).status, range(20)))
    assert statuses == {201: 10, 409: 10}
    assert (me(api)["held"], me(api)["spendable"]) == (1000, 0)


@pytest.mark.dynamodb_local
def test_capture_and_release_racing_exactly_one_wins(local_api: Api) -> None:
    api = local_api
    member_with_1000(api)
    outcomes = []
    for i in range(10):
        hold(api, f"hr-{i}", 50)
        with ThreadPoolExecutor(max_workers=2) as pool:
            cap, rel = pool.map(
                lambda action, i=i: api.system("POST", f"/v1/holds/hr-{i}/{action}"),
                ["capture", "release"],
            )
        assert sorted([cap.status, rel.status]) == [200, 409]
        winner = "capture" if cap.status == 200 else "release"
        repeat = api.system("POST", f"/v1/holds/hr-{i}/{winner}")
        assert (repeat.status, repeat.body) == (200, (cap if cap.status == 200 else rel).body)
        outcomes.append(winner)
    captured = outcomes.count("capture")
    assert me(api)["balance"] == 1000 - 50 * captured
    assert me(api)["held"] == 0
