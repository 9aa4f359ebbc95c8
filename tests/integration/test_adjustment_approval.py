"""Second approval of large operator adjustments (issue 21) through the handlers: below or
at the threshold an adjustment applies at once; above it, it waits (202) until another
operator approves (applied once, ledger + balance + audit together) or rejects it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import AuditLogItem
from tests.support import Api, Result, adjust, at, member_with_points, table_items

pytestmark = pytest.mark.usefixtures("frozen_clock")

SECOND = "op-2"  # api.operator() is op-1, who asks


@pytest.fixture
def member(api: Api) -> str:
    return member_with_points(api, "m-1", 1_000)


def decide(api: Api, adjustment_id: str, decision: str, *, by: str = SECOND, **kw: Any) -> Result:
    body = {"decision": decision, "reason": kw.get("reason", "checked with the store")}
    path = f"/v1/admin/adjustments/{adjustment_id}/approval"
    return api.call("POST", path, body, token=api.token(by, "operators"))


def balance(api: Api, member_id: str = "m-1") -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def adjust_entries(api: Api, member_id: str = "m-1") -> list[dict[str, Any]]:
    items = api.operator("GET", f"/v1/admin/members/{member_id}/ledger?limit=100").body["items"]
    return [e for e in items if e["type"] == "adjust"]


def log_of(target: str) -> list[AuditLogItem]:
    return list(AuditLogItem.by_target.query(keys.audit_target_pk(target)))


def queue(api: Api, status: str = "pending") -> list[dict[str, Any]]:
    return api.operator("GET", f"/v1/admin/adjustments?status={status}").body["items"]


@pytest.mark.parametrize("points", [100_000, -1_000, 99_999])
def test_an_adjustment_up_to_the_threshold_applies_at_once(
    api: Api, member: str, points: int
) -> None:
    res = adjust(api, member, {"points": points, "reason": "goodwill", "allow_debt": True})

    assert res.status == 201, res.body
    assert balance(api) == 1_000 + points
    assert queue(api) == []


@pytest.mark.parametrize("points", [100_001, -100_001])
def test_an_adjustment_above_the_threshold_waits_and_moves_nothing(
    api: Api, member: str, points: int
) -> None:
    res = adjust(api, member, {"points": points, "reason": "bulk correction"}, key="k-big")

    assert res.status == 202, res.body
    assert res.body["status"] == "pending_approval"
    assert res.body["approval_threshold"] == 100_000
    assert (res.body["points"], res.body["actor"]) == (points, "op-1")
    assert balance(api) == 1_000
    assert adjust_entries(api) == []
    [pending] = queue(api)
    assert pending["adjustment_id"] == res.body["adjustment_id"]
    assert (pending["status"], pending["points"], pending["requested_by"]) == (
        "pending",
        points,
        "op-1",
    )
    assert pending["entry_id"] is None
    [logged] = log_of(f"member:{member}")[-1:]
    assert (logged.action, logged.actor) == ("member.adjust", "op-1")


def test_a_retried_request_answers_the_same_202_and_queues_one(api: Api, member: str) -> None:
    body = {"points": 200_000, "reason": "bulk correction"}
    first = adjust(api, member, body, key="k-retry")
    rows = table_items()

    again = adjust(api, member, body, key="k-retry")

    assert (again.status, again.body) == (202, first.body)
    assert table_items() == rows  # nothing written again
    assert len(queue(api)) == 1
    reused = adjust(api, member, {**body, "points": 300_000}, key="k-retry")
    assert (reused.status, reused.code) == (409, "idempotency_key_reused")


def test_the_operator_who_asked_cannot_decide_it(api: Api, member: str) -> None:
    asked = adjust(api, member, {"points": 150_000, "reason": "bulk"}).body
    rows = table_items()

    for decision in ("approve", "reject"):
        res = decide(api, asked["adjustment_id"], decision, by="op-1")
        assert (res.status, res.code) == (403, "second_approver_required")
    assert table_items() == rows
    assert balance(api) == 1_000


def test_approval_applies_it_once_with_ledger_balance_and_audit(api: Api, member: str) -> None:
    asked = adjust(api, member, {"points": 150_000, "reason": "bulk correction"}).body
    adjustment_id = asked["adjustment_id"]

    approved = decide(api, adjustment_id, "approve", reason="signed off")
    again = decide(api, adjustment_id, "approve", by="op-3")  # the same decision: a repeat

    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved"
    assert (approved.body["decided_by"], approved.body["decision_reason"]) == (SECOND, "signed off")
    assert approved.body["entry_id"] == f"adjust:{adjustment_id}"
    assert (again.status, again.body) == (200, approved.body)
    assert balance(api) == 151_000
    [entry] = adjust_entries(api)
    assert (entry["entry_id"], entry["points"], entry["actor"]) == (
        f"adjust:{adjustment_id}",
        150_000,
        "op-1",
    )
    assert entry["description"]  # worded like a direct adjustment (its reason)
    [logged] = log_of(f"adjustment:{adjustment_id}")
    assert (logged.action, logged.actor, logged.reason) == (
        "adjustment.decide",
        SECOND,
        "signed off",
    )
    before, after = json.loads(logged.before), json.loads(logged.after)
    assert (before["status"], after["status"]) == ("pending", "approved")
    assert queue(api) == []
    assert [a["adjustment_id"] for a in queue(api, "approved")] == [adjustment_id]
    trail = api.operator("GET", f"/v1/admin/members/{member}").body["audit"]
    assert any(a["action"] == "adjust" and a.get("ref") == adjustment_id for a in trail)


def test_rejection_moves_no_points_and_the_other_decision_is_refused(api: Api, member: str) -> None:
    adjustment_id = adjust(api, member, {"points": -150_000, "reason": "fraud"}).body[
        "adjustment_id"
    ]

    rejected = decide(api, adjustment_id, "reject", reason="not proven")
    repeat = decide(api, adjustment_id, "reject")
    rows = table_items()
    refused = decide(api, adjustment_id, "approve")

    assert rejected.status == 200 and rejected.body["status"] == "rejected"
    assert rejected.body["entry_id"] is None
    assert (repeat.status, repeat.body) == (200, rejected.body)
    assert (refused.status, refused.code) == (409, "invalid_transition")
    assert refused.body["error"]["details"] == {"status": "rejected"}
    assert table_items() == rows
    assert balance(api) == 1_000
    assert adjust_entries(api) == []
    assert [a["adjustment_id"] for a in queue(api, "rejected")] == [adjustment_id]


def test_an_approved_debit_beyond_the_spendable_points_is_refused_and_stays_pending(
    api: Api, member: str
) -> None:
    adjustment_id = adjust(api, member, {"points": -150_000, "reason": "chargeback"}).body[
        "adjustment_id"
    ]
    rows = table_items()

    res = decide(api, adjustment_id, "approve")

    assert (res.status, res.code) == (409, "insufficient_points")
    assert table_items() == rows
    assert [a["status"] for a in queue(api)] == ["pending"]


def test_an_unknown_member_or_adjustment_is_404(api: Api, member: str) -> None:
    unknown = adjust(api, "m-nobody", {"points": 150_000, "reason": "bulk"})
    missing = decide(api, "adj-nope", "approve")

    assert (unknown.status, unknown.code) == (404, "member_not_found")
    assert (missing.status, missing.code) == (404, "adjustment_not_found")
    assert queue(api) == []


def test_the_threshold_is_a_rule_and_none_turns_it_off(api: Api, member: str) -> None:
    res = api.operator("PUT", "/v1/admin/rules", {"adjustment_approval_threshold": 10})
    assert res.status == 200, res.body
    assert api.operator("GET", "/v1/admin/rules").body["adjustment_approval_threshold"] == 10
    assert adjust(api, member, {"points": 11, "reason": "small"}).status == 202

    api.operator("PUT", "/v1/admin/rules", {"adjustment_approval_threshold": None})

    assert adjust(api, member, {"points": 500_000, "reason": "off"}).status == 201


def test_the_queue_pages_and_refuses_an_unknown_status(api: Api, member: str) -> None:
    ids = []
    for minute in (3, 1, 2):  # asked at 10:03, 10:01, 10:02: the queue is oldest first
        at("2027-01-10", 10, minute)
        ids.append(adjust(api, member, {"points": 100_001, "reason": "bulk"}).body["adjustment_id"])
    ids = [ids[1], ids[2], ids[0]]

    first = api.operator("GET", "/v1/admin/adjustments?limit=2").body
    rest = api.operator("GET", f"/v1/admin/adjustments?limit=2&cursor={first['next_cursor']}")
    bad = api.operator("GET", "/v1/admin/adjustments?status=maybe")

    assert [a["adjustment_id"] for a in first["items"] + rest.body["items"]] == ids
    assert rest.body["next_cursor"] is None
    assert (bad.status, bad.code) == (422, "validation_error")
