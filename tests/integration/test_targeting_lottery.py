"""Lottery targeting through the handlers: tier-only and new-member lotteries, and extra draws
earned by spend (free, outside the daily limit, granted in the purchase's one transaction)."""

from __future__ import annotations

from collections import Counter

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import MemberItem
from tests.support import (
    Api,
    at,
    lottery_body,
    member_with_points,
    points_prize,
    purchase,
    register_member,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")

EXTRA = {"per_amount": "100.00", "draws": 1}


def put_lottery(api: Api, lottery_id: str = "spring", **fields) -> dict:
    res = api.operator("PUT", f"/v1/admin/lotteries/{lottery_id}", lottery_body(**fields))
    assert res.status == 201, res.body
    return res.body


def draw(api: Api, member_id: str, lottery_id: str = "spring", **body):
    return api.member(member_id, "POST", f"/v1/lotteries/{lottery_id}/draws", body or None)


def balance(api: Api, member_id: str) -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def listed(api: Api, member_id: str) -> dict:
    (item,) = api.member(member_id, "GET", "/v1/lotteries").body["items"]
    return item


def test_a_tier_only_lottery_refuses_other_tiers_and_takes_nothing(api: Api) -> None:
    member_with_points(api, "bronze-1", 1_000)
    member_with_points(api, "gold-1", 1_000)
    MemberItem(pk=keys.member_pk("gold-1"), sk=keys.PROFILE).update(
        actions=[MemberItem.tier.set("gold")]
    )
    put_lottery(api, tiers=["gold", "platinum", "diamond"])

    refused = draw(api, "bronze-1")
    drawn = draw(api, "gold-1")

    assert (refused.status, refused.code) == (409, "not_available")
    assert refused.body["error"]["details"]["tiers"] == ["diamond", "gold", "platinum"]
    assert balance(api, "bronze-1") == 1_000
    assert listed(api, "bronze-1")["draws_left_today"] == 3  # the refusal counted nothing
    assert drawn.status == 201
    assert balance(api, "gold-1") == 1_000 - 50 + 10


def test_a_new_member_lottery_admits_members_registered_after_its_date(api: Api) -> None:
    at("2027-01-03")
    member_with_points(api, "old-1", 1_000)
    at("2027-01-08")
    member_with_points(api, "new-1", 1_000)
    at("2027-01-10")
    put_lottery(api, registered_after="2027-01-05")

    assert (draw(api, "old-1").code, balance(api, "old-1")) == ("not_available", 1_000)
    assert draw(api, "new-1").status == 201


def test_spend_earns_extra_draws_in_the_purchases_one_transaction(
    api: Api, dynamodb_calls: Counter
) -> None:
    register_member(api, "m-1")
    purchase(api, register_member(api, "warm-up"), "o-warm", "1")
    put_lottery(api, extra_draws=EXTRA)
    purchase(api, "warm-up", "o-warm-2", "1")  # the programme is loaded again

    dynamodb_calls.clear()
    bought = purchase(api, "m-1", "o-1", "250.00")
    calls = +dynamodb_calls
    again = purchase(api, "m-1", "o-1", "250.00")

    assert bought.status == 201 and again.status == 200
    assert calls == Counter({"TransactWriteItems": 1})
    shown = listed(api, "m-1")
    assert shown["extra_draws"] == {"per_amount": "100.00", "draws": 1}
    assert shown["extra_draws_left"] == 2  # two full 100.00, once however often reported


def test_extra_draws_cost_nothing_and_stay_outside_the_daily_limit(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    put_lottery(api, daily_limit=1, extra_draws=EXTRA)
    purchase(api, "m-1", "o-2", "200")  # +200 points, 2 extra draws
    before = balance(api, "m-1")

    paid = draw(api, "m-1")
    free = [draw(api, "m-1", extra=True) for _ in range(2)]
    none_left = draw(api, "m-1", extra=True)
    over_limit = draw(api, "m-1")

    assert (paid.status, paid.body["cost"]) == (201, 50)
    assert [(r.status, r.body["cost"], r.body["extra"]) for r in free] == [(201, 0, True)] * 2
    assert (none_left.status, none_left.code) == (409, "no_extra_draws")
    assert over_limit.code == "draw_limit_reached"
    assert balance(api, "m-1") == before - 50 + 3 * 10  # each draw won the 10-point prize
    assert listed(api, "m-1")["extra_draws_left"] == 0


def test_a_member_frozen_for_redeeming_keeps_their_extra_draws_unused(api: Api) -> None:
    register_member(api, "m-1")
    put_lottery(api, extra_draws=EXTRA, prizes=[points_prize(weight=0)], no_prize_weight=1)
    purchase(api, "m-1", "o-1", "100")
    freeze = {"reason": "review", "scope": "redeeming"}
    assert api.operator("POST", "/v1/admin/members/m-1/freeze", freeze).status == 200

    res = draw(api, "m-1", extra=True)  # no points prize: the profile is only checked

    assert (res.status, res.code) == (403, "member_frozen")
    assert listed(api, "m-1")["extra_draws_left"] == 1


def test_extra_draws_follow_the_lotterys_target(api: Api) -> None:
    register_member(api, "m-1")
    put_lottery(api, tiers=["gold"], extra_draws=EXTRA)

    purchase(api, "m-1", "o-1", "500")

    assert listed(api, "m-1")["extra_draws_left"] == 0
    assert draw(api, "m-1", extra=True).code == "not_available"


def test_a_frozen_members_purchase_earns_no_extra_draws(api: Api) -> None:
    register_member(api, "m-1")
    put_lottery(api, extra_draws=EXTRA)
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "review"})

    purchase(api, "m-1", "o-1", "500")
    api.operator("POST", "/v1/admin/members/m-1/unfreeze", {"reason": "cleared"})

    assert listed(api, "m-1")["extra_draws_left"] == 0


def test_a_lottery_without_extra_draws_any_more_stops_granting_them(api: Api) -> None:
    register_member(api, "m-1")
    put_lottery(api, extra_draws=EXTRA)
    purchase(api, "m-1", "o-1", "100")
    put_lottery_again = api.operator("PUT", "/v1/admin/lotteries/spring", lottery_body())

    purchase(api, "m-1", "o-2", "300")

    assert put_lottery_again.status == 200
    assert put_lottery_again.body["extra_draws"] is None
    assert listed(api, "m-1")["extra_draws_left"] == 1


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"tiers": ["gold", "emerald"]}, "tiers"),
        ({"registered_after": "2027-13-01"}, "registered_after"),
        ({"extra_draws": {"per_amount": "0", "draws": 1}}, "extra_draws.per_amount"),
        ({"extra_draws": {"per_amount": "100", "draws": 0}}, "extra_draws.draws"),
    ],
)
def test_a_bad_targeted_lottery_is_422_and_stores_nothing(api: Api, fields, bad) -> None:
    res = api.operator("PUT", "/v1/admin/lotteries/bad", lottery_body(**fields))

    assert (res.status, res.code) == (422, "validation_error")
    assert bad in res.body["error"]["details"]["fields"]
    assert api.operator("GET", "/v1/admin/lotteries/bad").status == 404
