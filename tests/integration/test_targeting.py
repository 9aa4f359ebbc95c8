"""Targeting through the handlers: campaigns for tiers and new members, recurring member days
in the programme's zone, spend-threshold bonuses (满X送Y), and what a purchase costs."""

from __future__ import annotations

from collections import Counter

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import MemberItem
from tests.support import Api, at, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

JANUARY = {
    "name": "January",
    "starts_at": "2027-01-01T00:00:00+08:00",
    "ends_at": "2027-02-01T00:00:00+08:00",
}


def put_campaign(api: Api, campaign_id: str, **fields) -> None:
    res = api.operator("PUT", f"/v1/admin/campaigns/{campaign_id}", {**JANUARY, **fields})
    assert res.status == 201, res.body


def parts(result) -> dict[str, int]:
    assert result.status == 201, result.body
    return {p["rule"]: p["points"] for p in result.body["breakdown"]}


def make_gold(member_id: str) -> None:
    MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE).update(
        actions=[MemberItem.tier.set("gold")]
    )  # set-up: promotion is the tiers' business


def test_a_wednesday_member_day_counts_wednesday_in_the_programmes_zone(api: Api) -> None:
    register_member(api, "m-1")
    put_campaign(api, "member-day", multiplier="2", recurrence={"weekdays": [3]})

    at("2027-01-12", 23, 30)  # Tuesday in Shanghai (15:30 UTC)
    tuesday = purchase(api, "m-1", "o-1", "100")
    at("2027-01-13", 0, 30)  # Wednesday in Shanghai, still Tuesday 16:30 in UTC
    wednesday = purchase(api, "m-1", "o-2", "100")

    assert parts(tuesday) == {"base": 100}
    assert parts(wednesday) == {"base": 100, "campaign:member-day": 100}


def test_a_tier_campaign_pays_only_the_tiers_it_names(api: Api) -> None:
    register_member(api, "bronze-1")
    make_gold(register_member(api, "gold-1"))
    put_campaign(api, "gold-bonus", bonus_points=30, tiers=["gold", "diamond"])

    assert parts(purchase(api, "bronze-1", "o-1", "100")) == {"base": 100}
    assert parts(purchase(api, "gold-1", "o-2", "100")) == {
        "base": 100,
        "tier:gold": 25,
        "campaign:gold-bonus": 30,
    }


def test_a_new_member_campaign_pays_members_registered_after_its_date(
    api: Api, dynamodb_calls: Counter
) -> None:
    at("2027-01-05", 23, 59)
    register_member(api, "old-1")
    at("2027-01-06", 0, 1)  # the day after registered_after, Shanghai time
    register_member(api, "new-1")
    at("2027-01-10")
    put_campaign(api, "welcome-month", bonus_points=50, registered_after="2027-01-05")
    purchase(api, register_member(api, "warm-up"), "o-warm", "1")  # loads the programme

    dynamodb_calls.clear()
    old = purchase(api, "old-1", "o-1", "100")
    old_calls = +dynamodb_calls
    dynamodb_calls.clear()
    new = purchase(api, "new-1", "o-2", "100")

    assert parts(old) == {"base": 100}
    assert old_calls == Counter({"TransactWriteItems": 1})  # assumed not new: one round trip
    assert parts(new) == {"base": 100, "campaign:welcome-month": 50}
    assert dynamodb_calls == Counter({"TransactWriteItems": 2})  # refused once, then known
    assert api.member("new-1", "GET", "/v1/me").body["balance"] == 250


def test_spend_bonus_adds_the_highest_rung_the_purchase_reaches(api: Api) -> None:
    register_member(api, "m-1")
    rungs = [{"min_amount": "100.00", "points": 10}, {"min_amount": "300.00", "points": 50}]
    put_campaign(api, "spend", spend_bonus=rungs)

    assert parts(purchase(api, "m-1", "o-1", "99.99")) == {"base": 99}
    assert parts(purchase(api, "m-1", "o-2", "299.99")) == {"base": 299, "spend_bonus:spend": 10}
    assert parts(purchase(api, "m-1", "o-3", "300")) == {"base": 300, "spend_bonus:spend": 50}


def test_spend_bonus_of_a_category_campaign_counts_only_that_category(api: Api) -> None:
    register_member(api, "m-1")
    put_campaign(
        api,
        "tea-spend",
        categories=["tea"],
        spend_bonus=[{"min_amount": "100", "points": 20}],
    )
    items = [
        {"sku": "t-1", "category": "tea", "quantity": 1, "amount": "60.00"},
        {"sku": "k-1", "category": "kitchen", "quantity": 1, "amount": "90.00"},
    ]
    more_tea = [{**items[0], "amount": "100.00"}]

    assert parts(purchase(api, "m-1", "o-1", "150", items=items)) == {"base": 150}
    assert parts(purchase(api, "m-1", "o-2", "100", items=more_tea)) == {
        "base": 100,
        "spend_bonus:tea-spend": 20,
    }


def test_a_stored_campaign_shows_its_targeting(api: Api) -> None:
    rungs = [{"min_amount": "100", "points": 10}]
    put_campaign(
        api,
        "md",
        tiers=["gold"],
        registered_after="2026-12-31",
        recurrence={"weekdays": [3, 6]},
        spend_bonus=rungs,
    )

    (stored,) = api.operator("GET", "/v1/admin/campaigns").body["items"]

    assert stored["tiers"] == ["gold"]
    assert stored["registered_after"] == "2026-12-31"
    assert stored["recurrence"] == {"weekdays": [3, 6]}
    assert stored["spend_bonus"] == [{"min_amount": "100", "points": 10}]
    assert stored["active"] is False  # 2027-01-10 is a Sunday


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"bonus_points": 5, "tiers": ["gold", "emerald"]}, "tiers"),
        ({"bonus_points": 5, "recurrence": {"weekdays": [0]}}, "recurrence.weekdays"),
        ({"bonus_points": 5, "recurrence": {"weekdays": []}}, "recurrence.weekdays"),
        ({"bonus_points": 5, "registered_after": "2027-02-30"}, "registered_after"),
        (
            {
                "spend_bonus": [
                    {"min_amount": "300", "points": 50},
                    {"min_amount": "100", "points": 10},
                ]
            },
            "spend_bonus[1].min_amount",
        ),
        ({"spend_bonus": [{"min_amount": "100", "points": 0}]}, "spend_bonus[0].points"),
        ({"spend_bonus": []}, "spend_bonus"),
    ],
)
def test_a_bad_targeted_campaign_is_422_and_stores_nothing(api: Api, fields, bad) -> None:
    res = api.operator("PUT", "/v1/admin/campaigns/bad", {**JANUARY, **fields})

    assert (res.status, res.code) == (422, "validation_error")
    assert bad in res.body["error"]["details"]["fields"]
    assert api.operator("GET", "/v1/admin/campaigns").body["items"] == []
