"""Business events match the ledger one-to-one; reports equal what the ledger says.

Runs on DynamoDB Local: events come from the table's stream, exactly as in AWS.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support import Api, adjust, at, lottery_body

pytestmark = pytest.mark.dynamodb_local
MEMBERS = ("m-e1", "m-e2", "m-e3")


def ledger(api: Api, member: str) -> list[dict]:
    items, cursor = [], None
    while True:
        page = api.member(
            member, "GET", "/v1/me/ledger?limit=100" + (f"&cursor={cursor}" if cursor else "")
        ).body
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def scenario(api: Api) -> None:
    """Registrations, purchases (one retried), a refund (retried), check-ins, redemptions, a
    cancel, a transfer (retried with its key), an adjustment, a lottery draw (retried with
    its key), an expiry run."""
    at("2027-01-10")
    api.operator(
        "PUT",
        "/v1/admin/catalog/cup",
        {
            "name": "Thermos cup",
            "kind": "gift",
            "points": 120,
            "stock": 5,
            "per_member_limit": None,
        },
    )
    api.operator(
        "PUT", "/v1/admin/catalog/c-10", {"name": "10 off", "kind": "coupon", "points": 50}
    )
    for member in MEMBERS:
        assert api.system("POST", "/v1/members", {"member_id": member}).status == 201
    for _ in range(2):  # a retried purchase and refund
        api.system(
            "POST", "/v1/purchases", {"order_id": "o-1", "member_id": "m-e1", "amount": "300"}
        )
        api.system("POST", "/v1/refunds", {"refund_id": "r-1", "order_id": "o-1", "amount": "100"})
    api.system("POST", "/v1/purchases", {"order_id": "o-2", "member_id": "m-e2", "amount": "88.80"})
    for member in MEMBERS:
        assert api.member(member, "POST", "/v1/me/checkins").status == 201
    delivery = {"method": "ship", "name": "A", "phone": "13800000000", "address": "X road 1"}
    gift = api.member(
        "m-e1", "POST", "/v1/redemptions", {"item_id": "cup", "quantity": 1, "delivery": delivery}
    )
    assert gift.status == 201, gift.body
    coupon = api.member("m-e2", "POST", "/v1/redemptions", {"item_id": "c-10", "quantity": 1})
    assert coupon.status == 201, coupon.body
    cancel = api.member("m-e1", "POST", f"/v1/me/orders/{gift.body['order_id']}/cancel")
    assert cancel.status == 200, cancel.body
    for _ in range(2):
        api.member(
            "m-e3",
            "POST",
            "/v1/me/transfers",
            {"to_member_id": "m-e2", "points": 30},
            headers={"Idempotency-Key": "gift-for-e2"},
        )
    adjust(api, "m-e3", {"points": 25, "reason": "service recovery"})
    spring = lottery_body()  # "Spring draw": 50 points a draw, a 10-points prize
    assert api.operator("PUT", "/v1/admin/lotteries/spring", spring).status in (200, 201)
    for _ in range(2):  # a draw, retried with its Idempotency-Key
        drawn = api.member(
            "m-e1", "POST", "/v1/lotteries/spring/draws", headers={"Idempotency-Key": "draw-1"}
        )
        assert drawn.status == 201, drawn.body
    at("2027-07-12", hour=3)
    assert api.operator("POST", "/v1/admin/jobs/expire/runs").status == 200


def test_events_correspond_one_to_one_with_ledger_entries_and_order_changes(
    local_api: Api, bus
) -> None:
    api = local_api
    bus.clear()
    scenario(api)
    events = bus.drain()
    bus.drain()  # draining again must not repeat anything

    ids = [e["detail"]["event_id"] for e in events]
    assert len(ids) == len(set(ids)), "an event was published twice"
    entries = {(m, e["entry_id"]) for m in MEMBERS for e in ledger(api, m)}
    from_events = {
        (e["detail"]["member_id"], e["detail"]["entry_id"])
        for e in events
        if "entry_id" in e["detail"]
    }
    assert from_events == entries
    kinds = Counter(e["detail-type"] for e in events)
    assert kinds["MemberRegistered.v1"] == 3
    assert kinds["OrderPlaced.v1"] == 2
    assert kinds["OrderStatusChanged.v1"] == 1  # the cancel
    assert kinds["CouponIssued.v1"] == 1
    assert kinds["PointsExpired.v1"] == 3
    assert kinds["LotteryCostCharged.v1"] == 1


def test_report_totals_equal_the_sums_recomputed_from_the_ledger(local_api: Api, bus) -> None:
    api = local_api
    scenario(api)
    bus.drain()  # the bus's subscriber counts every event into the daily aggregates
    bus.drain()

    report = api.operator("GET", "/v1/admin/reports/summary?from=2027-01-01&to=2027-07-31")
    assert report.status == 200, report.body
    r = report.body
    entries = [e for m in MEMBERS for e in ledger(api, m)]

    def total(*types: str) -> int:
        return sum(e["points"] for e in entries if e["type"] in types)

    balances = sum(api.member(m, "GET", "/v1/me").body["balance"] for m in MEMBERS)
    assert r["issued"] == total("earn", "lottery_prize", "adjust")
    assert r["redeemed"] == -total("redeem", "lottery_cost", "checkout", "refund")
    assert r["expired"] == -total("expire")
    assert r["clawed_back"] == -total("clawback")
    assert r["outstanding"] == balances
    assert r["issued"] - r["redeemed"] - r["expired"] - r["clawed_back"] == balances
    assert r["members"] == 3
    assert r["active_members"] == 3
    assert r["top_items"] == [{"item_id": "c-10", "quantity": 1}]  # the cup was cancelled
    assert sum(d["issued"] for d in r["by_day"]) == r["issued"]


def test_report_input_is_checked(local_api: Api) -> None:
    api = local_api
    for query in (
        "from=2027-02-01&to=2027-01-01",
        "from=2025-01-01&to=2027-01-01",
        "from=yesterday",
    ):
        res = api.operator("GET", f"/v1/admin/reports/summary?{query}")
        assert res.status == 422, (query, res.body)
    assert api.member("m-x", "GET", "/v1/admin/reports/summary").status == 403
