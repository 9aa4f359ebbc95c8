"""Hot items through the real redeem and mall_admin handlers (moto): stock spread over
shard items, redemptions that try another shard when one is empty, sold_out only once
every shard refused, restocks and cancellations back to a shard, the catalog's sum, and the
operators' queue of placed orders read from its sharded index partitions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import keys
from shared.dynamodb.models.mall import CatalogItem, OrderItem
from shared.mall import redemption
from shared.metrics import SOLD_OUTS
from tests.support import Api, emf_lines, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")

START = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}


def hot_item(api: Api, item_id: str, stock: int, shards: int, **fields: Any) -> dict[str, Any]:
    body = {
        "name": item_id.title(),
        "kind": "gift",
        "points": 100,
        "stock": stock,
        "stock_shards": shards,
        "per_member_limit": None,
        **fields,
    }
    res = api.operator("PUT", f"/v1/admin/catalog/{item_id}", body)
    assert res.status in (200, 201), res
    return res.body


def redeem(api: Api, member_id: str, item_id: str, quantity: int = 1) -> Any:
    body = {"item_id": item_id, "quantity": quantity, "delivery": SHIP}
    return api.member(member_id, "POST", "/v1/redemptions", body)


def admin_item(api: Api, item_id: str) -> dict[str, Any]:
    return api.operator("GET", f"/v1/admin/catalog/{item_id}").body


def shards(item_id: str, count: int) -> list[int]:
    return catalog_repo.shard_stocks(item_id, count)


def definition(item_id: str) -> CatalogItem:
    return CatalogItem.get(keys.item_pk(item_id), keys.ITEM_SK, consistent_read=True)


def order_row(member_id: str, order_id: str) -> OrderItem:
    return OrderItem.get(keys.member_pk(member_id), keys.mall_order_sk(order_id))


@pytest.fixture
def last_first(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """Redemptions pick the highest shard left (the stock below sits in shard 0, so every
    other shard is tried, and refuses, first); records the choices offered."""
    offered: list[list[int]] = []

    def pick(left: list[int]) -> int:
        offered.append(list(left))
        return max(left)

    monkeypatch.setattr(redemption, "_rotation", lambda item_id: pick)
    return offered


def test_a_hot_items_stock_is_spread_over_its_shards_and_shown_as_the_sum(api: Api) -> None:
    created = hot_item(api, "flash", stock=10, shards=4)

    assert shards("flash", 4) == [3, 3, 2, 2]
    assert definition("flash").stock is None  # nothing on the item's own partition
    assert (created["stock"], created["stock_shards"], created["sold"]) == (10, 4, 0)
    assert api.member("m-1", "GET", "/v1/catalog/flash").body["stock"] == 10
    listed = api.member("m-1", "GET", "/v1/catalog").body["items"]
    assert [(i["item_id"], i["stock"]) for i in listed] == [("flash", 10)]


def test_redemptions_take_from_the_shards_by_turns(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    hot_item(api, "flash", stock=20, shards=4)

    taken = [
        int(order_row("m-1", redeem(api, "m-1", "flash").body["order_id"]).stock_shard)
        for _ in range(8)
    ]

    assert sorted(taken) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert taken[4:] == taken[:4]  # the same turn again
    assert shards("flash", 4) == [3, 3, 3, 3]


def test_a_redemption_takes_from_one_shard_and_leaves_the_item_alone(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=8, shards=4)
    before = definition("flash").attribute_values

    res = redeem(api, "m-1", "flash", quantity=2)

    assert res.status == 201, res
    taken = order_row("m-1", res.body["order_id"]).stock_shard
    expected = [2, 2, 2, 2]
    expected[int(taken)] = 0
    assert shards("flash", 4) == expected
    assert definition("flash").attribute_values == before
    assert (admin_item(api, "flash")["stock"], admin_item(api, "flash")["sold"]) == (6, 2)
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 800


def test_sold_out_only_after_every_shard_refused(
    api: Api,
    last_first: list[list[int]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "redeem")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LoyaltyPoints/dev")
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=1, shards=4)  # [1, 0, 0, 0]
    capsys.readouterr()

    first = redeem(api, "m-1", "flash")
    offered_first = list(last_first)
    last_first.clear()
    second = redeem(api, "m-1", "flash")

    assert first.status == 201, first
    assert order_row("m-1", first.body["order_id"]).stock_shard == 0
    assert offered_first == [[0, 1, 2, 3], [0, 1, 2], [0, 1], [0]]  # 3, 2, 1 refused
    assert (second.status, second.code) == (409, "sold_out")
    assert shards("flash", 4) == [0, 0, 0, 0]
    lines = emf_lines(capsys.readouterr().out)
    assert [line[SOLD_OUTS] for line in lines] == [[1]]  # one refused redemption, once


def test_a_quantity_no_shard_holds_is_sold_out_and_changes_nothing(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=4, shards=4)  # one unit a shard

    res = redeem(api, "m-1", "flash", quantity=2)

    assert (res.status, res.code) == (409, "sold_out")
    assert shards("flash", 4) == [1, 1, 1, 1]
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 1_000


def test_restock_adds_over_the_shards_and_takes_from_the_fullest(api: Api) -> None:
    hot_item(api, "flash", stock=4, shards=4)
    path = "/v1/admin/catalog/flash"

    more = api.operator("PATCH", path, {"stock_delta": 6})
    after_more = shards("flash", 4)
    less = api.operator("PATCH", path, {"stock_delta": -7})
    too_many = api.operator("PATCH", path, {"stock_delta": -4})

    assert more.status == 200 and more.body["stock"] == 10
    assert sorted(after_more) == [2, 2, 3, 3]
    assert less.status == 200 and less.body["stock"] == 3
    assert sum(shards("flash", 4)) == 3 and min(shards("flash", 4)) >= 0
    assert (too_many.status, too_many.code) == (409, "insufficient_stock")
    assert sum(shards("flash", 4)) == 3


def test_a_cancelled_order_returns_its_units_to_its_shard(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=8, shards=4)
    order_id = redeem(api, "m-1", "flash").body["order_id"]
    taken = int(order_row("m-1", order_id).stock_shard)

    first = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")
    again = api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert first.status == again.status == 200
    assert shards("flash", 4)[taken] == 2
    assert (admin_item(api, "flash")["stock"], admin_item(api, "flash")["sold"]) == (8, 0)
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 1_000


def test_an_operators_rejection_returns_the_units_too(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=4, shards=2)
    order_id = redeem(api, "m-1", "flash").body["order_id"]

    res = api.operator("PATCH", f"/v1/admin/orders/{order_id}", {"status": "rejected"})

    assert res.status == 200
    assert shards("flash", 2) == [2, 2]


def test_an_item_made_hot_keeps_its_old_orders_cancellable(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    body = {"name": "Cup", "kind": "gift", "points": 100, "stock": 5, "per_member_limit": None}
    assert api.operator("PUT", "/v1/admin/catalog/cup", body).status == 201
    old_order = redeem(api, "m-1", "cup").body["order_id"]

    made_hot = api.operator("PUT", "/v1/admin/catalog/cup", {**body, "stock": 4, "stock_shards": 2})
    cancel = api.member("m-1", "POST", f"/v1/me/orders/{old_order}/cancel")
    change = api.operator("PUT", "/v1/admin/catalog/cup", {**body, "stock_shards": 3})
    unshard = api.operator("PUT", "/v1/admin/catalog/cup", body)

    assert made_hot.status == 200 and made_hot.body["stock"] == 4
    assert cancel.status == 200
    assert sum(shards("cup", 2)) == 5  # the old order's unit went back to a shard
    assert admin_item(api, "cup")["stock"] == 5
    for refused in (change, unshard):
        assert (refused.status, refused.code) == (422, "validation_error")
        assert "stock_shards" in refused.body["error"]["details"]["fields"]
    assert redeem(api, "m-1", "cup").status == 201


def test_a_price_change_reaches_redemptions_through_the_shards_version(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    member_with_points(api, "m-2", 1_000)
    hot_item(api, "flash", stock=8, shards=2)
    assert redeem(api, "m-1", "flash").body["points"] == 100  # the redeem function read it

    api.operator("PATCH", "/v1/admin/catalog/flash", {"points": 150})
    res = redeem(api, "m-2", "flash")

    assert res.status == 201 and res.body["points"] == 150
    assert sum(shards("flash", 2)) == 6


def test_a_retired_hot_item_is_not_available(api: Api) -> None:
    member_with_points(api, "m-1", 1_000)
    hot_item(api, "flash", stock=8, shards=2)
    assert redeem(api, "m-1", "flash").status == 201

    api.operator("PATCH", "/v1/admin/catalog/flash", {"retired": True})
    res = redeem(api, "m-1", "flash")

    assert (res.status, res.code) == (409, "not_available")
    assert sum(shards("flash", 2)) == 7


def test_a_bad_stock_shards_is_422_and_stores_nothing(api: Api) -> None:
    unlimited = {"name": "Pen", "kind": "gift", "points": 10, "stock_shards": 2}
    too_many = {**unlimited, "stock": 10, "stock_shards": 51}

    for body in (unlimited, too_many):
        res = api.operator("PUT", "/v1/admin/catalog/pen", body)
        assert (res.status, res.code) == (422, "validation_error")
    assert api.operator("GET", "/v1/admin/catalog/pen").status == 404


def test_the_placed_queue_merges_its_shards_and_the_old_partition(api: Api) -> None:
    member_with_points(api, "m-1", 10_000)
    body = {"name": "Pen", "kind": "gift", "points": 10, "per_member_limit": None}
    assert api.operator("PUT", "/v1/admin/catalog/pen", body).status == 201
    ids = []
    for minute in range(7):
        clock.pin(START + timedelta(minutes=minute))
        ids.append(redeem(api, "m-1", "pen").body["order_id"])
    # The oldest order as indexed before the sharding: the one placed partition.
    old = order_row("m-1", ids[0])
    old.update(actions=[OrderItem.st_pk.set(keys.orders_status_pk("placed"))])
    partitions = {order_row("m-1", i).st_pk for i in ids}

    pages, cursor = [], ""
    while cursor is not None:
        query = f"?status=placed&limit=3{'&cursor=' + cursor if cursor else ''}"
        page = api.operator("GET", f"/v1/admin/orders{query}").body
        pages.append([o["order_id"] for o in page["items"]])
        cursor = page["next_cursor"]

    assert len(partitions) > 2  # spread over several shards (and the old partition)
    assert [i for page in pages for i in page] == ids[::-1]  # newest first, each once
    assert [len(page) for page in pages] == [3, 3, 1]
    moved = api.operator("PATCH", f"/v1/admin/orders/{ids[3]}", {"status": "approved"})
    assert moved.status == 200
    approved = api.operator("GET", "/v1/admin/orders?status=approved").body["items"]
    assert [o["order_id"] for o in approved] == [ids[3]]
    placed = api.operator("GET", "/v1/admin/orders?status=placed&limit=50").body["items"]
    assert [o["order_id"] for o in placed] == [i for i in ids[::-1] if i != ids[3]]
