"""Targeting on DynamoDB Local: the conditions moto may be lenient with — "registered before"
on a purchase, a lottery's tier and registration target, the extra-draw counter taken on a
condition — and extra draws raced for."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from shared import programme
from shared.dynamodb import keys
from shared.dynamodb.models import MemberItem
from tests.support import Api, at, lottery_body, member_with_points, purchase, register_member

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]

JANUARY = {"starts_at": "2027-01-01T00:00:00+08:00", "ends_at": "2027-02-01T00:00:00+08:00"}


@pytest.fixture(autouse=True)
def fresh_programme() -> None:
    programme.invalidate()  # each test has a table of its own


def parts(result) -> dict[str, int]:
    assert result.status == 201, result.body
    return {p["rule"]: p["points"] for p in result.body["breakdown"]}


def test_new_member_campaign_and_tier_lottery_conditions(local_api: Api) -> None:
    api = local_api
    at("2027-01-03")
    member_with_points(api, "old-1", 1_000)
    at("2027-01-08")
    member_with_points(api, "new-1", 1_000)
    MemberItem(pk=keys.member_pk("new-1"), sk=keys.PROFILE).update(
        actions=[MemberItem.tier.set("gold")]
    )
    at("2027-01-10")
    campaign = {"name": "Welcome", **JANUARY, "bonus_points": 50, "registered_after": "2027-01-05"}
    assert api.operator("PUT", "/v1/admin/campaigns/welcome", campaign).status == 201
    lottery = lottery_body(tiers=["gold"], registered_after="2027-01-05")
    assert api.operator("PUT", "/v1/admin/lotteries/gold", lottery).status == 201

    old = purchase(api, "old-1", "o-1", "100")
    new = purchase(api, "new-1", "o-2", "100")
    refused = api.member("old-1", "POST", "/v1/lotteries/gold/draws")
    drawn = api.member("new-1", "POST", "/v1/lotteries/gold/draws")

    assert parts(old) == {"base": 100}
    assert parts(new) == {"base": 100, "tier:gold": 25, "campaign:welcome": 50}
    assert (refused.status, refused.code) == (409, "not_available")
    assert drawn.status == 201


def test_racing_extra_draws_use_each_earned_draw_once(local_api: Api) -> None:
    api = local_api
    register_member(api, "m-1")
    body = lottery_body(daily_limit=1, extra_draws={"per_amount": "100", "draws": 1})
    assert api.operator("PUT", "/v1/admin/lotteries/spring", body).status == 201
    assert purchase(api, "m-1", "o-1", "300").status == 201  # 3 extra draws

    def extra_draw(_: int):
        return api.member("m-1", "POST", "/v1/lotteries/spring/draws", {"extra": True})

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(extra_draw, range(6)))

    statuses = sorted(r.status for r in results)
    assert statuses.count(201) == 3
    assert {r.code for r in results if r.status != 201} <= {"no_extra_draws", "contention"}
    listed = api.member("m-1", "GET", "/v1/lotteries").body["items"][0]
    assert listed["extra_draws_left"] == 0
    assert listed["draws_left_today"] == 1  # free draws did not count
