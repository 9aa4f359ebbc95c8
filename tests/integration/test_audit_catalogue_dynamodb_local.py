"""The audit log of operator writes racing each other on DynamoDB Local (real transactions
and conditions): requests racing to finish one settlement or to make one order move leave
one entry; racing catalog edits each leave theirs, every one against the item as it really
was before it (the write is pinned to what was read)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared import clock
from tests.integration.test_audit_catalogue import logged, placed_order
from tests.support import Api, at, purchase, rebate_body, register_member

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    yield
    clock.release()


def race(*calls: Callable[[], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [f.result() for f in [pool.submit(call) for call in calls]]


def test_racing_settlements_log_the_settlement_once(local_api: Api) -> None:
    api = local_api
    at("2026-11-20")
    assert api.operator("PUT", "/v1/admin/rebates/ye", rebate_body()).status == 201
    at("2026-12-05")
    for n in range(4):
        register_member(api, f"m-{n}")
        assert purchase(api, f"m-{n}", f"o-{n}", f"{1000 * (n + 1)}.00").status == 201
    at("2027-01-02")

    results = race(*[lambda: api.operator("POST", "/v1/admin/rebates/ye/settlements")] * 6)

    assert {(r.status, r.body["complete"]) for r in results} == {(200, True)}
    settles = [e for e in logged("rebate:ye") if e.action == "rebate.settle"]
    assert [e.after for e in settles] == [{"complete": True, "statements": 4, "total": "200.00"}]


def test_racing_restocks_each_log_the_stock_they_really_found(local_api: Api) -> None:
    api = local_api
    at("2027-01-10")
    cup = "/v1/admin/catalog/cup"
    gift = {"name": "Cup", "kind": "gift", "points": 9, "stock": 5}
    assert api.operator("PUT", cup, gift).status == 201

    results = race(*[lambda: api.operator("PATCH", cup, {"stock_delta": 1})] * 6)

    assert [r.status for r in results] == [200] * 6
    patches = [e for e in logged("catalog:cup") if e.action == "catalog.patch"]
    assert sorted(e.before["stock"] for e in patches) == [5, 6, 7, 8, 9, 10]
    assert all(e.after["stock"] == e.before["stock"] + 1 for e in patches)
    assert api.operator("GET", cup).body["stock"] == 11


def test_racing_approvals_of_one_order_log_one_move(local_api: Api) -> None:
    api = local_api
    order_id = placed_order(api)
    path = f"/v1/admin/orders/{order_id}"

    results = race(*[lambda: api.operator("PATCH", path, {"status": "approved"})] * 5)

    assert {r.status for r in results} == {200}
    (entry,) = logged(f"order:{order_id}")
    assert (entry.action, entry.before, entry.after) == (
        "order.move",
        {"status": "placed"},
        {"status": "approved"},
    )
