"""Racing requests against AWS's DynamoDB Local (moto is not safe under concurrency)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import Api

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]


def test_fifty_concurrent_identical_purchases_credit_once(local_api: Api) -> None:
    api = local_api
    assert api.system("POST", "/v1/members", {"member_id": "m-race"}).status == 201
    body = {"order_id": "o-race", "member_id": "m-race", "amount": "199.90"}

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda _: api.system("POST", "/v1/purchases", body), range(50)))

    statuses = Counter(r.status for r in results)
    assert statuses == {201: 1, 200: 49}
    assert {r.body["points"] for r in results} == {199}
    me = api.member("m-race", "GET", "/v1/me").body
    ledger = api.member("m-race", "GET", "/v1/me/ledger?limit=100").body["items"]
    assert me["balance"] == 299
    assert [e["points"] for e in ledger] == [199, 100]
    assert me["balance"] == sum(e["points"] for e in ledger)


def test_concurrent_purchases_of_one_member_all_count(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-busy"})

    def buy(i: int) -> int:
        body = {"order_id": f"o-{i}", "member_id": "m-busy", "amount": "10"}
        return api.system("POST", "/v1/purchases", body).status

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(buy, range(64)))

    assert statuses == [201] * 64
    me = api.member("m-busy", "GET", "/v1/me").body
    ledger = api.member("m-busy", "GET", "/v1/me/ledger?limit=100").body["items"]
    assert me["balance"] == 100 + 64 * 10 == sum(e["points"] for e in ledger)
    assert ledger[0]["balance_after"] == me["balance"]
    assert ledger[-1]["balance_after"] == 100


def test_concurrent_refunds_of_one_order_never_exceed_it(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-ref"})
    api.system(
        "POST", "/v1/purchases", {"order_id": "o-1", "member_id": "m-ref", "amount": "100.00"}
    )

    def refund(i: int) -> int:
        body = {"refund_id": f"r-{i}", "order_id": "o-1", "amount": "30.00"}
        return api.system("POST", "/v1/refunds", body).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(pool.map(refund, range(8)))

    assert statuses[201] == 3  # 3 × 30.00 fit in 100.00, the fourth would not
    assert statuses[422] == 5
    assert api.member("m-ref", "GET", "/v1/me").body["balance"] == 200 - 90
