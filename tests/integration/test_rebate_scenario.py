"""Issue 18's acceptance scenario, end to end through the HTTP handlers.

A December campaign (12-01..12-31, Shanghai time): spend ladder ≥1 000 → 2 %, ≥5 000 → 3 %,
≥10 000 → 5 %, referral 1 %, paid in points (1 point per 0.01). Member A buys 4 000 and
1 500 and gets 600 refunded: qualifying 4 900, rate 2 %, statement 98.00. Member C, whom B
referred, buys 3 000 and confirms receipt: B's referral rebate is 30.00. After the campaign
ends it is settled, the statements approved and paid: A is credited 9 800 points and B
3 000, both statements are ``paid``, and paying again changes nothing.

Run on moto and on DynamoDB Local (the local mode's database, through the same gateway the
local server uses); ``pytest -s`` prints the figures.
"""

from __future__ import annotations

import pytest

from tests.support import Api, at, purchase, rebate_body, register, register_member

BASE = "/v1/admin/rebates/xmas"


def rebate_credits(api: Api, member_id: str) -> list[int]:
    entries = api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]
    return [e["points"] for e in entries if e["source"] == "rebate"]


@pytest.mark.parametrize(
    "database", ["api", pytest.param("local_api", marks=pytest.mark.dynamodb_local)]
)
def test_december_rebates_settle_approve_and_pay_exactly_once(
    database: str, request: pytest.FixtureRequest
) -> None:
    api: Api = request.getfixturevalue(database)
    figures: list[str] = []
    at("2026-11-25", 9)
    assert api.operator("PUT", BASE, rebate_body(name="December rebate")).status == 201

    register_member(api, "m-a")
    register_member(api, "m-b")
    code = api.member("m-b", "GET", "/v1/me").body["referral_code"]
    assert register(api, "m-c", referral_code=code).status == 201

    at("2026-12-03")
    assert purchase(api, "m-a", "o-a1", "4000").status == 201
    at("2026-12-12", 15, 30)
    assert purchase(api, "m-a", "o-a2", "1500").status == 201
    assert purchase(api, "m-c", "o-c1", "3000").status == 201
    at("2026-12-20", 11)
    refund = {"refund_id": "r-a2", "order_id": "o-a2", "amount": "600"}
    assert api.system("POST", "/v1/refunds", refund).status == 201
    assert api.system("POST", "/v1/purchases/o-c1/receipt").status == 200

    progress = {
        i["campaign_id"]: i for i in api.member("m-a", "GET", "/v1/me/rebates").body["items"]
    }["xmas"]
    figures.append(
        f"A during the campaign: qualifying {progress['qualifying_amount']}, rate "
        f"{progress['rate']} %, next rung {progress['next_rung']}"
    )
    assert (progress["qualifying_amount"], progress["rate"]) == ("4900.00", "2")

    at("2027-01-01", 0)  # ends_at: settlement is allowed from here
    settled = api.operator("POST", f"{BASE}/settlements")
    assert settled.status == 200 and settled.body["complete"], settled.body
    figures.append(f"settlement: {settled.body}")
    again = api.operator("POST", f"{BASE}/settlements")
    assert (again.status, again.body) == (200, settled.body)  # settling twice = once

    drafts = api.operator("GET", f"{BASE}/statements?status=draft").body["items"]
    statements = {s["member_id"]: s for s in drafts}
    a, b, c = statements["m-a"], statements["m-b"], statements["m-c"]
    for name, s in (("A", a), ("B", b), ("C", c)):
        figures.append(
            f"statement {name}: qualifying {s['qualifying_amount']}, lines "
            + ", ".join(
                f"{x['rule']} {x['basis']} x {x['rate']} % = {x['amount']}" for x in s["lines"]
            )
            + f", total {s['total']}"
        )
    assert a["qualifying_amount"] == "4900.00"
    assert a["lines"] == [{"rule": "spend", "basis": "4900.00", "rate": "2", "amount": "98.00"}]
    assert a["total"] == "98.00"
    assert b["lines"] == [{"rule": "referral", "basis": "3000.00", "rate": "1", "amount": "30.00"}]
    assert b["total"] == "30.00"
    assert (c["qualifying_amount"], c["total"]) == ("3000.00", "60.00")  # C's own 2 %

    at("2027-01-05")
    for member_id in ("m-a", "m-b"):
        body = {"status": "approved", "reason": "checked against the order system"}
        res = api.operator("PATCH", f"{BASE}/statements/{member_id}", body)
        assert (res.status, res.body["status"]) == (200, "approved"), res.body
    balances = {m: api.member(m, "GET", "/v1/me").body["balance"] for m in ("m-a", "m-b")}
    paid = {m: api.operator("POST", f"{BASE}/statements/{m}/payout") for m in ("m-a", "m-b")}
    for res in paid.values():
        assert (res.status, res.body["status"]) == (200, "paid"), res.body
    assert rebate_credits(api, "m-a") == [9_800]
    assert rebate_credits(api, "m-b") == [3_000]
    after = {m: api.member(m, "GET", "/v1/me").body["balance"] for m in ("m-a", "m-b")}
    assert after == {"m-a": balances["m-a"] + 9_800, "m-b": balances["m-b"] + 3_000}
    gained = {m: after[m] - balances[m] for m in after}
    figures.append(f"paid: A +{gained['m-a']} points, B +{gained['m-b']} points")

    repeat = api.operator("POST", f"{BASE}/statements/m-a/payout")
    assert (repeat.status, repeat.body) == (200, paid["m-a"].body)
    assert rebate_credits(api, "m-a") == [9_800]
    assert api.member("m-a", "GET", "/v1/me").body["balance"] == after["m-a"]
    mine = api.member("m-a", "GET", "/v1/me/rebates/xmas/statement").body
    assert (mine["status"], mine["payable"], mine["points"]) == ("paid", "98.00", 9_800)
    figures.append(
        f"paying A again: {repeat.status}, same body, rebate credits {rebate_credits(api, 'm-a')}"
    )
    print("\n" + "\n".join(figures))
