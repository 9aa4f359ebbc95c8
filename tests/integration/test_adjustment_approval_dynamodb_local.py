"""Racing decisions on one large adjustment, on DynamoDB Local (real conditional
transactions under threads): the points move once whoever approves, and never after a
rejection won."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import AuditLogItem
from tests.support import Api, adjust

pytestmark = [pytest.mark.dynamodb_local, pytest.mark.usefixtures("frozen_clock")]


def race(calls: list) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def decide(api: Api, adjustment_id: str, decision: str, operator: str):
    body = {"decision": decision, "reason": f"{decision} in a race"}
    path = f"/v1/admin/adjustments/{adjustment_id}/approval"
    return lambda: api.call("POST", path, body, token=api.token(operator, "operators"))


def asked(api: Api) -> str:
    api.system("POST", "/v1/members", {"member_id": "m-1"})  # 100 welcome points
    res = adjust(api, "m-1", {"points": 250_000, "reason": "migration"})
    assert res.status == 202, res.body
    return res.body["adjustment_id"]


def adjust_entries(api: Api) -> list[int]:
    ledger = api.member("m-1", "GET", "/v1/me/ledger?limit=100").body["items"]
    return [e["points"] for e in ledger if e["type"] == "adjust"]


def decisions_logged(adjustment_id: str) -> int:
    target = keys.audit_target_pk(f"adjustment:{adjustment_id}")
    return len(list(AuditLogItem.by_target.query(target)))


def test_concurrent_approvals_by_different_operators_apply_it_once(local_api: Api) -> None:
    api = local_api
    adjustment_id = asked(api)

    results = race([decide(api, adjustment_id, "approve", f"op-{i}") for i in range(2, 12)])

    assert Counter(r.status for r in results) == {200: 10}, [r.body for r in results]
    assert len({str(r.body) for r in results}) == 1  # the winner's decision, for each
    assert adjust_entries(api) == [250_000]
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 250_100
    assert decisions_logged(adjustment_id) == 1


def test_an_approval_and_a_rejection_racing_have_one_outcome(local_api: Api) -> None:
    api = local_api
    adjustment_id = asked(api)
    calls = [decide(api, adjustment_id, "approve", f"op-a{i}") for i in range(4)]
    calls += [decide(api, adjustment_id, "reject", f"op-r{i}") for i in range(4)]

    results = race(calls)

    won = {r.body["status"] for r in results if r.status == 200}
    assert len(won) == 1
    assert Counter((r.status, r.code) for r in results) == {
        (200, None): 4,
        (409, "invalid_transition"): 4,
    }
    moved = [250_000] if won == {"approved"} else []
    assert adjust_entries(api) == moved
    assert api.member("m-1", "GET", "/v1/me").body["balance"] == 100 + sum(moved)
    assert decisions_logged(adjustment_id) == 1
