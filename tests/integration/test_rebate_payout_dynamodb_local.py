"""Rebate payout on DynamoDB Local: the same approved statements paid by several operators
at once (and reviewed twice at once) are credited exactly once, every racing request
answers the one paid statement, and the table's stream announces each statement issued
and paid exactly once."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared import clock
from tests.support import Api, at, purchase, rebate_body, register_member

pytestmark = pytest.mark.dynamodb_local
BASE = "/v1/admin/rebates/ye"
MEMBERS = {"m-1": "4900.00", "m-2": "12000.00", "m-3": "1000.00"}  # 98.00, 600.00, 20.00
RACERS = 6


@pytest.fixture(autouse=True)
def _release_clock():
    yield
    clock.release()


def test_racing_payouts_credit_each_statement_once(local_api: Api, bus: Any) -> None:
    api = local_api
    bus.clear()
    at("2026-11-20")
    assert api.operator("PUT", BASE, rebate_body()).status == 201
    at("2026-12-10")
    for member_id, amount in MEMBERS.items():
        register_member(api, member_id)
        assert purchase(api, member_id, f"o-{member_id}", amount).status == 201
    at("2027-01-02")
    assert api.operator("POST", f"{BASE}/settlements").body["complete"]

    review = {"status": "approved", "reason": "checked"}
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        reviews = list(
            pool.map(
                lambda m: api.operator("PATCH", f"{BASE}/statements/{m}", review),
                [m for m in MEMBERS for _ in range(2)],
            )
        )
        pays = list(
            pool.map(
                lambda m: api.operator("POST", f"{BASE}/statements/{m}/payout"),
                [m for m in MEMBERS for _ in range(RACERS)],
            )
        )

    assert all(r.status == 200 for r in reviews), [r.body for r in reviews]
    assert all(r.status == 200 for r in pays), [r.body for r in pays]
    for member_id in MEMBERS:
        answers = [p.body for p in pays if p.body["member_id"] == member_id]
        assert all(a == answers[0] for a in answers), answers  # one paid statement
        assert answers[0]["status"] == "paid"
        ledger = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
        credits = [e["points"] for e in ledger if e["source"] == "rebate"]
        assert credits == [answers[0]["points"]]
    assert sorted(p["points"] for p in {p.body["member_id"]: p.body for p in pays}.values()) == [
        2_000,
        9_800,
        60_000,
    ]
    audits = [
        a for m in MEMBERS for a in api.operator("GET", f"/v1/admin/members/{m}").body["audit"]
    ]
    assert sorted(a["action"] for a in audits if a["action"].startswith("rebate")) == [
        "rebate_approved"
    ] * len(MEMBERS)
    events = bus.drain()
    kinds = Counter(
        (e["detail-type"], e["detail"]["member_id"])
        for e in events
        if e["detail-type"].startswith("Rebate")
    )
    assert kinds == {
        (kind, m): 1 for kind in ("RebateStatementIssued.v1", "RebatePaid.v1") for m in MEMBERS
    }
    paid = {
        e["detail"]["member_id"]: e["detail"] for e in events if e["detail-type"] == "RebatePaid.v1"
    }
    assert paid["m-1"]["payable"] == "98.00" and paid["m-1"]["points"] == 9_800
