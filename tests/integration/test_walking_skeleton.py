"""Registration, purchase, refund and the member's view through the real handlers (moto)."""

from __future__ import annotations

import pytest

from tests.support import Api, Result, purchase, refund, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def assert_created_then_replayed(first: Result, again: Result) -> None:
    """The request was answered 201, and the same request again 200 with the same body."""
    assert first.status == 201
    assert again.status == 200
    assert again.body == first.body


def test_registration_credits_welcome_points(api: Api) -> None:
    created = api.system("POST", "/v1/members", {"member_id": "m-new"})

    assert created.status == 201
    assert created.body["balance"] == 100
    me = api.member("m-new", "GET", "/v1/me")
    assert me.status == 200
    assert me.body["balance"] == 100
    assert me.body["expiring"] == [{"points": 100, "expires_on": "2027-07-10"}]


def test_registering_again_with_same_data_is_200_and_credits_once(api: Api) -> None:
    register_member(api, "m-new")
    again = api.system("POST", "/v1/members", {"member_id": "m-new"})

    assert again.status == 200
    assert again.body["balance"] == 100


def test_registering_again_with_other_data_is_a_conflict(api: Api) -> None:
    register_member(api, "m-new")
    other = api.system("POST", "/v1/members", {"member_id": "m-new", "birthday": "05-01"})

    assert other.status == 409
    assert other.code == "member_exists"


def test_purchase_earns_floor_of_amount_and_is_idempotent_on_order_id(api: Api) -> None:
    register_member(api, "m-new")
    body = {"order_id": "o-1", "member_id": "m-new", "amount": "199.90"}

    first = api.system("POST", "/v1/purchases", body)
    second = api.system("POST", "/v1/purchases", body)

    assert_created_then_replayed(first, second)
    assert first.body["points"] == 199
    assert sum(part["points"] for part in first.body["breakdown"]) == 199
    assert api.member("m-new", "GET", "/v1/me").body["balance"] == 299


def test_refund_claws_back_proportionally_and_once(api: Api) -> None:
    register_member(api, "m-new")
    purchase(api, "m-new", "o-1", "199.90")

    first = refund(api, "r-1", "o-1", "99.95")
    again = refund(api, "r-1", "o-1", "99.95")

    assert_created_then_replayed(first, again)
    assert first.body["points_clawed_back"] == 99  # floor(199 × 99.95 / 199.90)
    assert api.member("m-new", "GET", "/v1/me").body["balance"] == 200


def test_partial_refunds_adding_up_to_the_order_claw_back_everything(api: Api) -> None:
    register_member(api, "m-new")
    purchase(api, "m-new", "o-1", "199.90")
    clawed = [
        refund(api, f"r-{i}", "o-1", amount).body["points_clawed_back"]
        for i, amount in enumerate(["99.95", "50.00", "49.95"])
    ]

    assert sum(clawed) == 199
    assert api.member("m-new", "GET", "/v1/me").body["balance"] == 100


def test_refunds_beyond_the_order_are_refused_and_change_nothing(api: Api) -> None:
    register_member(api, "m-new")
    purchase(api, "m-new", "o-1", "100.00")
    too_much = refund(api, "r-1", "o-1", "100.01")

    assert too_much.status == 422
    assert api.member("m-new", "GET", "/v1/me").body["balance"] == 200


def test_refund_of_unknown_order_is_404(api: Api) -> None:
    res = refund(api, "r-1", "nope", "1.00")
    assert res.status == 404
    assert res.code == "order_not_found"


def test_ledger_is_newest_first_with_running_balances(api: Api) -> None:
    register_member(api, "m-new")
    purchase(api, "m-new", "o-1", "199.90")
    refund(api, "r-1", "o-1", "99.95")

    page = api.member("m-new", "GET", "/v1/me/ledger").body

    assert [(e["type"], e["points"], e["balance_after"]) for e in page["items"]] == [
        ("clawback", -99, 200),
        ("earn", 199, 299),
        ("earn", 100, 100),
    ]
    assert page["next_cursor"] is None


def test_ledger_pages_follow_the_cursor(api: Api) -> None:
    register_member(api, "m-new")
    for i in range(5):
        purchase(api, "m-new", f"o-{i}", "10")
    seen: list[tuple[str, int]] = []
    cursor = None
    while True:
        path = "/v1/me/ledger?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.member("m-new", "GET", path).body
        seen += [(e["entry_id"], e["balance_after"]) for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert [b for _, b in seen] == [150, 140, 130, 120, 110, 100]
    assert len({e for e, _ in seen}) == 6


def test_a_member_cannot_use_another_members_cursor(api: Api) -> None:
    register_member(api, "m-a")
    register_member(api, "m-b")
    for i in range(3):
        purchase(api, "m-a", f"o-{i}", "10")
    cursor = api.member("m-a", "GET", "/v1/me/ledger?limit=1").body["next_cursor"]

    res = api.member("m-b", "GET", f"/v1/me/ledger?cursor={cursor}")

    assert (res.status, res.code) == (400, "invalid_cursor")


def test_every_credit_in_the_ledger_shows_its_expiry(api: Api) -> None:
    register_member(api, "m-new")
    purchase(api, "m-new", "o-1", "5")
    items = api.member("m-new", "GET", "/v1/me/ledger").body["items"]
    assert [e["expires_on"] for e in items] == ["2027-07-10", "2027-07-10"]


def test_a_refund_id_cannot_be_reused_for_another_order_of_the_member(api: Api) -> None:
    register_member(api, "m-new")
    for order in ("o-1", "o-2"):
        purchase(api, "m-new", order, "10")
    refund(api, "r-1", "o-1", "10")

    reused = refund(api, "r-1", "o-2", "10")

    assert (reused.status, reused.code) == (409, "refund_id_reused")
    assert api.member("m-new", "GET", "/v1/me").body["balance"] == 110
