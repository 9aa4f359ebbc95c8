"""The audit log of the mall's, the lottery's and the rebates' operator writes, through the
handlers (moto): each successful change leaves exactly one entry naming the operator, the
action, the target, what it was and what it became; a refused request or a replay that
changes nothing leaves none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.domain.audit import AuditEntry
from shared.dynamodb import audit
from tests.integration.test_mall import item as mall_item
from tests.integration.test_mall import pickup_order, redeem
from tests.integration.test_rebate_review import BASE, pay, review, settled
from tests.support import (
    Api,
    Result,
    at,
    lottery_body,
    lottery_prize,
    member_with_points,
    points_prize,
    purchase,
    rebate_body,
    register_member,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")  # each test pins its days; released after

END = datetime(2100, 1, 1, tzinfo=UTC)


def logged(target: str) -> list[AuditEntry]:
    """The target's entries, oldest first."""
    entries, _ = audit.page(actor=None, target=target, start=None, end=END, limit=100, cursor=None)
    return entries[::-1]


def only(target: str, action: str) -> AuditEntry:
    (entry,) = logged(target)
    assert (entry.action, entry.actor, entry.target) == (action, "op-1", target)
    return entry


def created_then_replaced(target: str, action: str, created: Result, replaced: Result) -> None:
    """A PUT that created the target then one that replaced it: two entries, each with the
    target as the API showed it before (nothing, then the first answer) and after."""
    assert (created.status, replaced.status) == (201, 200), (created.body, replaced.body)
    first, second = logged(target)
    assert (first.action, first.actor, first.before, first.after) == (
        action,
        "op-1",
        None,
        created.body,
    )
    assert (second.action, second.before, second.after) == (action, created.body, replaced.body)


# Rebates -----------------------------------------------------------------------------------


def test_a_rebate_campaign_put_logs_what_it_was_and_what_it_became(api: Api) -> None:
    at("2026-11-20")
    created = api.operator("PUT", f"{BASE}/ye", rebate_body())
    replaced = api.operator("PUT", f"{BASE}/ye", rebate_body(name="Year-end rebate 2026"))

    created_then_replaced("rebate:ye", "rebate.put", created, replaced)
    assert created.body["name"] != replaced.body["name"]


def test_a_refused_rebate_campaign_put_logs_nothing(api: Api) -> None:
    at("2026-11-20")
    assert api.operator("PUT", f"{BASE}/ye", rebate_body()).status == 201
    at("2026-12-05")
    register_member(api, "m-1")
    assert purchase(api, "m-1", "o-1", "2000").status == 201  # accrued: the terms are fixed

    started = api.operator("PUT", f"{BASE}/ye", rebate_body(referral_rate="2"))
    bad = api.operator("PUT", f"{BASE}/ye", rebate_body(payout="gold"))

    assert (started.status, started.code) == (409, "campaign_started")
    assert bad.status == 422
    assert [e.action for e in logged("rebate:ye")] == ["rebate.put"]


def test_settling_logs_the_completed_settlement_once(api: Api) -> None:
    at("2026-11-20")
    assert api.operator("PUT", f"{BASE}/ye", rebate_body()).status == 201
    early = api.operator("POST", f"{BASE}/ye/settlements")
    settled(api, ("xmas", "points"))  # buys in December, settles on 2 January
    again = api.operator("POST", f"{BASE}/xmas/settlements")

    assert early.status == 409 and [e.action for e in logged("rebate:ye")] == ["rebate.put"]
    assert again.status == 200
    _, entry = logged("rebate:xmas")  # the put, then the settlement
    assert (entry.action, entry.actor, entry.before) == ("rebate.settle", "op-1", None)
    assert entry.after == again.body == {"complete": True, "statements": 3, "total": "698.00"}


@pytest.fixture
def xmas(api: Api) -> Api:
    settled(api, ("xmas", "points"))
    return api


