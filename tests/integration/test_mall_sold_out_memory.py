"""A sold-out item is refused from a moment's memory (issue 23): after a fresh read shows no
stock, a process answers ``sold_out`` for ``SOLD_OUT_SECONDS`` without reading the item (and
a hot item's shards) again, so a flash sale's refusals do not pile reads on those partitions.
Its own process's restocks and cancels are seen at once; another's within the second."""

from __future__ import annotations

from typing import Any

import pytest

from shared.dynamodb import catalog as catalog_repo
from shared.dynamodb import keys
from shared.dynamodb.connection import connection
from shared.dynamodb.models.mall import CatalogItem, StockShard
from tests.support import Api, member_with_points

pytestmark = pytest.mark.usefixtures("frozen_clock")

SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}


def item(api: Api, item_id: str, **fields: Any) -> None:
    body = {"name": "Cup", "kind": "gift", "points": 100, "per_member_limit": None, **fields}
    assert api.operator("PUT", f"/v1/admin/catalog/{item_id}", body).status == 201


def redeem(api: Api, member_id: str, key: str | None = None) -> Any:
    headers = {"idempotency-key": key} if key else None
    body = {"item_id": "cup", "delivery": SHIP}
    return api.member(member_id, "POST", "/v1/redemptions", body, headers=headers)


class Reads:
    """Counts the item reads (GetItem, BatchGetItem) of the shared DynamoDB client."""

    def __init__(self) -> None:
        self.n = 0
        connection().client.meta.events.register("after-call.dynamodb", self._after)

    def _after(self, model: Any, **_: Any) -> None:
        if model.name in ("GetItem", "BatchGetItem"):
            self.n += 1


def restock_elsewhere(units: int) -> None:
    """Another process's restock: the table changes, this process's memory does not."""
    row = CatalogItem.get(keys.item_pk("cup"), keys.ITEM_SK)
    row.update(actions=[CatalogItem.stock.add(units)])


@pytest.fixture
def sold_out(api: Api) -> Api:
    for member in ("m-1", "m-2", "m-3"):
        member_with_points(api, member, 1_000)
    item(api, "cup", stock=1)
    assert redeem(api, "m-1", "tap-1").status == 201
    # Refused by the transaction (the process's copy showed a unit), then by a fresh read.
    assert [redeem(api, "m-2").code for _ in range(2)] == ["sold_out", "sold_out"]
    return api


def test_a_refusal_just_after_a_fresh_sold_out_reads_nothing(sold_out: Api) -> None:
    reads = Reads()

    refused = redeem(sold_out, "m-3")

    assert (refused.status, refused.code) == (409, "sold_out")
    assert refused.body["error"]["details"] == {"item_id": "cup"}
    assert reads.n == 0


def test_another_process_restock_is_seen_once_the_memory_lapses(
    sold_out: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    restock_elsewhere(1)
    within = redeem(sold_out, "m-3")
    monkeypatch.setattr(catalog_repo.SOLD_OUT, "seconds", 0.0)

    after = redeem(sold_out, "m-3")

    assert within.code == "sold_out"
    assert after.status == 201


def test_this_process_restock_is_seen_at_once(sold_out: Api) -> None:
    restocked = sold_out.operator("PATCH", "/v1/admin/catalog/cup", {"stock_delta": 1})

    assert restocked.status == 200
    assert redeem(sold_out, "m-3").status == 201


def test_this_process_cancel_is_seen_at_once(sold_out: Api) -> None:
    order_id = sold_out.member("m-1", "GET", "/v1/me/orders").body["items"][0]["order_id"]
    cancel = sold_out.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    assert cancel.status == 200
    assert redeem(sold_out, "m-3").status == 201


def test_the_retry_of_the_redemption_that_took_the_last_unit_still_gets_its_201(
    sold_out: Api,
) -> None:
    retry = redeem(sold_out, "m-1", "tap-1")

    assert retry.status == 201


def test_a_hot_item_whose_shards_are_all_empty_is_remembered_too(api: Api) -> None:
    for member in ("m-1", "m-2", "m-3"):
        member_with_points(api, member, 1_000)
    item(api, "cup", stock=1, stock_shards=2)
    assert redeem(api, "m-1").status == 201
    assert [redeem(api, "m-2").code for _ in range(2)] == ["sold_out", "sold_out"]
    reads = Reads()

    refused = redeem(api, "m-3")

    assert refused.code == "sold_out"
    assert reads.n == 0
    assert (
        sum(
            int(StockShard.get(keys.stock_shard_pk("cup", k), keys.STOCK_SK).stock)
            for k in range(2)
        )
        == 0
    )
