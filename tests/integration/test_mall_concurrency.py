"""Racing redemptions and cancellations against AWS's DynamoDB Local (moto is not safe under
concurrency): nothing oversold, no balance below zero, nothing applied twice."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.dynamodb import catalog as catalog_repo
from tests.support import Api, member_with_points

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]

SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}


def item(api: Api, item_id: str, **fields: Any) -> None:
    body = {"name": item_id, "kind": "gift", "points": 100, **fields}
    assert api.operator("PUT", f"/v1/admin/catalog/{item_id}", body).status == 201


def me(api: Api, member_id: str) -> tuple[int, list[dict], list[dict]]:
    balance = api.member(member_id, "GET", "/v1/me").body["balance"]
    ledger = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    orders = api.member(member_id, "GET", "/v1/me/orders?limit=100").body["items"]
    return balance, ledger, orders


def test_fifty_concurrent_redemptions_spend_exactly_what_the_member_has(local_api: Api) -> None:
    api = local_api
    member_with_points(api, "m-1", 1000)
    item(api, "pen", points=100, per_member_limit=None)  # unlimited stock, no limits

    def redeem(_: int) -> tuple[int, str | None]:
        res = api.member("m-1", "POST", "/v1/redemptions", {"item_id": "pen", "delivery": SHIP})
        return res.status, res.code

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = Counter(pool.map(redeem, range(50)))

    assert outcomes == {(201, None): 10, (409, "insufficient_points"): 40}
    balance, ledger, orders = me(api, "m-1")
    assert balance == 0
    assert balance == sum(e["points"] for e in ledger)
    assert min(e["balance_after"] for e in ledger) >= 0
    assert len(orders) == 10 == sum(1 for e in ledger if e["type"] == "redeem")


def test_the_same_idempotency_key_sent_concurrently_places_one_order(local_api: Api) -> None:
    api = local_api
    member_with_points(api, "m-1", 1000)
    item(api, "cup", points=300, stock=5)
    body = {"item_id": "cup", "delivery": SHIP}

    def redeem(_: int) -> Any:
        return api.member(
            "m-1", "POST", "/v1/redemptions", body, headers={"idempotency-key": "tap-1"}
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(redeem, range(20)))

    assert {r.status for r in results} == {201}
    assert len({str(r.body) for r in results}) == 1  # the same response, every time
    balance, _, orders = me(api, "m-1")
    assert balance == 700
    assert [o["order_id"] for o in orders] == [results[0].body["order_id"]]
    assert api.operator("GET", "/v1/admin/catalog/cup").body["stock"] == 4


def test_a_member_racing_for_a_gift_with_a_total_limit_gets_just_the_limit(local_api: Api) -> None:
    api = local_api
    member_with_points(api, "m-1", 10_000)
    # A custom total of 3 and no per-day limit: only the count on the profile guards it.
    item(api, "cup", points=100, stock=50, per_member_limit={"total": 3})

    def redeem(n: int) -> tuple[int, str | None]:
        body = {"item_id": "cup", "delivery": SHIP}
        res = api.member(
            "m-1", "POST", "/v1/redemptions", body, headers={"idempotency-key": f"tap-{n}"}
        )
        return res.status, res.code

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = Counter(pool.map(redeem, range(20)))

    assert outcomes == {(201, None): 3, (409, "limit_reached"): 17}
    balance, ledger, orders = me(api, "m-1")
    assert balance == 9_700 == sum(e["points"] for e in ledger)
    assert len(orders) == 3
    assert api.operator("GET", "/v1/admin/catalog/cup").body["stock"] == 47


def test_concurrent_cancels_return_points_and_stock_once(local_api: Api) -> None:
    api = local_api
    member_with_points(api, "m-1", 1000)
    item(api, "cup", points=300, stock=5)
    order_id = api.member(
        "m-1", "POST", "/v1/redemptions", {"item_id": "cup", "delivery": SHIP}
    ).body["order_id"]

    def cancel(_: int) -> Any:
        return api.member("m-1", "POST", f"/v1/me/orders/{order_id}/cancel")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(cancel, range(10)))

    assert {(r.status, r.body["status"]) for r in results} == {(200, "cancelled")}
    balance, ledger, _ = me(api, "m-1")
    assert balance == 1000 == sum(e["points"] for e in ledger)
    assert [e["type"] for e in ledger].count("refund") == 1
    assert api.operator("GET", "/v1/admin/catalog/cup").body["stock"] == 5


def test_members_racing_for_limited_stock_never_oversell(local_api: Api) -> None:
    api = local_api
    members = [f"m-{i}" for i in range(30)]
    for member_id in members:
        member_with_points(api, member_id, 1000)
    item(api, "phone", points=500, stock=10, per_member_limit=None)

    def redeem(i: int) -> tuple[int, str | None]:
        res = api.member(
            members[i % len(members)],
            "POST",
            "/v1/redemptions",
            {"item_id": "phone", "delivery": SHIP},
        )
        return res.status, res.code

    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = Counter(pool.map(redeem, range(60)))

    assert outcomes[(201, None)] == 10
    assert set(outcomes) <= {(201, None), (409, "sold_out"), (409, "insufficient_points")}
    assert api.operator("GET", "/v1/admin/catalog/phone").body["stock"] == 0
    balances = [me(api, m)[0] for m in members]
    assert min(balances) >= 0
    assert sum(balances) == 30 * 1000 - 10 * 500
    placed = api.operator("GET", "/v1/admin/orders?status=placed&limit=100").body["items"]
    assert len(placed) == 10


def test_members_racing_for_a_hot_items_shards_never_oversell(local_api: Api) -> None:
    """The same race on an item whose stock is spread over shards: exactly the stock is
    sold, every shard ends empty, and sold_out comes only after that."""
    api = local_api
    members = [f"m-{i}" for i in range(30)]
    for member_id in members:
        member_with_points(api, member_id, 1000)
    item(api, "flash", points=100, stock=12, stock_shards=4, per_member_limit=None)

    def redeem(i: int) -> tuple[int, str | None]:
        res = api.member(
            members[i % len(members)],
            "POST",
            "/v1/redemptions",
            {"item_id": "flash", "delivery": SHIP},
        )
        return res.status, res.code

    with ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = Counter(pool.map(redeem, range(60)))

    assert outcomes == {(201, None): 12, (409, "sold_out"): 48}
    stored = api.operator("GET", "/v1/admin/catalog/flash").body
    assert (stored["stock"], stored["sold"]) == (0, 12)
    assert catalog_repo.shard_stocks("flash", 4) == [0, 0, 0, 0]
    balances = [me(api, m)[0] for m in members]
    assert sum(balances) == 30 * 1000 - 12 * 100
    placed = api.operator("GET", "/v1/admin/orders?status=placed&limit=100").body["items"]
    assert len(placed) == 12
