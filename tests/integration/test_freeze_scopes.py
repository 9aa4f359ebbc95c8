"""Freeze scopes: earning and redeeming are frozen separately (risk, SPEC §9d). A member
frozen for earning can still redeem, one frozen for redeeming can still earn."""

from __future__ import annotations

import pytest

from shared import clock
from shared.dynamodb import audit as audit_log
from tests.support import Api, member_with_points, purchase, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")

CUP = {"name": "Thermos cup", "kind": "coupon", "points": 10, "stock": 5}


@pytest.fixture
def member(api: Api) -> str:
    member_with_points(api, "m-1", 1_000)
    api.operator("PUT", "/v1/admin/catalog/cup", CUP)
    api.operator("PUT", "/v1/admin/tasks/t-1", {"name": "Survey", "points": 20, "limit": "once"})
    return "m-1"


def freeze(api: Api, scope: str | None, action: str = "freeze", member_id: str = "m-1"):
    body = {"reason": "under review"} | ({"scope": scope} if scope else {})
    return api.operator("POST", f"/v1/admin/members/{member_id}/{action}", body)


def redeem(api: Api, member_id: str = "m-1"):
    return api.member(member_id, "POST", "/v1/redemptions", {"item_id": "cup", "quantity": 1})


def balance(api: Api, member_id: str = "m-1") -> int:
    return api.member(member_id, "GET", "/v1/me").body["balance"]


def test_a_member_frozen_for_earning_earns_nothing_but_can_still_redeem(
    api: Api, member: str
) -> None:
    frozen = freeze(api, "earning")

    bought = purchase(api, member, "o-2", "99")
    checkin = api.member(member, "POST", "/v1/me/checkins")
    task = api.member(member, "POST", "/v1/me/tasks/t-1/completions")
    redeemed = redeem(api)

    assert frozen.body | {"at": None} == {
        "member_id": member,
        "status": "frozen",
        "frozen_scope": "earning",
        "changed": True,
        "reason": "under review",
        "actor": "op-1",
        "at": None,
    }
    assert (bought.status, bought.body["points"]) == (201, 0)
    assert (checkin.status, checkin.code) == (403, "member_frozen")
    assert (task.status, task.code) == (403, "member_frozen")
    assert redeemed.status == 201
    me = api.member(member, "GET", "/v1/me").body
    assert (me["balance"], me["status"], me["frozen_scope"]) == (990, "frozen", "earning")


def test_a_member_frozen_for_redeeming_cannot_spend_but_still_earns(api: Api, member: str) -> None:
    register_member(api, "m-2")
    freeze(api, "redeeming")

    redeemed = redeem(api)
    transfer = api.member(
        member,
        "POST",
        "/v1/me/transfers",
        {"to_member_id": "m-2", "points": 10},
        headers={"Idempotency-Key": "t-1"},
    )
    hold = api.system(
        "POST",
        "/v1/holds",
        {
            "hold_id": "h-1",
            "member_id": member,
            "order_id": "o-h",
            "order_amount": "100",
            "points": 100,
        },
    )
    bought = purchase(api, member, "o-2", "99")
    checkin = api.member(member, "POST", "/v1/me/checkins")

    assert (redeemed.status, redeemed.code) == (403, "member_frozen")
    assert (transfer.status, transfer.code) == (403, "member_frozen")
    assert (hold.status, hold.code) == (403, "member_frozen")
    assert (bought.status, bought.body["points"]) == (201, 99)
    assert checkin.status == 201
    assert balance(api) == 1_000 + 99 + 10


def test_scopes_add_up_and_unfreeze_one_at_a_time(api: Api, member: str) -> None:
    steps = [
        freeze(api, "earning"),
        freeze(api, "redeeming"),
        freeze(api, None),  # all: already all frozen
        freeze(api, "earning", "unfreeze"),
        freeze(api, "earning", "unfreeze"),  # nothing to unfreeze there
        freeze(api, None, "unfreeze"),
    ]

    assert [(s.body["frozen_scope"], s.body["changed"]) for s in steps] == [
        ("earning", True),
        ("all", True),
        ("all", False),
        ("redeeming", True),
        ("redeeming", False),
        (None, True),
    ]
    assert steps[-1].body["status"] == "active"
    trail = api.operator("GET", "/v1/admin/members/m-1").body["audit"]
    assert [a["action"] for a in trail] == ["unfreeze", "unfreeze", "freeze", "freeze"]
    entries, _ = audit_log.page(
        actor=None, target="member:m-1", start=None, end=clock.now(), limit=10, cursor=None
    )
    freezes = [e for e in entries if e.action in ("member.freeze", "member.unfreeze")]
    moves = {(e.before["frozen_scope"], e.after["frozen_scope"]) for e in freezes}
    # one entry per change (all at the test's pinned time), none for the two no-ops
    assert (len(freezes), moves) == (
        4,
        {(None, "earning"), ("earning", "all"), ("all", "redeeming"), ("redeeming", None)},
    )


def test_an_unknown_scope_is_refused_and_changes_nothing(api: Api, member: str) -> None:
    res = freeze(api, "spending")

    assert (res.status, res.code) == (422, "validation_error")
    assert api.member(member, "GET", "/v1/me").body["status"] == "active"
