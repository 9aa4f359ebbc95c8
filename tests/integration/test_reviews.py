"""The review queue through the handlers: purchases a risk rule holds back, the member's
pending points, operators' decisions (approve credits once, reject credits nothing)."""

from __future__ import annotations

import pytest

from shared.dynamodb import keys
from shared.dynamodb.models import AuditLogItem
from tests.support import Api, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def member(api: Api) -> str:
    return register_member(api)  # 100 welcome points


def me(api: Api, member_id: str = "m-1") -> dict:
    return api.member(member_id, "GET", "/v1/me").body


def decide(api: Api, review_id: str, decision: str, reason: str = "checked") -> object:
    body = {"decision": decision, "reason": reason}
    return api.operator("POST", f"/v1/admin/reviews/{review_id}", body)


def review_log(review_id: str) -> list[AuditLogItem]:
    target = keys.audit_target_pk(f"review:{review_id}")
    return list(AuditLogItem.by_target.query(target))


def test_a_purchase_above_the_single_purchase_limit_waits_for_review(api: Api, member: str) -> None:
    held = purchase(api, member, "o-big", "100000.01")
    again = purchase(api, member, "o-big", "100000.01")

    assert held.status == 202
    assert held.body == {
        "status": "pending_review",
        "review_id": "o-big",
        "order_id": "o-big",
        "member_id": member,
        "points": 100000,
    }
    assert (again.status, again.body) == (202, held.body)  # a retry: the same answer
    account = me(api)
    assert (account["balance"], account["pending_review"]) == (100, 100000)
    queue = api.operator("GET", "/v1/admin/reviews").body["items"]
    assert [(r["review_id"], r["status"], r["flags"]) for r in queue] == [
        ("o-big", "pending", ["single_purchase_limit"])
    ]


def test_approving_credits_the_purchase_once_and_twice_answers_the_same(
    api: Api, member: str
) -> None:
    purchase(api, member, "o-big", "150000")

    first = decide(api, "o-big", "approve", "known customer")
    second = decide(api, "o-big", "approve", "known customer")
    retried = purchase(api, member, "o-big", "150000")

    assert first.status == 200
    assert (first.body["status"], first.body["decided_by"]) == ("approved", "op-1")
    assert (second.status, second.body) == (200, first.body)
    assert (retried.status, retried.body["points"]) == (200, 150000)  # now recorded
    account = me(api)
    assert (account["balance"], account["pending_review"]) == (150100, 0)
    ledger = api.member(member, "GET", "/v1/me/ledger").body["items"]
    assert [(e["entry_id"], e["points"]) for e in ledger if e["source"] == "purchase"] == [
        ("purchase:o-big", 150000)
    ]
    entries = review_log("o-big")
    assert [(e.action, e.actor, e.reason) for e in entries] == [
        ("review.decide", "op-1", "known customer")
    ]
    assert api.operator("GET", "/v1/admin/reviews").body["items"] == []
    decided = api.operator("GET", "/v1/admin/reviews?status=approved").body["items"]
    assert [r["review_id"] for r in decided] == ["o-big"]


def test_rejecting_credits_nothing_and_the_other_decision_is_refused(api: Api, member: str) -> None:
    purchase(api, member, "o-big", "150000")

    rejected = decide(api, "o-big", "reject", "stolen card")
    approve = decide(api, "o-big", "approve", "changed my mind")
    retried = purchase(api, member, "o-big", "150000")

    assert (rejected.status, rejected.body["status"]) == (200, "rejected")
    assert (approve.status, approve.code) == (409, "review_decided")
    assert (retried.status, retried.body["points"]) == (200, 0)
    account = me(api)
    assert (account["balance"], account["pending_review"]) == (100, 0)
    assert len(review_log("o-big")) == 1  # the refused decision wrote nothing