def test_a_review_logs_the_decision_with_its_reason_and_a_repeat_logs_nothing(
    xmas: Api,
) -> None:
    decision: dict[str, Any] = {"status": "approved", "adjustment": "-8.50"}
    res = review(xmas, "xmas", "m-a", **decision, reason="returned mug")
    again = review(xmas, "xmas", "m-a", **decision, reason="returned mug")
    refused = review(xmas, "xmas", "m-a", status="rejected", reason="changed my mind")

    assert (res.status, again.status, refused.status) == (200, 200, 409)
    entry = only("rebate:xmas/m-a", "rebate.review")
    assert entry.reason == "returned mug"
    assert entry.before == {
        "status": "draft",
        "adjustment": None,
        "payable": "98.00",
        "reason": None,
    }
    assert entry.after == {
        "status": "approved",
        "adjustment": "-8.50",
        "payable": "89.50",
        "reason": "returned mug",
    }
    assert {k: res.body[k] for k in entry.after} == entry.after


def test_a_payout_logs_once_and_paying_a_draft_logs_nothing(xmas: Api) -> None:
    draft = pay(xmas, "xmas", "m-b")
    assert review(xmas, "xmas", "m-a", status="approved").status == 200

    first = pay(xmas, "xmas", "m-a")
    again = pay(xmas, "xmas", "m-a")

    assert (draft.status, first.status, again.status) == (409, 200, 200)
    assert logged("rebate:xmas/m-b") == []
    _, entry = logged("rebate:xmas/m-a")  # the review, then the payout
    assert entry.action == "rebate.pay"
    assert entry.before == {
        "status": "approved",
        "payable": "98.00",
        "points": None,
        "payout_ref": None,
    }
    assert entry.after == {k: first.body[k] for k in entry.after}
    assert entry.after["status"] == "paid" and entry.after["points"] > 0


# Lottery -----------------------------------------------------------------------------------


def test_a_lottery_put_logs_the_campaign_before_and_after(api: Api) -> None:
    at("2026-12-20")
    path = "/v1/admin/lotteries/spring"
    limited = points_prize("p-5", points=5, stock=3)
    created = api.operator("PUT", path, lottery_body(prizes=[points_prize(), limited]))
    at("2026-12-21")
    replaced = api.operator("PUT", path, lottery_body(name="Spring draw II", daily_limit=5))

    created_then_replaced("lottery:spring", "lottery.put", created, replaced)


def test_a_refused_lottery_put_logs_nothing(api: Api) -> None:
    at("2026-12-20")
    path = "/v1/admin/lotteries/spring"
    no_item = lottery_prize("g-1", "Mug", "gift", item_id="nope")

    bad = api.operator("PUT", path, lottery_body(prizes=[no_item]))
    backwards = api.operator("PUT", path, lottery_body(ends_at="2026-12-01T00:00:00+08:00"))

    assert (bad.status, backwards.status) == (422, 422)
    assert logged("lottery:spring") == []


# Mall: the catalog -------------------------------------------------------------------------

CUP = "/v1/admin/catalog/cup"


def test_a_catalog_put_logs_the_item_before_and_after(api: Api) -> None:
    at("2027-01-10")
    created = api.operator("PUT", CUP, {"name": "Cup", "kind": "gift", "points": 900, "stock": 5})
    at("2027-01-11")
    body = {"name": "Cup", "kind": "gift", "points": 1200, "stock": 8, "cash": "9.90"}
    replaced = api.operator("PUT", CUP, body)

    created_then_replaced("catalog:cup", "catalog.put", created, replaced)


@pytest.mark.parametrize("kind", ["donation", "coupon", "cash_out"])
def test_the_logged_item_is_the_one_the_api_shows_whatever_its_kind(api: Api, kind: str) -> None:
    at("2027-01-10")
    body = {"name": "Give", "kind": kind, "points": 100}
    views = [api.operator("PUT", CUP, body).body, api.operator("PUT", CUP, body).body]

    assert [e.after for e in logged("catalog:cup")] == views


