"""The points lottery through the real handlers (moto): campaigns and prize pools, the odds in
force, draws of every prize kind, refusals that change nothing, idempotent retries, the
stock-ran-out fallback and the operators' audit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.domain import lottery as domain
from shared.lottery import draws as lottery_use_cases
from tests.support import (
    Api,
    Result,
    lottery_body,
    lottery_prize,
    member_with_points,
    points_prize,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2027, 1, 10, 10, 0, tzinfo=SHANGHAI)
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}


# Helpers ----------------------------------------------------------------------------------


def lottery(api: Api, lottery_id: str = "spring", **fields: Any) -> Result:
    return api.operator("PUT", f"/v1/admin/lotteries/{lottery_id}", lottery_body(**fields))


def catalog_item(api: Api, item_id: str, kind: str, **fields: Any) -> None:
    body = {"name": item_id.title(), "kind": kind, "points": 1000, **fields}
    assert api.operator("PUT", f"/v1/admin/catalog/{item_id}", body).status == 201


def draw(
    api: Api,
    member_id: str,
    lottery_id: str = "spring",
    *,
    key: str | None = None,
    body: Any = None,
) -> Result:
    headers = {"idempotency-key": key} if key else None
    return api.member(member_id, "POST", f"/v1/lotteries/{lottery_id}/draws", body, headers=headers)


def balance(api: Api, member_id: str) -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def ledger(api: Api, member_id: str) -> list[dict[str, Any]]:
    return api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]


def stats(api: Api, lottery_id: str = "spring") -> dict[str, Any]:
    res = api.operator("GET", f"/v1/admin/lotteries/{lottery_id}/stats")
    assert res.status == 200, res
    return res.body


def listed(api: Api, member_id: str) -> dict[str, dict[str, Any]]:
    res = api.member(member_id, "GET", "/v1/lotteries")
    assert res.status == 200, res
    return {item["lottery_id"]: item for item in res.body["items"]}


def snapshot(api: Api, member_id: str, lottery_id: str = "spring") -> tuple:
    s = stats(api, lottery_id)
    return (
        balance(api, member_id),
        len(ledger(api, member_id)),
        s["draws"],
        s["points_in"],
        tuple((o["prize_id"], o["won"], o.get("stock")) for o in s["outcomes"]),
        listed(api, member_id).get(lottery_id, {}).get("draws_left_today"),
    )


# Campaigns --------------------------------------------------------------------------------


def test_operator_creates_a_lottery_with_201_and_replaces_it_with_200(api: Api) -> None:
    created = lottery(api, prizes=[points_prize(stock=5)])
    replaced = lottery(api, name="Spring draw II", prizes=[points_prize(stock=7)])

    assert created.status == 201
    assert created.body["cost"] == 50 and created.body["daily_limit"] == 3
    assert created.body["prizes"][0]["stock"] == 5
    assert created.body["open"] is True
    assert replaced.status == 200
    assert replaced.body["name"] == "Spring draw II"
    assert replaced.body["prizes"][0]["stock"] == 7
    assert replaced.body["ver"] == created.body["ver"] + 1
    shown = api.operator("GET", "/v1/admin/lotteries/spring").body
    assert shown == replaced.body


def test_the_cost_defaults_to_the_programme_default_of_50(api: Api) -> None:
    body = {
        "name": "Free-form",
        "starts_at": "2027-01-01T00:00:00+08:00",
        "ends_at": "2027-02-01T00:00:00+08:00",
        "prizes": [points_prize()],
    }

    res = api.operator("PUT", "/v1/admin/lotteries/plain", body)

    assert res.status == 201
    assert res.body["cost"] == 50
    assert res.body["daily_limit"] is None


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": None}, "name"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": "2026-12-31T00:00:00+08:00"}, "ends_at"),
        ({"starts_at": "2027-01-01"}, "starts_at"),
        ({"cost": 0}, "cost"),
        ({"cost": "50"}, "cost"),
        ({"daily_limit": 0}, "daily_limit"),
        ({"prizes": []}, "prizes"),
        ({"prizes": "all"}, "prizes"),
        ({"prizes": [points_prize(weight=0)]}, "prizes"),
        ({"prizes": [points_prize(weight=-1)]}, "prizes[0].weight"),
        ({"prizes": [points_prize(weight=1.5)]}, "prizes[0].weight"),
        ({"prizes": [points_prize(kind="diamonds")]}, "prizes[0].kind"),
        ({"prizes": [points_prize(points=None)]}, "prizes[0].points"),
        ({"prizes": [points_prize(stock=-1)]}, "prizes[0].stock"),
        ({"prizes": [points_prize(), points_prize()]}, "prizes[1].prize_id"),
        (
            {"prizes": [{"prize_id": "c", "name": "C", "kind": "coupon", "weight": 1}]},
            "prizes[0].item_id",
        ),
        (
            {
                "prizes": [
                    {
                        "prize_id": "c",
                        "name": "C",
                        "kind": "coupon",
                        "weight": 1,
                        "item_id": "nothing",
                    }
                ]
            },
            "prizes[0].item_id",
        ),
        (
            {"prizes": [{"prize_id": "r", "name": "R", "kind": "cash", "weight": 1}]},
            "prizes[0].cash",
        ),
        (
            {"prizes": [{"prize_id": "r", "name": "R", "kind": "cash", "weight": 1, "cash": 8.88}]},
            "prizes[0].cash",
        ),
        ({"prizes": [points_prize(cash="1.00")]}, "prizes[0].cash"),
        ({"prizes": [points_prize(prize_id=f"p{i}") for i in range(31)]}, "prizes"),
        ({"no_prize_weight": -5}, "no_prize_weight"),
    ],
)
def test_bad_lottery_definitions_are_422_naming_the_field_and_store_nothing(
    api: Api, fields: dict[str, Any], bad: str
) -> None:
    res = lottery(api, **fields)

    assert res.status == 422, res
    assert res.code == "validation_error"
    assert bad in res.body["error"]["details"]["fields"]
    assert api.operator("GET", "/v1/admin/lotteries/spring").code == "lottery_not_found"


def test_a_coupon_or_gift_prize_must_name_a_catalog_item_of_its_kind(api: Api) -> None:
    catalog_item(api, "cup", "gift")
    coupon = {"prize_id": "c", "name": "C", "kind": "coupon", "weight": 1, "item_id": "cup"}

    res = lottery(api, prizes=[coupon])

    assert res.status == 422
    assert res.body["error"]["details"]["fields"] == {
        "prizes[0].item_id": "must be a catalog item of kind coupon"
    }


def test_a_lottery_id_that_is_not_an_id_is_422_on_put_and_404_elsewhere(api: Api) -> None:
    assert lottery(api, "bad id!").status in (404, 422)  # the gateway may not even route it
    assert api.operator("PUT", "/v1/admin/lotteries/%20x", {}).status == 422
    assert api.operator("GET", "/v1/admin/lotteries/nope").code == "lottery_not_found"
    assert api.operator("GET", "/v1/admin/lotteries/nope/draws").code == "lottery_not_found"
    assert api.operator("GET", "/v1/admin/lotteries/nope/stats").code == "lottery_not_found"


def test_members_and_systems_cannot_reach_the_operators_routes(api: Api) -> None:
    lottery(api)

    assert api.member("m-1", "GET", "/v1/admin/lotteries/spring").code == "forbidden"
    assert api.member("m-1", "PUT", "/v1/admin/lotteries/x", {}).code == "forbidden"
    assert api.system("GET", "/v1/admin/lotteries/spring/draws").code == "forbidden"
    assert api.operator("POST", "/v1/lotteries/spring/draws").code == "forbidden"
    assert api.call("GET", "/v1/lotteries").code == "unauthorized"


# The published odds -----------------------------------------------------------------------


def test_members_see_open_lotteries_with_the_odds_in_force_and_draws_left(api: Api) -> None:
    member_with_points(api)
    lottery(
        api,
        prizes=[points_prize("big", weight=1, points=500, stock=2), points_prize("small", 3)],
        no_prize_weight=4,
    )
    lottery(api, "later", starts_at="2027-01-20T00:00:00+08:00")
    lottery(api, "over", starts_at="2026-12-01T00:00:00+08:00", ends_at="2027-01-10T10:00:00+08:00")

    shown = listed(api, "m-1")

    assert list(shown) == ["spring"]  # not yet started, just ended: not listed
    spring = shown["spring"]
    assert spring["cost"] == 50 and spring["draws_left_today"] == 3
    assert spring["starts_at"] == "2027-01-01T00:00:00+08:00"
    assert [(p["prize_id"], p["odds"], p["stock"]) for p in spring["prizes"]] == [
        ("big", "0.125000", 2),
        ("small", "0.375000", None),
    ]
    assert spring["no_prize_odds"] == "0.500000"
    assert draw(api, "m-1").status == 201
    assert listed(api, "m-1")["spring"]["draws_left_today"] == 2


def test_a_prize_out_of_stock_gives_its_weight_to_no_prize(api: Api) -> None:
    member_with_points(api)
    lottery(
        api,
        prizes=[points_prize("gone", weight=6, stock=0), points_prize("small", weight=1)],
        no_prize_weight=1,
    )

    spring = listed(api, "m-1")["spring"]

    assert [(p["prize_id"], p["odds"]) for p in spring["prizes"]] == [
        ("gone", "0.000000"),
        ("small", "0.125000"),
    ]
    assert spring["no_prize_odds"] == "0.875000"
    for _ in range(3):
        assert draw(api, "m-1").body.get("note") is None  # never picked, so never a fallback
    s = stats(api)
    assert s["outcomes"][0]["won"] == 0 and s["stock_fallbacks"] == 0


# Draws ------------------------------------------------------------------------------------


def test_a_points_prize_is_credited_as_a_lot_in_the_same_draw(api: Api) -> None:
    member_with_points(api, points=1_000)
    lottery(api, prizes=[points_prize("p-300", points=300)])

    res = draw(api, "m-1")

    assert res.status == 201
    assert res.body["cost"] == 50
    assert res.body["prize"] == {
        "prize_id": "p-300",
        "name": "300 points",
        "kind": "points",
        "points": 300,
    }
    assert balance(api, "m-1") == 1_000 - 50 + 300
    entries = ledger(api, "m-1")
    draw_id = res.body["draw_id"]
    assert [(e["type"], e["points"], e["ref"]) for e in entries[:2]] == [
        ("lottery_prize", 300, draw_id),
        ("lottery_cost", -50, draw_id),
    ]
    assert entries[0]["balance_after"] == 1_250
    me = api.member("m-1", "GET", "/v1/me").body
    assert sum(e["points"] for e in me["expiring"]) == 1_250  # the prize is a lot of its own


def test_a_no_prize_draw_still_costs_and_is_recorded(api: Api) -> None:
    member_with_points(api)
    lottery(api, prizes=[points_prize(weight=0)], no_prize_weight=1)

    res = draw(api, "m-1")

    assert res.status == 201
    assert res.body["prize"] is None
    assert balance(api, "m-1") == 950
    s = stats(api)
    assert (s["draws"], s["points_in"], s["points_out"]) == (1, 50, 0)
    assert s["outcomes"][-1] == {
        "prize_id": None,
        "name": None,
        "kind": None,
        "won": 1,
        "observed_frequency": "1.000000",
        "expected_frequency": "1.000000",
        "expected": "1.00",
        "published_odds": "1.000000",
    }


def test_a_coupon_prize_is_issued_as_the_mall_issues_coupons(api: Api) -> None:
    member_with_points(api)
    catalog_item(api, "coupon-10", "coupon", coupon_valid_days=7)
    prize = lottery_prize("c10", "Save 10", "coupon", item_id="coupon-10", stock=3)
    lottery(api, prizes=[prize])

    res = draw(api, "m-1")

    assert res.status == 201
    won = res.body["prize"]
    assert won["kind"] == "coupon" and won["order_status"] == "issued"
    assert won["coupon"]["expires_on"] == "2027-01-16"  # valid 7 days from today
    coupons = api.member("m-1", "GET", "/v1/me/coupons").body["items"]
    assert [(c["code"], c["status"], c["item_id"]) for c in coupons] == [
        (won["coupon"]["code"], "active", "coupon-10")
    ]
    order = api.member("m-1", "GET", f"/v1/me/orders/{won['order_id']}").body
    assert (order["status"], order["points"], order["item_name"]) == ("issued", 0, "Save 10")
    consumed = api.system("POST", f"/v1/coupons/{won['coupon']['code']}/consume")
    assert consumed.status == 200
    assert balance(api, "m-1") == 950  # the draw's cost only
    assert stats(api)["outcomes"][0]["stock"] == 2
    catalog = api.operator("GET", "/v1/admin/catalog/coupon-10").body
    assert catalog["stock"] is None  # the catalog item is the template, not the stock


def test_a_gift_prize_waits_for_the_members_delivery_address(api: Api) -> None:
    member_with_points(api)
    catalog_item(api, "cup", "gift", stock=10)
    prize = lottery_prize("cup", "Thermos cup", "gift", item_id="cup", stock=1)
    lottery(api, prizes=[prize])
    won = draw(api, "m-1").body["prize"]
    order_id = won["order_id"]
    queue = api.operator("GET", "/v1/admin/orders?status=awaiting_address").body["items"]
    assert won["order_status"] == "awaiting_address"
    assert [o["order_id"] for o in queue] == [order_id]

    given = api.member("m-1", "PUT", f"/v1/me/orders/{order_id}/delivery", SHIP)
    again = api.member("m-1", "PUT", f"/v1/me/orders/{order_id}/delivery", SHIP)
    other = api.member(
        "m-1", "PUT", f"/v1/me/orders/{order_id}/delivery", {**SHIP, "address": "2 Road"}
    )

    assert given.status == 200 and given.body["status"] == "placed"
    assert given.body["delivery"] == SHIP
    assert again.status == 200 and again.body == given.body
    assert other.status == 409 and other.code == "invalid_transition"
    placed = api.operator("GET", "/v1/admin/orders?status=placed").body["items"]
    assert [o["order_id"] for o in placed] == [order_id]
    moved = api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "approved"})
    assert moved.status == 200


def test_a_won_gift_can_be_picked_up_with_a_one_time_code(api: Api) -> None:
    member_with_points(api)
    catalog_item(api, "cup", "gift")
    prize = lottery_prize("cup", "Cup", "gift", item_id="cup")
    lottery(api, prizes=[prize])
    order_id = draw(api, "m-1").body["prize"]["order_id"]
    pickup = {"method": "pickup", "name": "Li Lei", "phone": "13800000000"}

    res = api.member("m-1", "PUT", f"/v1/me/orders/{order_id}/delivery", pickup)

    assert res.status == 200
    assert res.body["status"] == "placed" and len(res.body["pickup_code"]) == 6
    handed = api.operator(
        "POST", f"/v1/admin/orders/{order_id}/pickup", {"pickup_code": res.body["pickup_code"]}
    )
    assert handed.status == 200 and handed.body["status"] == "picked_up"


def test_a_delivery_address_is_refused_when_bad_or_not_awaited(api: Api) -> None:
    member_with_points(api)
    catalog_item(api, "cup", "gift")
    body = {"item_id": "cup", "delivery": SHIP}
    mall_order = api.member("m-1", "POST", "/v1/redemptions", body).body["order_id"]

    not_awaited = api.member(
        "m-1", "PUT", f"/v1/me/orders/{mall_order}/delivery", {**SHIP, "address": "elsewhere"}
    )
    unknown = api.member("m-1", "PUT", "/v1/me/orders/r-nope/delivery", SHIP)
    someone_else = api.member("m-2", "PUT", f"/v1/me/orders/{mall_order}/delivery", SHIP)
    no_address = api.member(
        "m-1",
        "PUT",
        f"/v1/me/orders/{mall_order}/delivery",
        {"method": "ship", "name": "A", "phone": "1"},
    )

    assert not_awaited.status == 409 and not_awaited.code == "invalid_transition"
    assert unknown.status == 404 and unknown.code == "order_not_found"
    assert someone_else.status == 404
    assert no_address.status == 422
    assert "address" in no_address.body["error"]["details"]["fields"]


def test_a_cash_red_packet_becomes_a_payout_record_for_finance(api: Api) -> None:
    from shared.dynamodb import keys
    from shared.dynamodb.models import PayoutItem

    member_with_points(api)
    prize = lottery_prize("rp", "Red packet", "cash", cash="8.88")
    lottery(api, prizes=[prize])

    res = draw(api, "m-1")

    assert res.body["prize"] == {
        "prize_id": "rp",
        "name": "Red packet",
        "kind": "cash",
        "cash": "8.88",
        "currency": "CNY",
    }
    draw_id = res.body["draw_id"]
    day = START.date()
    payout = PayoutItem.get(keys.payouts_pk(day), keys.payout_sk(draw_id), consistent_read=True)
    assert (payout.member_id, payout.amount, payout.status) == ("m-1", "8.88", "pending")
    assert stats(api)["cash_out"] == "8.88"


# Refusals change nothing ------------------------------------------------------------------


def test_the_daily_limit_is_409_and_resets_the_next_day(api: Api) -> None:
    member_with_points(api)
    lottery(api, daily_limit=2)
    assert draw(api, "m-1").status == 201
    assert draw(api, "m-1").status == 201
    before = snapshot(api, "m-1")

    refused = draw(api, "m-1")

    assert refused.status == 409 and refused.code == "draw_limit_reached"
    assert snapshot(api, "m-1") == before
    assert before[-1] == 0
    clock.pin(START + timedelta(days=1))
    assert listed(api, "m-1")["spring"]["draws_left_today"] == 2
    assert draw(api, "m-1").status == 201


@pytest.mark.parametrize(
    "at", [datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), datetime(2027, 2, 1, tzinfo=SHANGHAI)]
)
def test_outside_the_window_a_draw_is_409_not_available(api: Api, at: datetime) -> None:
    member_with_points(api)
    lottery(api)
    clock.pin(at)
    before = snapshot(api, "m-1")

    refused = draw(api, "m-1")

    assert refused.status == 409 and refused.code == "not_available"
    assert snapshot(api, "m-1") == before
    assert "spring" not in listed(api, "m-1")


def test_insufficient_points_is_409_and_changes_nothing(api: Api) -> None:
    member_with_points(api, points=100)
    lottery(api, cost=101)
    before = snapshot(api, "m-1")

    refused = draw(api, "m-1")

    assert refused.status == 409 and refused.code == "insufficient_points"
    assert refused.body["error"]["details"] == {"needed": 101, "spendable": 100}
    assert snapshot(api, "m-1") == before


def test_a_frozen_member_is_403_and_changes_nothing(api: Api) -> None:
    member_with_points(api)
    lottery(api)
    frozen = api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "abuse"})
    assert frozen.status in (200, 201), frozen
    before = snapshot(api, "m-1")

    refused = draw(api, "m-1")

    assert refused.status == 403 and refused.code == "member_frozen"
    assert snapshot(api, "m-1") == before


def test_an_unknown_lottery_or_member_is_404(api: Api) -> None:
    member_with_points(api)
    lottery(api)

    assert draw(api, "m-1", "nope").code == "lottery_not_found"
    assert draw(api, "m-1", "no%20pe").status == 404
    unregistered = draw(api, "m-ghost")
    assert unregistered.status == 404 and unregistered.code == "member_not_found"
    assert stats(api)["draws"] == 0


def test_a_malformed_draw_request_is_refused(api: Api) -> None:
    member_with_points(api)
    lottery(api)

    bad_key = draw(api, "m-1", key="not a key!")
    not_json = api.call("POST", "/v1/lotteries/spring/draws", token=api.token("m-1"), raw=b"{nope")
    not_object = draw(api, "m-1", body=[1])

    assert bad_key.status == 422 and "Idempotency-Key" in bad_key.body["error"]["details"]["fields"]
    assert not_json.status == 400 and not_json.code == "bad_request"
    assert not_object.status == 400
    assert balance(api, "m-1") == 1_000


# Idempotency ------------------------------------------------------------------------------


def test_a_retried_idempotency_key_returns_the_same_draw(api: Api) -> None:
    member_with_points(api)
    lottery(api, prizes=[points_prize(weight=1)], no_prize_weight=1)

    first = draw(api, "m-1", key="tap-1")
    again = draw(api, "m-1", key="tap-1")

    assert first.status == again.status == 201
    assert again.body == first.body
    assert stats(api)["draws"] == 1
    assert [e["type"] for e in ledger(api, "m-1")].count("lottery_cost") == 1
    # Within 24 h the retry gets its first answer even after the lottery closed.
    lottery(api, ends_at="2027-01-10T12:00:00+08:00")
    clock.pin(START + timedelta(hours=3))
    late = draw(api, "m-1", key="tap-1")
    assert late.status == 201 and late.body == first.body


def test_the_same_key_for_another_request_is_409_idempotency_key_reused(api: Api) -> None:
    member_with_points(api)
    lottery(api)
    lottery(api, "autumn")
    assert draw(api, "m-1", key="tap-1").status == 201

    other_lottery = draw(api, "m-1", "autumn", key="tap-1")
    other_body = draw(api, "m-1", key="tap-1", body={"channel": "ios"})

    assert other_lottery.status == 409 and other_lottery.code == "idempotency_key_reused"
    assert other_body.status == 409 and other_body.code == "idempotency_key_reused"
    assert stats(api, "autumn")["draws"] == 0 and stats(api)["draws"] == 1
    assert draw(api, "m-2-not-me", key="tap-1").code == "member_not_found"  # keys are per caller


# The prize ran out between the read and the write ---------------------------------------


def test_when_the_picked_prize_runs_out_before_the_write_the_draw_wins_nothing(
    api: Api,
) -> None:
    member_with_points(api, "m-1")
    member_with_points(api, "m-2")
    lottery(api, prizes=[points_prize("last", weight=1, points=500, stock=1)], no_prize_weight=1)

    def meanwhile_someone_else_wins_the_last_unit(total: int) -> int:
        # Runs after m-1's draw read the stock (1) and before it writes: m-2 takes it
        # (its random value 0 picks "last" too; a random one could lose until the daily cap).
        _, won = lottery_use_cases.draw(
            lottery_use_cases.DrawRequest("m-2", "spring"), clock.now(), randbelow=lambda _: 0
        )
        assert won["prize"] is not None
        return 0  # m-1's random value picks "last" (interval [0, 1))

    status, body = lottery_use_cases.draw(
        lottery_use_cases.DrawRequest("m-1", "spring"),
        clock.now(),
        randbelow=meanwhile_someone_else_wins_the_last_unit,
    )

    assert status == 201
    assert body["prize"] is None and body["note"] == "stock_ran_out"
    assert balance(api, "m-1") == 950  # charged once, nothing won
    audit = api.operator("GET", "/v1/admin/lotteries/spring/draws").body["items"]
    mine = next(d for d in audit if d["member_id"] == "m-1")
    assert (mine["random"], mine["picked"], mine["outcome"], mine["note"]) == (
        0,
        "last",
        None,
        "stock_ran_out",
    )
    assert mine["odds"][0] == {"prize_id": "last", "weight": 1, "odds": "0.500000"}
    s = stats(api)
    assert s["stock_fallbacks"] == 1
    assert s["outcomes"][0]["won"] == 1 and s["outcomes"][0]["stock"] == 0


# The audit --------------------------------------------------------------------------------


def test_operators_page_through_every_draw_newest_first_and_can_recompute_it(api: Api) -> None:
    member_with_points(api, points=10_000)
    lottery(
        api,
        daily_limit=None,
        prizes=[points_prize("a", weight=2, points=5), points_prize("b", weight=3, points=7)],
        no_prize_weight=5,
    )
    drawn = [draw(api, "m-1").body for _ in range(5)]

    first = api.operator("GET", "/v1/admin/lotteries/spring/draws?limit=3")
    second = api.operator(
        "GET", f"/v1/admin/lotteries/spring/draws?limit=3&cursor={first.body['next_cursor']}"
    )

    items = first.body["items"] + second.body["items"]
    assert second.body["next_cursor"] is None
    assert [d["draw_id"] for d in items] == [d["draw_id"] for d in reversed(drawn)]
    for item, response in zip(items, reversed(drawn), strict=True):
        odds = domain.Odds.from_json(item["odds"])
        assert item["total_weight"] == odds.total == 10
        assert 0 <= item["random"] < odds.total
        assert domain.pick(odds, item["random"]) == item["outcome"]
        assert item["prize"] == response["prize"] and item["member_id"] == "m-1"
    bad = api.operator("GET", "/v1/admin/lotteries/spring/draws?cursor=abc")
    assert (bad.status, bad.code) == (400, "invalid_cursor")


def test_stats_add_up_draws_points_and_prizes_per_outcome(api: Api) -> None:
    member_with_points(api, points=10_000)
    lottery(
        api,
        daily_limit=None,
        prizes=[points_prize("a", weight=1, points=5, stock=3), points_prize("b", 1, points=7)],
        no_prize_weight=2,
    )
    bodies = [draw(api, "m-1").body for _ in range(12)]
    won = [b["prize"]["prize_id"] if b["prize"] else None for b in bodies]

    s = stats(api)

    assert s["draws"] == 12 and s["points_in"] == 600
    assert s["points_out"] == 5 * won.count("a") + 7 * won.count("b")
    assert [(o["prize_id"], o["won"]) for o in s["outcomes"]] == [
        ("a", won.count("a")),
        ("b", won.count("b")),
        (None, won.count(None)),
    ]
    assert s["outcomes"][0]["stock"] == 3 - won.count("a")
    assert s["outcomes"][1]["observed_frequency"] == domain.odds_text(won.count("b"), 12)
    assert s["chi_square"]["df"] == 2
    assert 0 <= float(s["chi_square"]["p_value"]) <= 1
    assert balance(api, "m-1") == 10_000 - 600 + s["points_out"]


def test_replacing_a_lottery_keeps_its_stats_and_moving_its_end_delists_it(api: Api) -> None:
    member_with_points(api)
    lottery(api)
    assert draw(api, "m-1").status == 201

    moved = lottery(api, ends_at="2027-01-10T09:00:00+08:00")

    assert moved.status == 200 and moved.body["open"] is False
    assert "spring" not in listed(api, "m-1")
    assert stats(api)["draws"] == 1
    assert draw(api, "m-1").code == "not_available"
