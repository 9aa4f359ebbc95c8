"""The points mall through the real handlers (moto): catalog, redemption, limits, coupons,
the order life cycle, donation, cash-out, points + cash and the unpaid-order sweep."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.routes import ROUTES, Role
from tests.support import Api, Result, load_demo, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}
PICKUP = {"method": "pickup", "name": "Li Lei", "phone": "13800000000"}
COUPON_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


# Helpers ----------------------------------------------------------------------------------


def item(api: Api, item_id: str, **fields: Any) -> dict[str, Any]:
    body = {"name": item_id.title(), "kind": "gift", "points": 1000, **fields}
    res = api.operator("PUT", f"/v1/admin/catalog/{item_id}", body)
    assert res.status in (200, 201), res
    return res.body


def redeem(
    api: Api, member_id: str, item_id: str, *, key: str | None = None, **body: Any
) -> Result:
    payload = {"item_id": item_id, **body}
    if (
        "delivery" not in body
        and api.operator("GET", f"/v1/admin/catalog/{item_id}").body.get("kind") == "gift"
    ):
        payload["delivery"] = SHIP
    headers = {"idempotency-key": key} if key else None
    return api.member(member_id, "POST", "/v1/redemptions", payload, headers=headers)


def balance(api: Api, member_id: str) -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def stock(api: Api, item_id: str) -> int | None:
    return api.operator("GET", f"/v1/admin/catalog/{item_id}").body["stock"]


def ledger(api: Api, member_id: str) -> list[dict[str, Any]]:
    return api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]


def snapshot(api: Api, member_id: str, item_id: str | None = None) -> tuple:
    orders = api.member(member_id, "GET", "/v1/me/orders?limit=100").body["items"]
    return (
        balance(api, member_id),
        len(ledger(api, member_id)),
        tuple((o["order_id"], o["status"]) for o in orders),
        stock(api, item_id) if item_id else None,
    )


def move_clock(**delta: float) -> None:
    clock.pin(START + timedelta(**delta))


# Catalog ----------------------------------------------------------------------------------


def test_operator_creates_an_item_with_201_and_replaces_it_with_200(api: Api) -> None:
    body = {"name": "Thermos cup", "kind": "gift", "points": 3000, "stock": 100}

    created = api.operator("PUT", "/v1/admin/catalog/cup", body)
    replaced = api.operator("PUT", "/v1/admin/catalog/cup", {**body, "points": 2800})

    assert created.status == 201
    assert created.body["points"] == 3000 and created.body["stock"] == 100
    assert created.body["per_member_limit"] == {"per_day": 1, "total": 1}  # gift default
    assert replaced.status == 200
    assert replaced.body["points"] == 2800
    assert replaced.body["ver"] == created.body["ver"] + 1
    shown = api.member("m-x", "GET", "/v1/catalog/cup").body
    assert shown["points"] == 2800 and shown["available"] is True


def test_catalog_lists_every_kind_page_by_page(api: Api) -> None:
    item(api, "a-gift", stock=5)
    item(api, "b-coupon", kind="coupon", coupon_valid_days=7)
    item(api, "c-donation", kind="donation", points=100)
    item(api, "d-cash", kind="cash_out", points=1000)

    first = api.member("m-1", "GET", "/v1/catalog?limit=3")
    second = api.member("m-1", "GET", f"/v1/catalog?limit=3&cursor={first.body['next_cursor']}")

    assert [i["item_id"] for i in first.body["items"]] == ["a-gift", "b-coupon", "c-donation"]
    assert [i["item_id"] for i in second.body["items"]] == ["d-cash"]
    assert second.body["next_cursor"] is None
    kinds = {i["item_id"]: i["kind"] for i in first.body["items"] + second.body["items"]}
    assert kinds == {
        "a-gift": "gift",
        "b-coupon": "coupon",
        "c-donation": "donation",
        "d-cash": "cash_out",
    }
    coupon = first.body["items"][1]
    assert coupon["stock"] is None and coupon["per_member_limit"] is None
    assert coupon["coupon_valid_days"] == 7


def test_operators_list_the_catalog_on_their_own_route(api: Api) -> None:
    """The console's list (staff pool in AWS): the same items and pages as members see,
    without a tier deciding availability; members cannot use it."""
    item(api, "a-gift", stock=5)
    item(api, "b-gold", min_tier="gold")
    item(api, "c-gone")
    api.operator("PATCH", "/v1/admin/catalog/c-gone", {"retired": True})

    first = api.operator("GET", "/v1/admin/catalog?limit=1")
    second = api.operator("GET", f"/v1/admin/catalog?limit=1&cursor={first.body['next_cursor']}")

    assert [i["item_id"] for i in first.body["items"] + second.body["items"]] == [
        "a-gift",
        "b-gold",
    ]
    assert second.body["items"][0]["available"] is True  # no member tier applies
    assert api.member("m-1", "GET", "/v1/admin/catalog").status == 403


def test_availability_follows_window_stock_retirement_and_tier(api: Api) -> None:
    item(api, "later", starts_at="2027-02-01T00:00:00+08:00")
    item(api, "over", ends_at="2027-01-01T00:00:00+08:00")
    item(api, "empty", stock=0)
    item(api, "gold-only", min_tier="gold")
    item(api, "open", stock=3)
    item(api, "gone")
    api.operator("PATCH", "/v1/admin/catalog/gone", {"retired": True})

    listed = {
        i["item_id"]: i["available"]
        for i in api.member("m-1", "GET", "/v1/catalog?limit=100").body["items"]
    }

    assert listed == {
        "later": False,
        "over": False,
        "empty": False,
        "gold-only": False,
        "open": True,
    }
    gone = api.member("m-1", "GET", "/v1/catalog/gone").body
    assert gone["available"] is False and gone["retired"] is True
    assert api.operator("GET", "/v1/catalog/gold-only").body["available"] is True  # no tier


def test_a_bad_catalog_definition_is_422_and_stores_nothing(api: Api) -> None:
    bad = [
        {"name": "x", "kind": "donation", "points": 10, "stock": 5},
        {"name": "x", "kind": "donation", "points": 10, "cash": "1.00"},
        {"name": "x", "kind": "gift", "points": 0},
        {"name": "x", "kind": "gift", "points": 10, "cash": 9.9},
        {"name": "x", "kind": "hamper", "points": 10},
        {"name": "x", "kind": "gift", "points": 10, "per_member_limit": {"per_day": 0}},
        {
            "name": "x",
            "kind": "gift",
            "points": 10,
            "starts_at": "2027-02-01T00:00:00+08:00",
            "ends_at": "2027-01-01T00:00:00+08:00",
        },
    ]
    for body in bad:
        res = api.operator("PUT", "/v1/admin/catalog/x", body)
        assert (res.status, res.code) == (422, "validation_error"), body
    assert api.member("m-1", "GET", "/v1/catalog/x").code == "item_not_found"


def test_patch_restocks_reprices_and_never_takes_stock_below_zero(api: Api) -> None:
    item(api, "cup", stock=2)

    restocked = api.operator("PATCH", "/v1/admin/catalog/cup", {"stock_delta": 3})
    too_many = api.operator("PATCH", "/v1/admin/catalog/cup", {"stock_delta": -6})
    repriced = api.operator("PATCH", "/v1/admin/catalog/cup", {"points": 1500})

    assert restocked.status == 200 and restocked.body["stock"] == 5
    assert (too_many.status, too_many.code) == (409, "insufficient_stock")
    assert repriced.body["points"] == 1500 and repriced.body["stock"] == 5
    assert repriced.body["ver"] == restocked.body["ver"] + 1  # price is versioned, stock not
    item(api, "free-coupon", kind="coupon")
    unlimited = api.operator("PATCH", "/v1/admin/catalog/free-coupon", {"stock_delta": 1})
    assert (unlimited.status, unlimited.code) == (422, "validation_error")
    unknown = api.operator("PATCH", "/v1/admin/catalog/cup", {"name": "Mug"})
    assert unknown.status == 422
    missing = api.operator("PATCH", "/v1/admin/catalog/nope", {"stock_delta": 1})
    assert (missing.status, missing.code) == (404, "item_not_found")


# Every mall route (the redeem and mall_admin functions) with every role the route table
# does not allow on it.
WRONG_CALLERS = [
    (route.method, route.path.format(item_id="cup", order_id="r1", code="ABCD"), str(caller))
    for route in ROUTES
    if route.function in ("redeem", "mall_admin")
    for caller in sorted(set(Role) - route.roles)
]


@pytest.mark.parametrize(("method", "path", "caller"), WRONG_CALLERS)
def test_each_mall_route_refuses_the_wrong_role(
    api: Api, method: str, path: str, caller: str
) -> None:
    item(api, "cup", stock=1)
    token = {
        "member": api.token("m-1"),
        "system": api.token("shop", "systems"),
        "operator": api.token("op", "operators"),
    }[caller]

    res = api.call(method, path, {"item_id": "cup", "stock_delta": -1}, token=token)

    assert (res.status, res.code) == (403, "forbidden")
    assert stock(api, "cup") == 1


def test_mall_routes_need_a_token(api: Api) -> None:
    assert api.call("GET", "/v1/catalog").status == 401
    assert api.call("POST", "/v1/redemptions", {"item_id": "x"}).status == 401


# Redemption -------------------------------------------------------------------------------


def test_redeeming_a_gift_debits_takes_stock_and_places_the_order(api: Api) -> None:
    member_with_points(api, points=5000)
    item(api, "cup", points=3000, stock=100)

    res = redeem(api, "m-1", "cup")

    assert res.status == 201
    assert res.body["status"] == "placed" and res.body["points"] == 3000
    assert res.body["quantity"] == 1 and res.body["item_id"] == "cup"
    assert balance(api, "m-1") == 2000
    assert stock(api, "cup") == 99
    newest = ledger(api, "m-1")[0]
    assert (newest["type"], newest["points"], newest["ref"]) == (
        "redeem",
        -3000,
        res.body["order_id"],
    )
    orders = api.member("m-1", "GET", "/v1/me/orders").body["items"]
    assert [(o["order_id"], o["status"], o["delivery"]) for o in orders] == [
        (res.body["order_id"], "placed", SHIP)
    ]
    one = api.member("m-1", "GET", f"/v1/me/orders/{res.body['order_id']}")
    assert one.status == 200 and one.body["points"] == 3000
    assert api.operator("GET", "/v1/admin/catalog/cup").body["sold"] == 1


def test_spending_consumes_the_soonest_expiring_points_first(api: Api) -> None:
    # 100 welcome + 900 purchase (bronze), both expire 2027-07-10
    member_with_points(api, points=1000)
    move_clock(days=40)
    api.system("POST", "/v1/purchases", {"order_id": "o-2", "member_id": "m-1", "amount": "500"})
    item(api, "cup", points=1200)

    assert redeem(api, "m-1", "cup").status == 201

    expiring = api.member("m-1", "GET", "/v1/me").body["expiring"]
    assert expiring == [{"points": 300, "expires_on": "2027-08-19"}]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"item_id": "nope", "delivery": SHIP}, 404, "item_not_found"),
        ({"item_id": "cup", "quantity": 0, "delivery": SHIP}, 422, "validation_error"),
        ({"item_id": "cup", "quantity": 10**9, "delivery": SHIP}, 422, "validation_error"),
        ({"item_id": "cup", "quantity": "1", "delivery": SHIP}, 422, "validation_error"),
        ({"item_id": "cup"}, 422, "validation_error"),
        ({"item_id": "cup", "delivery": {"method": "ship", "name": "A", "phone": "1"}}, 422, None),
        ({"item_id": "cup", "delivery": {"method": "drone"}}, 422, "validation_error"),
        ({"item_id": "coupon", "delivery": SHIP}, 422, "validation_error"),
        ({"item_id": "coupon", "quantity": 2}, 422, "validation_error"),
        ({"item_id": "", "delivery": SHIP}, 422, "validation_error"),
        ({"delivery": SHIP}, 422, "validation_error"),
    ],
)
def test_bad_redemptions_get_the_documented_4xx_and_change_nothing(
    api: Api, body: dict[str, Any], status: int, code: str | None
) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    item(api, "coupon", kind="coupon")
    before = snapshot(api, "m-1", "cup")

    res = api.member("m-1", "POST", "/v1/redemptions", body)

    assert res.status == status
    if code:
        assert res.code == code
    assert "message" in res.body["error"]
    assert snapshot(api, "m-1", "cup") == before


def test_malformed_json_and_a_bad_idempotency_key_are_refused(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    before = snapshot(api, "m-1", "cup")

    broken = api.call("POST", "/v1/redemptions", raw=b"{", token=api.token("m-1"))
    bad_key = redeem(api, "m-1", "cup", key="not a key!")

    assert (broken.status, broken.code) == (400, "bad_request")
    assert (bad_key.status, bad_key.code) == (422, "validation_error")
    assert snapshot(api, "m-1", "cup") == before


def test_another_members_order_is_not_found_and_cannot_be_cancelled(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "cup", stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]
    before = snapshot(api, "m-1", "cup")

    seen = api.member("m-2", "GET", f"/v1/me/orders/{order_id}")
    cancel = api.member("m-2", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert (seen.status, seen.code) == (404, "order_not_found")
    assert (cancel.status, cancel.code) == (404, "order_not_found")
    assert snapshot(api, "m-1", "cup") == before


def test_not_enough_points_is_409_and_changes_nothing(api: Api) -> None:
    member_with_points(api, points=500)
    item(api, "cup", stock=5)
    before = snapshot(api, "m-1", "cup")

    res = redeem(api, "m-1", "cup")

    assert (res.status, res.code) == (409, "insufficient_points")
    assert res.body["error"]["details"] == {"needed": 1000, "spendable": 500}
    assert snapshot(api, "m-1", "cup") == before


def test_the_last_unit_goes_to_the_first_and_then_it_is_sold_out(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "phone", points=1000, stock=1)

    first = redeem(api, "m-1", "phone")
    second = redeem(api, "m-2", "phone")

    assert first.status == 201
    assert (second.status, second.code) == (409, "sold_out")
    assert stock(api, "phone") == 0
    assert balance(api, "m-2") == 10_000


def test_more_units_than_in_stock_is_sold_out(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "mug", stock=2, per_member_limit=None)

    res = redeem(api, "m-1", "mug", quantity=3)

    assert (res.status, res.code) == (409, "sold_out")
    assert stock(api, "mug") == 2


def test_default_gift_limits_one_gift_a_day_and_never_the_same_gift_twice(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=10)
    item(api, "pen", stock=10)

    first = redeem(api, "m-1", "cup")
    same_again = redeem(api, "m-1", "cup")
    other_same_day = redeem(api, "m-1", "pen")
    move_clock(days=1)
    other_next_day = redeem(api, "m-1", "pen")
    same_next_day = redeem(api, "m-1", "cup")

    assert first.status == 201
    assert (same_again.status, same_again.code) == (409, "limit_reached")
    assert (other_same_day.status, other_same_day.code) == (409, "limit_reached")
    assert other_next_day.status == 201
    assert (same_next_day.status, same_next_day.code) == (409, "limit_reached")
    assert balance(api, "m-1") == 8000
    assert (stock(api, "cup"), stock(api, "pen")) == (9, 9)


def test_per_item_limits_can_be_custom_or_switched_off(api: Api) -> None:
    member_with_points(api, points=20_000)
    item(api, "mug", stock=10, per_member_limit={"total": 2})
    item(api, "pen", points=100, per_member_limit=None)

    mugs = [redeem(api, "m-1", "mug").status for _ in range(3)]
    pens = [redeem(api, "m-1", "pen").status for _ in range(4)]
    two_at_once = redeem(api, "m-1", "pen", quantity=2)

    assert mugs == [201, 201, 409]
    assert pens == [201] * 4
    assert two_at_once.status == 201 and two_at_once.body["points"] == 200
    assert api.member("m-1", "GET", "/v1/catalog/pen").body["per_member_limit"] is None


def test_a_quantity_above_the_limit_is_refused_without_writing(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "mug", points=100, stock=10, per_member_limit={"total": 2})
    before = snapshot(api, "m-1", "mug")

    res = redeem(api, "m-1", "mug", quantity=3)

    assert (res.status, res.code) == (409, "limit_reached")
    assert snapshot(api, "m-1", "mug") == before


def test_outside_the_window_or_retired_is_not_available(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "later", starts_at="2027-01-10T12:00:00+08:00", ends_at="2027-01-11T00:00:00+08:00")
    item(api, "gone")
    api.operator("PATCH", "/v1/admin/catalog/gone", {"retired": True})

    early = redeem(api, "m-1", "later")
    move_clock(hours=2)
    inside = redeem(api, "m-1", "later")
    retired = redeem(api, "m-1", "gone")

    assert (early.status, early.code) == (409, "not_available")
    assert inside.status == 201
    assert (retired.status, retired.code) == (409, "not_available")


def test_a_tier_only_item_needs_the_tier(api: Api) -> None:
    from shared.dynamodb import keys
    from shared.dynamodb.models import MemberItem

    member_with_points(
        api, points=900
    )  # a purchase of 800: still bronze (5 000 would promote to gold)
    item(api, "lounge", min_tier="gold", per_member_limit=None, points=500)

    bronze = redeem(api, "m-1", "lounge")
    MemberItem(pk=keys.member_pk("m-1"), sk=keys.PROFILE).update([MemberItem.tier.set("gold")])
    gold = redeem(api, "m-1", "lounge")

    assert (bronze.status, bronze.code) == (409, "not_available")
    assert bronze.body["error"]["details"] == {"min_tier": "gold", "tier": "bronze"}
    assert gold.status == 201
    assert api.member("m-1", "GET", "/v1/catalog/lounge").body["available"] is True


def test_a_frozen_member_cannot_redeem(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    frozen = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "abuse"})
    assert frozen.status == 200, frozen
    before = snapshot(api, "m-1", "cup")

    res = redeem(api, "m-1", "cup")

    assert (res.status, res.code) == (403, "member_frozen")
    assert snapshot(api, "m-1", "cup") == before


def test_an_unregistered_member_cannot_redeem(api: Api) -> None:
    item(api, "cup", stock=5)

    res = redeem(api, "m-ghost", "cup")

    assert (res.status, res.code) == (404, "member_not_found")
    assert stock(api, "cup") == 5


def test_the_same_idempotency_key_replays_the_first_response(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "phone", points=1000, stock=1)

    first = redeem(api, "m-1", "phone", key="k-1")
    again = redeem(api, "m-1", "phone", key="k-1")  # the phone is sold out by now

    assert first.status == again.status == 201
    assert again.body == first.body
    assert balance(api, "m-1") == 9000
    assert len(api.member("m-1", "GET", "/v1/me/orders").body["items"]) == 1


def test_the_same_idempotency_key_with_another_body_is_409(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    item(api, "pen", stock=5)
    redeem(api, "m-1", "cup", key="k-1")
    before = snapshot(api, "m-1", "pen")

    other = redeem(api, "m-1", "pen", key="k-1")

    assert (other.status, other.code) == (409, "idempotency_key_reused")
    assert snapshot(api, "m-1", "pen") == before


def test_an_idempotency_key_is_per_caller_and_lives_a_day(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "pen", points=100, stock=10, per_member_limit=None)

    mine = redeem(api, "m-1", "pen", key="k-1")
    theirs = redeem(api, "m-2", "pen", key="k-1")
    move_clock(hours=25)
    next_day = redeem(api, "m-1", "pen", key="k-1")

    assert mine.status == theirs.status == next_day.status == 201
    assert len({mine.body["order_id"], theirs.body["order_id"], next_day.body["order_id"]}) == 3


def test_without_an_idempotency_key_each_request_is_a_new_redemption(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "pen", points=100, per_member_limit=None)

    ids = {redeem(api, "m-1", "pen").body["order_id"] for _ in range(3)}

    assert len(ids) == 3
    assert balance(api, "m-1") == 9700


def test_a_price_change_after_the_item_was_read_is_charged_at_the_new_price(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "cup", points=1000, stock=5, per_member_limit=None)
    assert redeem(api, "m-1", "cup").body["points"] == 1000  # the redeem function read it

    api.operator("PATCH", "/v1/admin/catalog/cup", {"points": 1500})  # another function
    res = redeem(api, "m-2", "cup")

    assert res.status == 201
    assert res.body["points"] == 1500
    assert balance(api, "m-2") == 8500
    assert ledger(api, "m-2")[0]["points"] == -1500


def test_a_restock_after_selling_out_is_seen_at_once(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "cup", points=1000, stock=1, per_member_limit=None)
    assert redeem(api, "m-1", "cup").status == 201
    assert redeem(api, "m-2", "cup").code == "sold_out"

    api.operator("PATCH", "/v1/admin/catalog/cup", {"stock_delta": 1})
    res = redeem(api, "m-2", "cup")

    assert res.status == 201


# Coupons ----------------------------------------------------------------------------------


def test_a_coupon_is_issued_at_once_with_a_unique_code_and_its_validity(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "save10", kind="coupon", points=1000, coupon_valid_days=30)

    first = redeem(api, "m-1", "save10")
    second = redeem(api, "m-1", "save10")

    assert first.status == second.status == 201
    assert first.body["status"] == "issued"
    coupon = first.body["coupon"]
    assert COUPON_CODE.match(coupon["code"])
    assert coupon["expires_on"] == "2027-02-08"  # 30 days including the day of issue
    assert coupon["code"] != second.body["coupon"]["code"]
    mine = api.member("m-1", "GET", "/v1/me/coupons").body["items"]
    assert [(c["code"], c["status"], c["item_id"]) for c in mine] == [
        (second.body["coupon"]["code"], "active", "save10"),
        (coupon["code"], "active", "save10"),
    ]


def test_the_shop_consumes_a_coupon_exactly_once(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "save10", kind="coupon")
    code = redeem(api, "m-1", "save10").body["coupon"]["code"]

    used = api.system("POST", f"/v1/coupons/{code}/consume", {"order_id": "shop-1"})
    repeated = api.system("POST", f"/v1/coupons/{code}/consume", {"order_id": "shop-1"})
    other_order = api.system("POST", f"/v1/coupons/{code}/consume", {"order_id": "shop-2"})
    no_body = api.system("POST", f"/v1/coupons/{code}/consume")

    assert used.status == 200 and used.body["status"] == "used"
    assert repeated.status == 200 and repeated.body == used.body
    assert (other_order.status, other_order.code) == (409, "coupon_used")
    assert (no_body.status, no_body.code) == (409, "coupon_used")
    mine = api.member("m-1", "GET", "/v1/me/coupons").body["items"]
    assert [c["status"] for c in mine] == ["used"]


def test_an_unknown_or_expired_coupon_cannot_be_consumed(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "save10", kind="coupon", coupon_valid_days=1)
    code = redeem(api, "m-1", "save10").body["coupon"]["code"]

    unknown = api.system("POST", "/v1/coupons/NOPE-NOPE-NOPE-NOPE/consume")
    move_clock(days=1)
    expired = api.system("POST", f"/v1/coupons/{code}/consume")

    assert (unknown.status, unknown.code) == (404, "coupon_not_found")
    assert (expired.status, expired.code) == (409, "coupon_expired")
    assert [c["status"] for c in api.member("m-1", "GET", "/v1/me/coupons").body["items"]] == [
        "expired"
    ]


# Orders -----------------------------------------------------------------------------------


def test_operators_move_an_order_placed_approved_shipped_delivered(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]
    path = f"/v1/admin/orders/{order_id}"

    queue = api.operator("GET", "/v1/admin/orders?status=placed").body["items"]
    approved = api.operator("PATCH", path, {"status": "approved"})
    no_tracking = api.operator("PATCH", path, {"status": "shipped", "carrier": "SF"})
    shipped = api.operator(
        "PATCH", path, {"status": "shipped", "carrier": "SF", "tracking_no": "SF123"}
    )
    delivered = api.operator("PATCH", path, {"status": "delivered"})

    assert [o["order_id"] for o in queue] == [order_id]
    assert approved.status == 200 and approved.body["status"] == "approved"
    assert (no_tracking.status, no_tracking.code) == (422, "validation_error")
    assert shipped.body["status"] == "shipped" and shipped.body["tracking_no"] == "SF123"
    assert delivered.body["status"] == "delivered"
    mine = api.member("m-1", "GET", f"/v1/me/orders/{order_id}").body
    assert (mine["status"], mine["carrier"], mine["tracking_no"]) == ("delivered", "SF", "SF123")
    assert api.operator("GET", "/v1/admin/orders?status=placed").body["items"] == []
    assert [
        o["order_id"]
        for o in api.operator("GET", "/v1/admin/orders?status=delivered").body["items"]
    ] == [order_id]


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], {"status": "delivered"}),
        ([], {"status": "shipped", "carrier": "SF", "tracking_no": "1"}),
        ([{"status": "approved"}], {"status": "delivered"}),
        (
            [{"status": "approved"}, {"status": "shipped", "carrier": "SF", "tracking_no": "1"}],
            {"status": "rejected"},
        ),
        ([{"status": "rejected"}], {"status": "approved"}),
    ],
)
def test_illegal_transitions_are_409_and_change_nothing(
    api: Api, steps: list[dict], illegal: dict
) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]
    for step in steps:
        assert api.operator("PATCH", f"/v1/admin/orders/{order_id}", step).status == 200
    before = snapshot(api, "m-1", "cup")

    res = api.operator("PATCH", f"/v1/admin/orders/{order_id}", illegal)

    assert (res.status, res.code) == (409, "invalid_transition")
    assert snapshot(api, "m-1", "cup") == before


def test_unknown_orders_and_statuses(api: Api) -> None:
    missing = api.operator("PATCH", "/v1/admin/orders/r-nope", {"status": "approved"})
    bad_status = api.operator("GET", "/v1/admin/orders?status=lost")
    bad_target = api.operator("PATCH", "/v1/admin/orders/r-nope", {"status": "placed"})

    assert (missing.status, missing.code) == (404, "order_not_found")
    assert (bad_status.status, bad_status.code) == (422, "validation_error")
    assert (bad_target.status, bad_target.code) == (422, "validation_error")


def test_member_cancel_returns_points_stock_and_limits_exactly_once(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", points=3000, stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]

    first = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")
    again = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert first.status == again.status == 200
    assert first.body["status"] == again.body["status"] == "cancelled"
    assert balance(api, "m-1") == 10_000
    assert stock(api, "cup") == 5
    refunds = [e for e in ledger(api, "m-1") if e["type"] == "refund"]
    assert [(e["points"], e["ref"]) for e in refunds] == [(3000, order_id)]
    assert api.operator("GET", "/v1/admin/catalog/cup").body["sold"] == 0
    assert redeem(api, "m-1", "cup").status == 201  # the limits were given back too
    expiring = api.member("m-1", "GET", "/v1/me").body["expiring"]
    assert expiring == [{"points": 7000, "expires_on": "2027-07-10"}]


def test_a_member_can_cancel_only_while_placed(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]
    api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "approved"})
    before = snapshot(api, "m-1", "cup")

    res = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert (res.status, res.code) == (409, "invalid_transition")
    assert snapshot(api, "m-1", "cup") == before


def test_a_coupon_order_cannot_be_cancelled(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "save10", kind="coupon")
    order_id = redeem(api, "m-1", "save10").body["order_id"]

    res = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert (res.status, res.code) == (409, "invalid_transition")


def test_rejection_returns_points_and_stock_once(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", points=3000, stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]
    api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "approved"})

    rejected = api.operator(
        "PATCH", f"/v1/admin/orders/{order_id}", {"status": "rejected", "reason": "bad address"}
    )
    again = api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "rejected"})

    assert rejected.status == again.status == 200
    assert rejected.body["status"] == "rejected" and rejected.body["reason"] == "bad address"
    assert balance(api, "m-1") == 10_000
    assert stock(api, "cup") == 5
    assert [e["type"] for e in ledger(api, "m-1")].count("refund") == 1


def pickup_order(api: Api) -> tuple[str, str, str]:
    """m-1 (10 000 points) redeemed a cup (stock 5) to pick up: (order id, its pickup code,
    a wrong code)."""
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    placed = redeem(api, "m-1", "cup", delivery=PICKUP)
    code = placed.body["pickup_code"]
    return placed.body["order_id"], code, "000000" if code != "000000" else "111111"


def test_pickup_orders_are_handed_over_once_against_their_code(api: Api) -> None:
    order_id, code, wrong = pickup_order(api)
    path = f"/v1/admin/orders/{order_id}/pickup"

    assert re.fullmatch(r"\d{6}", code)
    assert api.member("m-1", "GET", f"/v1/me/orders/{order_id}").body["pickup_code"] == code
    assert "pickup_code" not in api.operator("GET", "/v1/admin/orders").body["items"][0]
    miss = api.operator("POST", path, {"pickup_code": wrong})
    hit = api.operator("POST", path, {"pickup_code": code})
    repeat = api.operator("POST", path, {"pickup_code": code})

    assert (miss.status, miss.code) == (409, "wrong_pickup_code")
    assert miss.body["error"]["details"] == {"attempts_left": 4}
    assert hit.status == 200 and hit.body["status"] == "picked_up"
    assert repeat.status == 200 and repeat.body["status"] == "picked_up"
    shipped = api.operator(
        "PATCH",
        f"/v1/admin/orders/{order_id}",
        {"status": "shipped", "carrier": "SF", "tracking_no": "1"},
    )
    assert (shipped.status, shipped.code) == (409, "invalid_transition")


def test_wrong_pickup_codes_lock_the_order_after_five_attempts(api: Api) -> None:
    order_id, code, wrong = pickup_order(api)
    path = f"/v1/admin/orders/{order_id}/pickup"

    misses = [api.operator("POST", path, {"pickup_code": wrong}) for _ in range(5)]
    locked = api.operator("POST", path, {"pickup_code": code})

    assert [m.code for m in misses] == ["wrong_pickup_code"] * 5
    assert [m.body["error"]["details"]["attempts_left"] for m in misses] == [4, 3, 2, 1, 0]
    assert (locked.status, locked.code) == (409, "pickup_locked")
    assert api.member("m-1", "GET", f"/v1/me/orders/{order_id}").body["status"] == "placed"
    rejected = api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "rejected"})
    assert rejected.status == 200 and balance(api, "m-1") == 10_000


def test_a_shipped_order_has_no_pickup(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "cup", stock=5)
    order_id = redeem(api, "m-1", "cup").body["order_id"]

    res = api.operator("POST", f"/v1/admin/orders/{order_id}/pickup", {"pickup_code": "123456"})

    assert (res.status, res.code) == (409, "invalid_transition")


# Donation and cash-out --------------------------------------------------------------------


def test_donations_have_no_stock_and_a_public_running_total(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    member_with_points(api, "m-2", 10_000)
    item(api, "trees", kind="donation", points=100)

    gifts = [
        redeem(api, "m-1", "trees", quantity=5),
        redeem(api, "m-1", "trees", quantity=1),
        redeem(api, "m-2", "trees", quantity=2),
    ]

    assert [g.status for g in gifts] == [201, 201, 201]
    assert {g.body["status"] for g in gifts} == {"completed"}
    shown = api.member("m-3", "GET", "/v1/catalog/trees").body
    assert (shown["donated_points"], shown["donors"], shown["stock"]) == (800, 2, None)
    assert balance(api, "m-1") == 9400
    done = api.member("m-1", "POST", f"/v1/me/orders/{gifts[0].body['order_id']}/cancel")
    assert (done.status, done.code) == (409, "invalid_transition")


def test_cash_out_happens_only_inside_the_window_and_records_a_payout(api: Api) -> None:
    from shared.dynamodb import keys
    from shared.dynamodb.models import PayoutItem

    member_with_points(api, points=10_000)
    item(api, "cash10", kind="cash_out", points=1000)
    closed = redeem(api, "m-1", "cash10")
    window = {
        "cash_out_starts_at": "2027-01-10T00:00:00+08:00",
        "cash_out_ends_at": "2027-01-11T00:00:00+08:00",
        "cash_out_points_per_unit": 100,
    }
    assert api.operator("PUT", "/v1/admin/rules", window).status == 200

    opened = redeem(api, "m-1", "cash10", quantity=2)
    move_clock(days=1)
    after = redeem(api, "m-1", "cash10")

    assert (closed.status, closed.code) == (409, "not_available")
    assert opened.status == 201
    assert opened.body["payout"] == {"amount": "20.00", "currency": "CNY"}
    assert (after.status, after.code) == (409, "not_available")
    assert balance(api, "m-1") == 8000
    payouts = list(PayoutItem.query(keys.payouts_pk(START.date())))
    assert [(p.member_id, p.amount, p.points, p.status) for p in payouts] == [
        ("m-1", "20.00", 2000, "pending")
    ]
    assert api.member("m-1", "GET", "/v1/catalog/cash10").body["cash_value"] == "10.00"


# Points + cash ----------------------------------------------------------------------------


def test_a_points_and_cash_order_waits_for_the_shops_payment(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "phone", points=5000, cash="199.00", stock=3)
    placed = redeem(api, "m-1", "phone")
    order_id = placed.body["order_id"]
    path = f"/v1/orders/{order_id}/payment"

    wrong = api.system("POST", path, {"amount": "100.00", "payment_ref": "pay-1"})
    paid = api.system("POST", path, {"amount": "199.00", "payment_ref": "pay-1"})
    repeat = api.system("POST", path, {"amount": "199.00", "payment_ref": "pay-1"})

    assert placed.status == 201
    assert placed.body["status"] == "awaiting_payment"
    assert (placed.body["cash_due"], placed.body["currency"]) == ("199.00", "CNY")
    assert placed.body["payment_due_at"] == "2027-01-10T10:30:00+08:00"
    assert balance(api, "m-1") == 5000 and stock(api, "phone") == 2
    assert (wrong.status, wrong.code) == (422, "validation_error")
    assert paid.status == 200 and paid.body["status"] == "placed"
    assert repeat.status == 200 and repeat.body == paid.body
    assert api.member("m-1", "GET", f"/v1/me/orders/{order_id}").body["status"] == "placed"
    unknown = api.system("POST", "/v1/orders/r-nope/payment", {"amount": "1", "payment_ref": "x"})
    assert (unknown.status, unknown.code) == (404, "order_not_found")


def test_a_points_and_cash_coupon_is_issued_when_paid(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "credit50", kind="coupon", points=2000, cash="5.00")
    placed = redeem(api, "m-1", "credit50")
    before_payment = api.member("m-1", "GET", "/v1/me/coupons").body["items"]

    paid = api.system(
        "POST",
        f"/v1/orders/{placed.body['order_id']}/payment",
        {"amount": "5.00", "payment_ref": "pay-9"},
    )

    assert placed.body["status"] == "awaiting_payment" and "coupon" not in placed.body
    assert before_payment == []
    assert paid.body["status"] == "issued"
    assert COUPON_CODE.match(paid.body["coupon"]["code"])
    assert [c["code"] for c in api.member("m-1", "GET", "/v1/me/coupons").body["items"]] == [
        paid.body["coupon"]["code"]
    ]


def test_the_sweep_cancels_unpaid_orders_once_and_returns_everything(api: Api) -> None:
    from shared import mall

    member_with_points(api, points=10_000)
    item(api, "phone", points=5000, cash="199.00", stock=3)
    unpaid = redeem(api, "m-1", "phone").body["order_id"]
    move_clock(minutes=20)
    item(api, "mug", points=100, cash="1.00", per_member_limit=None)
    recent = redeem(api, "m-1", "mug").body["order_id"]

    move_clock(minutes=29)
    early = api.operator("POST", "/v1/admin/jobs/unpaid-orders/runs").body
    move_clock(minutes=31)
    swept = mall.sweep_unpaid_orders(clock.now())  # what the schedule runs
    again = api.operator("POST", "/v1/admin/jobs/unpaid-orders/runs").body
    late = api.system(
        "POST", f"/v1/orders/{unpaid}/payment", {"amount": "199.00", "payment_ref": "p"}
    )

    nothing = {"job": "unpaid-orders", "complete": True, "processed": 0, "cancelled": 0}
    assert early == again == nothing | {"continues": False}
    assert swept == {"complete": True, "processed": 1, "cancelled": 1}
    assert (late.status, late.code) == (409, "invalid_transition")
    order = api.member("m-1", "GET", f"/v1/me/orders/{unpaid}").body
    assert (order["status"], order["reason"]) == ("cancelled", "unpaid")
    assert api.member("m-1", "GET", f"/v1/me/orders/{recent}").body["status"] == (
        "awaiting_payment"
    )
    assert balance(api, "m-1") == 10_000 - 100
    assert stock(api, "phone") == 3
    assert [e["type"] for e in ledger(api, "m-1")].count("refund") == 1


def test_a_member_may_cancel_an_unpaid_order(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "phone", points=5000, cash="199.00", stock=3)
    order_id = redeem(api, "m-1", "phone").body["order_id"]

    res = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert res.body["status"] == "cancelled"
    assert balance(api, "m-1") == 10_000 and stock(api, "phone") == 3


def test_orders_page_newest_first(api: Api) -> None:
    member_with_points(api, points=10_000)
    item(api, "pen", points=10, per_member_limit=None)
    ids = []
    for minute in range(5):
        move_clock(minutes=minute)
        ids.append(redeem(api, "m-1", "pen").body["order_id"])

    first = api.member("m-1", "GET", "/v1/me/orders?limit=3").body
    second = api.member("m-1", "GET", f"/v1/me/orders?limit=3&cursor={first['next_cursor']}").body

    assert [o["order_id"] for o in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    bad = api.member("m-1", "GET", "/v1/me/orders?cursor=garbage")
    assert (bad.status, bad.code) == (400, "invalid_cursor")


def test_demo_data_loads_the_spec_catalog_once(api: Api) -> None:
    load_demo(api)
    bought = redeem(api, "m-carol", "phone")
    load_demo(api)

    catalog = api.member("m-alice", "GET", "/v1/catalog?limit=100").body["items"]
    shown = {i["name"]: (i["points"], i["stock"]) for i in catalog}
    assert shown["智能手机"] == (10_000, 19)  # a restart does not reset the stock
    assert shown["无线耳机"] == (5_000, 50)
    assert shown["保温杯"] == (3_000, 100)
    assert shown["满100减10优惠券"] == (1_000, None)
    assert shown["满200减30优惠券"] == (2_000, None)
    assert [shown[f"{n}元话费"][0] for n in (30, 50, 100)] == [2_010, 3_340, 6_670]
    assert bought.status == 201