def test_a_catalog_patch_logs_the_item_before_and_after(api: Api) -> None:
    at("2027-01-10")
    created = api.operator("PUT", CUP, {"name": "Cup", "kind": "gift", "points": 900, "stock": 5})
    at("2027-01-11")

    patched = api.operator("PATCH", CUP, {"stock_delta": -2, "points": 800, "retired": True})

    assert patched.status == 200, patched.body
    _, entry = logged("catalog:cup")
    assert (entry.action, entry.before, entry.after) == (
        "catalog.patch",
        created.body,
        patched.body,
    )
    assert (entry.after["stock"], entry.after["points"], entry.after["retired"]) == (3, 800, True)


def test_a_refused_catalog_write_logs_nothing(api: Api) -> None:
    at("2027-01-10")
    bad_put = api.operator("PUT", CUP, {"name": "Cup", "kind": "gift", "points": -1})
    missing = api.operator("PATCH", CUP, {"stock_delta": 1})
    mall_item(api, "cup", stock=1)
    mall_item(api, "pen")  # unlimited stock
    too_few = api.operator("PATCH", CUP, {"stock_delta": -2})
    no_stock = api.operator("PATCH", "/v1/admin/catalog/pen", {"stock_delta": -1})

    assert (bad_put.status, missing.status, too_few.status, no_stock.status) == (422, 404, 409, 422)
    assert [e.action for e in logged("catalog:cup")] == ["catalog.put"]
    assert [e.action for e in logged("catalog:pen")] == ["catalog.put"]


# Mall: orders ------------------------------------------------------------------------------


def placed_order(api: Api) -> str:
    """m-1 (10 000 points) redeemed a cup to be shipped: the order's id."""
    at("2027-01-10")
    member_with_points(api, points=10_000)
    mall_item(api, "cup", stock=5)
    return redeem(api, "m-1", "cup").body["order_id"]


def test_order_moves_log_the_fields_they_change_and_a_repeat_logs_nothing(api: Api) -> None:
    order_id = placed_order(api)
    path = f"/v1/admin/orders/{order_id}"
    ship = {"status": "shipped", "carrier": "SF", "tracking_no": "SF123"}

    assert api.operator("PATCH", path, {"status": "approved"}).status == 200
    assert api.operator("PATCH", path, {"status": "approved"}).status == 200  # as it is
    assert api.operator("PATCH", path, ship).status == 200
    assert api.operator("PATCH", path, {"status": "placed"}).status == 422
    assert api.operator("PATCH", path, {"status": "rejected"}).status == 409

    approved, shipped = logged(f"order:{order_id}")
    assert (approved.action, approved.actor) == ("order.move", "op-1")
    assert (approved.before, approved.after) == ({"status": "placed"}, {"status": "approved"})
    assert shipped.before == {"status": "approved", "carrier": None, "tracking_no": None}
    assert shipped.after == ship


def test_a_rejection_logs_with_its_reason_in_the_give_back_transaction(api: Api) -> None:
    order_id = placed_order(api)
    path = f"/v1/admin/orders/{order_id}"

    rejected = api.operator("PATCH", path, {"status": "rejected", "reason": "bad address"})
    again = api.operator("PATCH", path, {"status": "rejected"})

    assert rejected.status == again.status == 200
    entry = only(f"order:{order_id}", "order.move")
    assert (entry.reason, entry.after) == (
        "bad address",
        {"status": "rejected", "reason": "bad address"},
    )
    assert entry.before == {"status": "placed", "reason": None}


def test_a_pickup_logs_the_hand_over_only(api: Api) -> None:
    at("2027-01-10")
    order_id, code, wrong = pickup_order(api)
    path = f"/v1/admin/orders/{order_id}/pickup"

    miss = api.operator("POST", path, {"pickup_code": wrong})
    hit = api.operator("POST", path, {"pickup_code": code})
    repeat = api.operator("POST", path, {"pickup_code": code})

    assert (miss.status, hit.status, repeat.status) == (409, 200, 200)
    entry = only(f"order:{order_id}", "order.pickup")
    assert entry.after == {"status": "picked_up"}
    assert entry.before["status"] != "picked_up"
    assert code not in str(entry.to_json())  # the one-time code stays out of the log