def test_the_daily_velocity_holds_the_purchase_that_would_go_above_it(
    api: Api, member: str
) -> None:
    api.operator("PUT", "/v1/admin/rules", {"risk": {"daily_purchase_points": 1000}})

    first = purchase(api, member, "o-1", "600")
    second = purchase(api, member, "o-2", "400")
    third = purchase(api, member, "o-3", "1")
    other_member = register_member(api, "m-2")
    elsewhere = purchase(api, other_member, "o-4", "1000")

    assert [r.status for r in (first, second, third, elsewhere)] == [201, 201, 202, 201]
    review = api.operator("GET", "/v1/admin/reviews").body["items"][0]
    assert (review["order_id"], review["flags"]) == ("o-3", ["daily_purchase_points"])
    assert me(api)["balance"] == 1100


def test_the_velocity_counts_the_programme_day(api: Api, member: str) -> None:
    from tests.support import at

    api.operator("PUT", "/v1/admin/rules", {"risk": {"daily_purchase_points": 2000}})
    assert purchase(api, member, "o-1", "1000").status == 201  # 1000 points, now silver
    at("2027-01-11", 0, 5)  # the next programme day (Asia/Shanghai)
    # 1100 points (silver ×1.1): with the day before's 1000 that would be above 2000
    assert purchase(api, member, "o-2", "1000").status == 201


def test_risk_rules_can_be_switched_off(api: Api, member: str) -> None:
    rules = {"risk": {"single_purchase_limit": None, "daily_purchase_points": None}}
    api.operator("PUT", "/v1/admin/rules", rules)

    assert purchase(api, member, "o-huge", "999999999.99").status == 201


def test_deciding_an_unknown_review_or_a_bad_body_changes_nothing(api: Api, member: str) -> None:
    purchase(api, member, "o-big", "150000")

    unknown = decide(api, "o-none", "approve")
    bad = api.operator("POST", "/v1/admin/reviews/o-big", {"decision": "maybe", "reason": "x"})
    no_reason = api.operator("POST", "/v1/admin/reviews/o-big", {"decision": "approve"})
    bad_status = api.operator("GET", "/v1/admin/reviews?status=open")

    assert (unknown.status, unknown.code) == (404, "review_not_found")
    assert [r.status for r in (bad, no_reason, bad_status)] == [422, 422, 422]
    assert me(api)["pending_review"] == 150000
    assert review_log("o-big") == []


def test_only_operators_see_and_decide_reviews(api: Api, member: str) -> None:
    purchase(api, member, "o-big", "150000")

    assert api.member(member, "GET", "/v1/admin/reviews").status == 403
    assert api.system("POST", "/v1/admin/reviews/o-big", {"decision": "approve"}).status == 403


def test_a_second_purchase_the_same_day_costs_a_second_round_trip_only_with_a_velocity(
    api: Api, member: str, dynamodb_calls
) -> None:
    """The day's purchase points live on the profile: the first attempt assumes the member's
    first purchase of the day (no read); a later one learns the day's total from the
    cancelled attempt and is written again. Without a velocity nothing is counted."""
    purchase(api, member, "o-1", "10")
    dynamodb_calls.clear()
    purchase(api, member, "o-2", "10")
    assert dynamodb_calls == {"TransactWriteItems": 2}

    api.operator("PUT", "/v1/admin/rules", {"risk": {"daily_purchase_points": None}})
    purchase(api, member, "o-3", "10")  # loads the changed rules
    dynamodb_calls.clear()
    purchase(api, member, "o-4", "10")
    assert dynamodb_calls == {"TransactWriteItems": 1}


def test_a_held_purchase_holds_the_points_the_members_tier_gives(api: Api) -> None:
    """The first attempt assumes the first tier; the hold's condition pins it, so a gold
    member's purchase is held with the gold multiplier's points."""
    register_member(api, "m-g")
    assert purchase(api, "m-g", "o-1", "5000").status == 201  # 5 100 qualifying: gold

    held = purchase(api, "m-g", "o-big", "100000.01")

    assert (held.status, held.body["points"]) == (202, 125000)  # 100 000 × 1.25


def test_a_member_frozen_for_earning_is_not_held_but_recorded_with_nothing(
    api: Api, member: str
) -> None:
    api.operator("POST", "/v1/admin/members/m-1/freeze", {"reason": "x", "scope": "earning"})

    res = purchase(api, member, "o-big", "150000")

    assert (res.status, res.body["points"]) == (201, 0)
    assert api.operator("GET", "/v1/admin/reviews").body["items"] == []
