"""Racing purchases, refunds and receipts of one member during a rebate campaign (DynamoDB
Local): every accrual is exactly the sum of what the orders' ledger entries say they
contributed, net of their refunds — nothing lost, nothing counted twice."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared import clock
from shared.domain.rebates import referral_change, remaining, to_cents
from shared.dynamodb import keys, rebate_statements
from shared.dynamodb.models.members import LedgerItem
from shared.dynamodb.models.rebates import RebateItem
from shared.dynamodb.rebates import contribution_of
from tests.support import Api, Result, rebate_body

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]

DURING = datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CAMPAIGN = rebate_body(
    quantity_ladder=[{"min_quantity": 10, "rate": "1"}],
    quantity_skus=["tea", "cup"],
    bundles=[{"bundle_id": "set", "skus": ["tea", "cup"], "extra_rate": "0.5"}],
)
ORDERS = 24


def until_done(call: Any) -> Result:
    """A request retried while the service answers 503 (contention: safe to retry)."""
    for _ in range(20):
        result = call()
        if result.status != 503:
            return result
    return result


def order(i: int) -> dict[str, Any]:
    """Order ``i``: every third one a bundle of listed SKUs, every other one a listed SKU."""
    amount = Decimal(100 + 7 * i) + Decimal(i % 10) / 100
    items: list[dict[str, Any]] = []
    if i % 3 == 0:
        items = [
            {"sku": "tea", "amount": str((amount / 2).quantize(Decimal("0.01"))), "quantity": 2},
            {"sku": "cup", "amount": "10.01", "quantity": 1},
        ]
    elif i % 2 == 0:
        items = [{"sku": "cup", "amount": "33.33", "quantity": 3}]
    body = {"order_id": f"o-{i}", "member_id": "m-buy", "amount": str(amount), "items": items}
    return {k: v for k, v in body.items() if v != []}


def totals(member_id: str) -> dict[str, Any]:
    item = RebateItem.get(keys.member_pk(member_id), keys.rebate_sk("ye"), consistent_read=True)
    accrual = rebate_statements.accrual_of(item)
    return {
        "qualifying": accrual.qualifying,
        "listed": accrual.listed,
        "quantity": {k: v for k, v in accrual.quantity.items() if v},
        "bundles": dict(accrual.bundles),
        "referral": accrual.referral,
    }


def expected(member_id: str) -> tuple[dict[str, Any], int]:
    """Σ over the member's purchase entries of their contribution net of refunds, and Σ of
    the referral their receipts gave (net of later refunds)."""
    sums: dict[str, Any] = {"qualifying": 0, "listed": 0, "quantity": {}, "bundles": {}}
    referral = 0
    prefix = keys.ledger_sk("purchase", "")
    for e in LedgerItem.query(
        keys.member_pk(member_id), LedgerItem.sk.startswith(prefix), consistent_read=True
    ):
        amount, refunded = to_cents(Decimal(e.amount)), to_cents(Decimal(e.refunded))
        stored = e.rebates.as_dict() if e.rebates else {}
        if "ye" in stored:
            left = remaining(contribution_of(stored["ye"]), amount, refunded)
            sums["qualifying"] += left.qualifying
            sums["listed"] += left.listed
            for k, v in left.quantity.items():
                sums["quantity"][k] = sums["quantity"].get(k, 0) + v
            for k, v in left.bundles.items():
                sums["bundles"][k] = sums["bundles"].get(k, 0) + v
        given = e.referral.as_dict() if e.referral else {}
        if "ye" in given:
            r = int(given["ye"]["r"])
            referral += r + referral_change(r, amount, 0, refunded)
    sums["quantity"] = {k: v for k, v in sums["quantity"].items() if v}
    return sums, referral


def test_racing_purchases_refunds_and_receipts_accrue_exactly(local_api: Api) -> None:
    api = local_api
    clock.pin(DURING)
    assert api.operator("PUT", "/v1/admin/rebates/ye", CAMPAIGN).status == 201
    assert api.system("POST", "/v1/members", {"member_id": "m-ref"}).status == 201
    code = api.member("m-ref", "GET", "/v1/me").body["referral_code"]
    joined = api.system("POST", "/v1/members", {"member_id": "m-buy", "referral_code": code})
    assert joined.status == 201

    # Wave 1: every purchase at once (the first ones race to create the accrual's maps).
    with ThreadPoolExecutor(max_workers=12) as pool:
        bought = list(
            pool.map(
                lambda i: until_done(lambda: api.system("POST", "/v1/purchases", order(i))),
                range(ORDERS),
            )
        )
    assert [r.status for r in bought] == [201] * ORDERS, [r.body for r in bought if r.status != 201]

    # Wave 2: refunds (partial, full, several per order), receipts and more purchases racing.
    rng = random.Random(18)
    calls: list[Any] = []
    for i in range(ORDERS):
        amount = Decimal(order(i)["amount"])
        if i % 4 == 0:  # refunded in full, in two pieces
            half = (amount / 2).quantize(Decimal("0.01"))
            for n, piece in enumerate((half, amount - half)):
                body = {"refund_id": f"r-{i}-{n}", "order_id": f"o-{i}", "amount": str(piece)}
                calls.append(lambda b=body: api.system("POST", "/v1/refunds", b))
        elif i % 4 == 1:  # partly refunded
            body = {"refund_id": f"r-{i}", "order_id": f"o-{i}", "amount": "33.37"}
            calls.append(lambda b=body: api.system("POST", "/v1/refunds", b))
        if i % 2 == 1 or i % 8 == 0:
            calls.append(lambda i=i: api.system("POST", f"/v1/purchases/o-{i}/receipt"))
    for i in range(ORDERS, ORDERS + 8):
        calls.append(lambda i=i: api.system("POST", "/v1/purchases", order(i)))
    rng.shuffle(calls)
    with ThreadPoolExecutor(max_workers=12) as pool:
        done = list(pool.map(lambda call: until_done(call), calls))
    assert {r.status for r in done} <= {200, 201}, [r.body for r in done if r.status > 201]

    buyer_expected, referral_expected = expected("m-buy")
    buyer = totals("m-buy")
    assert {k: buyer[k] for k in buyer_expected} == buyer_expected
    assert buyer["qualifying"] > 0 and buyer["bundles"]["set"] > 0 and buyer["quantity"]
    assert totals("m-ref")["referral"] == referral_expected > 0
