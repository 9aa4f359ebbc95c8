"""The per-member limits counted on the member's profile (issue 23: a redemption with the
default gift limits writes two items less) through the real handlers (moto).

Per day: the counter's day is guessed and corrected from the refusal, cancels the same day
give the count back, and orders counted in the counter items of before are still given back
there. Per item, ever: items created since then count on the profile (``rt_<item id>``),
items from before keep their counter item (so nothing counted there is forgotten)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.dynamodb import keys
from shared.dynamodb.models.mall import CatalogItem, CounterItem, OrderItem
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.values import row_at
from tests.support import Api, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")

START = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}


def item(api: Api, item_id: str, **fields: Any) -> None:
    body = {"name": item_id.title(), "kind": "gift", "points": 100, "stock": 10, **fields}
    assert api.operator("PUT", f"/v1/admin/catalog/{item_id}", body).status == 201


def redeem(api: Api, item_id: str, quantity: int = 1) -> Any:
    body = {"item_id": item_id, "quantity": quantity, "delivery": SHIP}
    return api.member("m-1", "POST", "/v1/redemptions", body)


def day_counter(kind: str = "gift") -> tuple[str | None, int | None]:
    """The member's per-day counter of ``kind`` as stored (attributes the model does not name)."""
    profile = MemberItem._get_connection().get_item(keys.member_pk("m-1"), keys.PROFILE)["Item"]
    day = profile.get(f"rday_{kind}", {}).get("S")
    units = profile.get(f"rn_{kind}", {}).get("N")
    return day, int(units) if units is not None else None


def profile_attribute(name: str) -> int | None:
    profile = MemberItem._get_connection().get_item(keys.member_pk("m-1"), keys.PROFILE)["Item"]
    value = profile.get(name, {}).get("N")
    return int(value) if value is not None else None


def item_counter(item_id: str) -> CounterItem | None:
    return row_at(CounterItem, keys.member_pk("m-1"), keys.limit_item_sk(item_id))


def created_before_issue_23(item_id: str) -> None:
    """Make ``item_id`` look as an item created before issue 23 is stored."""
    row = CatalogItem.get(keys.item_pk(item_id), keys.ITEM_SK)
    row.update(actions=[CatalogItem.total_on_profile.remove()])


def legacy_counter(day: str, kind: str = "gift") -> CounterItem | None:
    sk = keys.limit_day_sk(kind, datetime.fromisoformat(day).date())
    return row_at(CounterItem, keys.member_pk("m-1"), sk)


def test_the_days_count_lives_on_the_profile_and_a_second_gift_is_refused(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    item(api, "pen")

    first = redeem(api, "cup")
    second = redeem(api, "pen")

    assert first.status == 201
    assert (second.status, second.code) == (409, "limit_reached")
    assert day_counter() == ("2027-01-10", 1)
    assert legacy_counter("2027-01-10") is None  # no counter item of its own any more
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 900


def test_a_custom_per_day_limit_counts_up_then_starts_over_the_next_day(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    limits = {"per_member_limit": {"per_day": 3}}
    item(api, "cup", **limits)

    results = [redeem(api, "cup").status, redeem(api, "cup", 2).status, redeem(api, "cup").code]
    counted = day_counter()
    clock.pin(START + timedelta(days=1))
    next_day = redeem(api, "cup", 3)

    assert results == [201, 201, "limit_reached"]
    assert counted == ("2027-01-10", 3)
    assert next_day.status == 201
    assert day_counter() == ("2027-01-11", 3)


def test_a_cancel_the_same_day_gives_the_days_count_back(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    item(api, "pen")
    order_id = redeem(api, "cup").body["order_id"]

    cancel = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")
    counted = day_counter()
    other = redeem(api, "pen")

    assert cancel.status == 200
    assert counted == ("2027-01-10", 0)
    assert other.status == 201
    assert day_counter() == ("2027-01-10", 1)


def test_an_order_counted_before_the_change_gives_back_to_its_counter_item(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    order_id = redeem(api, "cup").body["order_id"]
    # As the redemption of before wrote it: the day's count in a counter item of its own.
    order = OrderItem.get(keys.member_pk("m-1"), keys.mall_order_sk(order_id))
    order.update(actions=[OrderItem.day_on_profile.set(False)])
    sk = keys.limit_day_sk("gift", START.date())
    CounterItem(pk=keys.member_pk("m-1"), sk=sk, n=1).save()

    cancel = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert cancel.status == 200
    assert int(legacy_counter("2027-01-10").n) == 0
    assert day_counter() == ("2027-01-10", 1)  # the profile's count is not touched


def test_the_same_gift_twice_is_refused_from_the_count_on_the_profile(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    first = redeem(api, "cup")
    clock.pin(START + timedelta(days=1))  # not the per-day limit: the same gift ever

    again = redeem(api, "cup")

    assert first.status == 201
    assert (again.status, again.code) == (409, "limit_reached")
    assert again.body["error"]["details"]["limits"] == {"per_day": 1, "total": 1}
    assert profile_attribute("rt_cup") == 1
    assert item_counter("cup") is None  # no counter item of its own
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 900


def test_a_custom_total_counts_units_and_a_cancel_gives_them_back(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    item(api, "cup", per_member_limit={"total": 3})
    two = redeem(api, "cup", 2)
    over = redeem(api, "cup", 2)
    cancel = api.member("m-1", "POST", f"/v1/me/orders/{two.body['order_id']}/cancel")
    counted = profile_attribute("rt_cup")

    three = redeem(api, "cup", 3)

    assert (two.status, over.code, cancel.status) == (201, "limit_reached", 200)
    assert counted == 0
    assert three.status == 201
    assert profile_attribute("rt_cup") == 3


def test_an_item_from_before_keeps_counting_in_its_counter_item(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    created_before_issue_23("cup")
    # Counted before the change: the member already has the gift once.
    CounterItem(pk=keys.member_pk("m-1"), sk=keys.limit_item_sk("cup"), n=1).save()

    refused = redeem(api, "cup")

    assert (refused.status, refused.code) == (409, "limit_reached")
    assert profile_attribute("rt_cup") is None


def test_an_order_of_an_item_from_before_gives_back_to_its_counter_item(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    created_before_issue_23("cup")
    placed = redeem(api, "cup")
    counted = int(item_counter("cup").n)
    order = OrderItem.get(keys.member_pk("m-1"), keys.mall_order_sk(placed.body["order_id"]))

    cancel = api.member("m-1", "POST", f"/v1/me/orders/{placed.body['order_id']}/cancel")

    assert (placed.status, counted, order.total_on_profile) == (201, 1, False)
    assert cancel.status == 200
    assert int(item_counter("cup").n) == 0
    assert profile_attribute("rt_cup") is None


def test_a_replaced_item_keeps_where_it_counts(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    item(api, "cup")
    created_before_issue_23("cup")
    body = {"name": "Cup", "kind": "gift", "points": 120, "stock": 10}
    replaced = api.operator("PUT", "/v1/admin/catalog/cup", body)  # keeps the item's layout

    placed = redeem(api, "cup")

    assert (replaced.status, placed.status) == (200, 201)
    assert int(item_counter("cup").n) == 1
    assert profile_attribute("rt_cup") is None
