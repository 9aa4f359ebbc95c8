"""Purchase earning rules through the handlers: bonuses, campaigns, the tier hook, frozen
members, and the rules cache that keeps a warm purchase at one DynamoDB round trip."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared import clock, programme
from shared.domain import audit
from shared.dynamodb import config, keys
from shared.dynamodb.models import MemberItem
from tests.support import Api, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

SHANGHAI = ZoneInfo("Asia/Shanghai")
DOUBLE_DAY = {
    "name": "Double points Sunday",
    "starts_at": "2027-01-10T00:00:00+08:00",
    "ends_at": "2027-01-11T00:00:00+08:00",
    "multiplier": "2",
}


@pytest.fixture
def member(api: Api) -> str:
    return register_member(api)


def buy(api: Api, order_id: str, amount: str, member_id: str = "m-1", **extra):
    return purchase(api, member_id, order_id, amount, **extra)


def parts(result) -> dict[str, int]:
    return {p["rule"]: p["points"] for p in result.body["breakdown"]}


def test_200_purchase_of_a_50_percent_category_on_a_double_points_day(
    api: Api, member: str
) -> None:
    api.operator("PUT", "/v1/admin/rules", {"category_bonuses": {"hot": "0.5"}})
    assert api.operator("PUT", "/v1/admin/campaigns/double-sunday", DOUBLE_DAY).status == 201
    items = [{"sku": "kettle-1", "category": "hot", "quantity": 1, "amount": "200.00"}]

    res = buy(api, "o-1", "200.00", items=items)

    # base 200 × 1; +50 % on the hot line: 100; ×2 campaign on (200 + 100): +300
    assert res.status == 201
    assert res.body["breakdown"] == [
        {"rule": "base", "points": 200},
        {"rule": "category:hot", "points": 100},
        {"rule": "campaign:double-sunday", "points": 300},
    ]
    assert res.body["points"] == 600 == sum(parts(res).values())
    assert api.member(member, "GET", "/v1/me").body["balance"] == 700


def test_rounding_never_breaks_the_sum(api: Api, member: str) -> None:
    api.operator(
        "PUT",
        "/v1/admin/rules",
        {"category_bonuses": {"hot": "0.5"}, "channel_bonuses": {"app": "0.15"}},
    )
    api.operator("PUT", "/v1/admin/campaigns/x", {**DOUBLE_DAY, "multiplier": "1.7"})
    items = [
        {"sku": "a", "category": "hot", "quantity": 3, "amount": "33.33"},
        {"sku": "b", "category": "tea", "quantity": 1, "amount": "0.99"},
    ]

    res = buy(api, "o-1", "35.55", items=items, channel="app")

    assert res.body["points"] == sum(parts(res).values())
    assert parts(res) == {"base": 35, "category:hot": 16, "channel:app": 5, "campaign:x": 40}


def test_campaign_applies_when_the_purchase_occurred_within_its_window(
    api: Api, member: str
) -> None:
    api.operator("PUT", "/v1/admin/campaigns/double-sunday", DOUBLE_DAY)
    clock.pin(datetime(2027, 1, 11, 9, 0, tzinfo=SHANGHAI))  # reported the next morning

    late_report = buy(api, "o-1", "100", occurred_at="2027-01-10T21:00:00+08:00")
    monday = buy(api, "o-2", "100")

    assert parts(late_report) == {"base": 100, "campaign:double-sunday": 100}
    assert parts(monday) == {"base": 100}


def test_campaign_filters_and_flat_bonus(api: Api, member: str) -> None:
    api.operator(
        "PUT",
        "/v1/admin/campaigns/app-bonus",
        {
            "name": "App week",
            "starts_at": "2027-01-04T00:00:00+08:00",
            "ends_at": "2027-01-18T00:00:00+08:00",
            "bonus_points": 25,
            "channels": ["app"],
        },
    )

    assert parts(buy(api, "o-1", "10", channel="app")) == {"base": 10, "campaign:app-bonus": 25}
    assert parts(buy(api, "o-2", "10", channel="web")) == {"base": 10}


def test_tier_multiplier_comes_from_the_members_tier(api: Api, member: str) -> None:
    MemberItem(pk=keys.member_pk(member), sk=keys.PROFILE).update(
        actions=[MemberItem.tier.set("gold")]
    )  # set-up: tiers are promoted by another issue

    res = buy(api, "o-1", "100")

    assert parts(res) == {"base": 100, "tier:gold": 25}
    assert res.body["points"] == 125


def test_frozen_members_purchase_is_recorded_with_zero_points_and_stays_idempotent(
    api: Api, member: str
) -> None:
    api.operator("POST", f"/v1/admin/members/{member}/freeze", {"reason": "fraud review"})

    first = buy(api, "o-1", "200")
    again = buy(api, "o-1", "200")
    refund = api.system(
        "POST", "/v1/refunds", {"refund_id": "r-1", "order_id": "o-1", "amount": "50"}
    )

    assert (first.status, first.body["points"]) == (201, 0)
    assert first.body["breakdown"] == [{"rule": "member_frozen", "points": 0}]
    assert (again.status, again.body) == (200, first.body)
    assert (refund.status, refund.body["points_clawed_back"]) == (201, 0)
    assert api.member(member, "GET", "/v1/me").body["balance"] == 100


def test_items_adding_up_to_more_than_the_amount_are_422_and_change_nothing(
    api: Api, member: str
) -> None:
    items = [{"sku": "a", "category": "hot", "quantity": 1, "amount": "80.00"}] * 2

    res = buy(api, "o-1", "100.00", items=items)
    bad_item = buy(api, "o-2", "100.00", items=[{"sku": "a", "amount": 80.5}])

    assert (res.status, res.code) == (422, "validation_error")
    assert "items" in res.body["error"]["details"]["fields"]
    assert "items[0].amount" in bad_item.body["error"]["details"]["fields"]
    assert api.member(member, "GET", "/v1/me").body["balance"] == 100


def test_a_warm_purchase_costs_one_round_trip(
    api: Api, member: str, dynamodb_calls: Counter
) -> None:
    # Warm the rules cache with other members' purchases: a member's first purchase of the
    # day is the warm path (a later one that day costs a second round trip for the daily
    # velocity, see tests/integration/test_reviews.py).
    api.operator("PUT", "/v1/admin/campaigns/double-sunday", DOUBLE_DAY)
    for other in ("m-0", "m-2"):
        register_member(api, other)
    buy(api, "o-warm-up", "1", member_id="m-0")
    dynamodb_calls.clear()

    res = buy(api, "o-1", "100")

    assert res.body["points"] == 200
    assert dynamodb_calls == Counter({"TransactWriteItems": 1})
    programme.invalidate()  # as when the cache's 30 s are over
    dynamodb_calls.clear()
    buy(api, "o-2", "100", member_id="m-2")
    assert dynamodb_calls == Counter({"Query": 1, "TransactWriteItems": 1})


def test_rules_changed_elsewhere_apply_once_the_cache_expires(api: Api, member: str) -> None:
    buy(api, "o-1", "100")  # loads and caches the defaults
    changed = audit.entry(clock.now(), "op-2", "rules.put", "rules")  # another instance's PUT
    config.put_rules({"earn_points_per_unit": "3"}, None, changed, clock.now().isoformat(), "op-2")

    cached = buy(api, "o-2", "100")
    later = time.monotonic() + programme.TTL_SECONDS + 1
    previous = programme.use_clock(lambda: later)
    try:
        fresh = buy(api, "o-3", "100")
    finally:
        programme.use_clock(previous)

    assert cached.body["points"] == 100
    assert fresh.body["points"] == 300


def test_next_day_purchase_is_outside_a_one_day_campaign(api: Api, member: str) -> None:
    api.operator("PUT", "/v1/admin/campaigns/double-sunday", DOUBLE_DAY)
    clock.pin(datetime(2027, 1, 10, 23, 59, tzinfo=SHANGHAI))
    last_minute = buy(api, "o-1", "10")
    clock.pin(datetime(2027, 1, 10, 23, 59, tzinfo=SHANGHAI) + timedelta(minutes=1))
    midnight = buy(api, "o-2", "10")

    assert last_minute.body["points"] == 20
    assert midnight.body["points"] == 10


def test_an_occurred_at_in_the_future_cannot_reach_a_campaign_not_yet_started(
    api: Api, member: str
) -> None:
    monday = {
        **DOUBLE_DAY,
        "starts_at": "2027-01-11T00:00:00+08:00",
        "ends_at": "2027-01-12T00:00:00+08:00",
    }
    api.operator("PUT", "/v1/admin/campaigns/monday", monday)

    res = buy(api, "o-1", "100", occurred_at="2027-01-11T09:00:00+08:00")

    assert parts(res) == {"base": 100}
