"""Racing decisions of the review queue and purchases against the daily velocity, on
DynamoDB Local (real conditional transactions under threads)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import AuditLogItem
from tests.support import Api, purchase

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]


def race(calls: list) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def decide(api: Api, decision: str):
    body = {"decision": decision, "reason": f"{decision} in a race"}
    return lambda: api.operator("POST", "/v1/admin/reviews/o-big", body)


def purchases_of(api: Api) -> list[tuple[str, int]]:
    ledger = api.member("m-1", "GET", "/v1/me/ledger?limit=100").body["items"]
    return [(e["ref"], e["points"]) for e in ledger if e["source"] == "purchase"]


def decisions_logged() -> int:
    return len(list(AuditLogItem.by_target.query(keys.audit_target_pk("review:o-big"))))


@pytest.fixture
def held(local_api: Api) -> Api:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})
    assert purchase(api, "m-1", "o-big", "150000").status == 202
    return api


def test_a_reject_and_an_approve_racing_have_one_outcome(held: Api) -> None:
    api = held

    results = race([decide(api, "reject"), decide(api, "approve")] * 5)

    won = {r.body["status"] for r in results if r.status == 200}
    assert len(won) == 1  # every 200 answers the same decision
    outcome = won.pop()
    loser = "approve" if outcome == "rejected" else "reject"
    statuses = Counter((r.status, r.code) for r in results)
    assert statuses == {(200, None): 5, (409, "review_decided"): 5}, (loser, statuses)
    credited = 150000 if outcome == "approved" else 0
    assert purchases_of(api) == [("o-big", credited)]
    me = api.member("m-1", "GET", "/v1/me").body
    assert (me["balance"], me["pending_review"]) == (100 + credited, 0)
    assert decisions_logged() == 1


def test_ten_concurrent_approvals_credit_once(held: Api) -> None:
    api = held

    results = race([decide(api, "approve")] * 10)

    assert Counter(r.status for r in results) == {200: 10}
    assert len({str(r.body) for r in results}) == 1  # the same body for each
    assert purchases_of(api) == [("o-big", 150000)]
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 150100
    assert decisions_logged() == 1


def test_concurrent_purchases_never_take_the_day_above_the_velocity(local_api: Api) -> None:
    api = local_api
    api.system("POST", "/v1/members", {"member_id": "m-1"})
    api.operator("PUT", "/v1/admin/rules", {"risk": {"daily_purchase_points": 500}})

    results = race([lambda i=i: purchase(api, "m-1", f"o-{i}", "200") for i in range(8)])

    assert Counter(r.status for r in results) == {201: 2, 202: 6}
    # the member stays bronze (100 + 400 < 1 000): each purchase is 200 points
    assert sum(points for _, points in purchases_of(api)) == 400
    pending = api.operator("GET", "/v1/admin/reviews?limit=100").body["items"]
    assert len(pending) == 6
    assert api.member("m-1", "GET", "/v1/me").body["pending_review"] == 1200
