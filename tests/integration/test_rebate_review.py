"""Operators review, pay and export rebate statements, through the handlers (moto).

A December campaign paid in points and its twin paid by bank transfer; members buy in
December, the campaign is settled in January, then statements are approved (with a signed
adjustment, audited) or rejected, paid exactly once, and exported for finance.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from tests.support import Api, at, purchase, rebate_body, register_member, table_items

BASE = "/v1/admin/rebates"
# member -> December purchases: qualifying 4 900 (2 % → 98.00), 12 000 (5 % → 600.00), 500
BUYS = {"m-a": ["4000", "900"], "m-b": ["12000"], "m-c": ["500"]}


def settled(api: Api, *campaigns: tuple[str, str]) -> None:
    """Campaigns (id, payout) with BUYS accrued in December, settled on 2 January."""
    at("2026-11-20")
    for campaign_id, payout in campaigns:
        res = api.operator("PUT", f"{BASE}/{campaign_id}", rebate_body(payout=payout))
        assert res.status == 201, res.body
    at("2026-12-05")
    for member_id, amounts in BUYS.items():
        register_member(api, member_id)
        for i, amount in enumerate(amounts):
            assert purchase(api, member_id, f"o-{member_id}-{i}", amount).status == 201
    at("2027-01-02")
    for campaign_id, _ in campaigns:
        res = api.operator("POST", f"{BASE}/{campaign_id}/settlements")
        assert res.status == 200 and res.body["complete"], res.body


@pytest.fixture
def xmas(api: Api) -> Api:
    settled(api, ("xmas", "points"), ("xmas-bank", "bank"))
    return api


def statement_path(campaign_id: str, member_id: str) -> str:
    return f"{BASE}/{campaign_id}/statements/{member_id}"


def review(api: Api, campaign_id: str, member_id: str, **body: Any) -> Any:
    body.setdefault("reason", "checked against the shop's orders")
    return api.operator("PATCH", statement_path(campaign_id, member_id), body)


def pay(api: Api, campaign_id: str, member_id: str) -> Any:
    return api.operator("POST", statement_path(campaign_id, member_id) + "/payout")


def listed(api: Api, campaign_id: str, status: str) -> dict[str, dict]:
    res = api.operator("GET", f"{BASE}/{campaign_id}/statements?status={status}")
    assert res.status == 200, res.body
    return {s["member_id"]: s for s in res.body["items"]}


def ledger(api: Api, member_id: str) -> list[dict]:
    return api.member(member_id, "GET", "/v1/me/ledger?limit=100").body["items"]


def rebate_entries(api: Api, member_id: str) -> list[dict]:
    return [e for e in ledger(api, member_id) if e["source"] == "rebate"]


def rebate_audit(member_id: str) -> list[dict]:
    """The member's audit items of rebate reviews (tier changes are audited there too)."""
    audit = items_under(member_id, "AUDIT#")
    return [i for i in audit if i["action"]["S"].startswith("rebate_")]


def items_under(member_id: str, prefix: str) -> list[dict]:
    return [
        i
        for i in table_items()
        if i["pk"]["S"] == f"MEMBER#{member_id}" and i["sk"]["S"].startswith(prefix)
    ]


def test_settled_statements_wait_as_drafts_for_review(xmas: Api) -> None:
    drafts = listed(xmas, "xmas", "draft")
    assert set(drafts) == {"m-a", "m-b", "m-c"}
    a = drafts["m-a"]
    assert (a["status"], a["qualifying_amount"], a["total"]) == ("draft", "4900.00", "98.00")
    assert a["lines"] == [{"rule": "spend", "basis": "4900.00", "rate": "2", "amount": "98.00"}]
    assert (a["adjustment"], a["payable"]) == (None, "98.00")
    assert drafts["m-c"]["lines"] == [] and drafts["m-c"]["total"] == "0.00"
    assert listed(xmas, "xmas", "approved") == {}


def test_approving_with_an_adjustment_is_audited_and_sets_the_payable(xmas: Api) -> None:
    res = review(xmas, "xmas", "m-a", status="approved", adjustment="-8.50", reason="returned mug")
    assert res.status == 200, res.body
    assert (res.body["status"], res.body["adjustment"], res.body["payable"]) == (
        "approved",
        "-8.50",
        "89.50",
    )
    assert (res.body["total"], res.body["reviewed_by"]) == ("98.00", "op-1")
    assert set(listed(xmas, "xmas", "approved")) == {"m-a"}
    assert "m-a" not in listed(xmas, "xmas", "draft")
    (audit,) = rebate_audit("m-a")
    assert audit["action"]["S"] == "rebate_approved"
    assert (audit["actor"]["S"], audit["reason"]["S"], audit["ref"]["S"]) == (
        "op-1",
        "returned mug",
        "xmas",
    )
    again = review(
        xmas, "xmas", "m-a", status="approved", adjustment="-8.50", reason="returned mug"
    )
    assert (again.status, again.body) == (200, res.body)  # a retry: same answer, no new audit
    assert len(rebate_audit("m-a")) == 1
    other = review(xmas, "xmas", "m-a", status="approved", adjustment="-1.00")
    assert (other.status, other.code) == (409, "invalid_transition")


def test_a_rejected_statement_pays_nothing_and_cannot_be_approved_or_paid(xmas: Api) -> None:
    res = review(xmas, "xmas", "m-b", status="rejected", reason="reseller, not a customer")
    assert res.status == 200, res.body
    assert (res.body["status"], res.body["payable"]) == ("rejected", "0.00")
    assert [i["action"]["S"] for i in rebate_audit("m-b")] == ["rebate_rejected"]
    before = table_items()
    assert review(xmas, "xmas", "m-b", status="approved").code == "invalid_transition"
    assert pay(xmas, "xmas", "m-b").code == "invalid_transition"
    assert table_items() == before


def test_paying_points_twice_credits_once_as_a_rebate_lot(xmas: Api) -> None:
    assert review(xmas, "xmas", "m-a", status="approved").status == 200
    balance = xmas.member("m-a", "GET", "/v1/me").body["balance"]
    first = pay(xmas, "xmas", "m-a")
    assert first.status == 200, first.body
    assert (first.body["status"], first.body["points"], first.body["payable"]) == (
        "paid",
        9_800,
        "98.00",
    )
    again = pay(xmas, "xmas", "m-a")
    assert (again.status, again.body) == (200, first.body)
    (entry,) = rebate_entries(xmas, "m-a")
    assert (entry["type"], entry["ref"], entry["points"]) == ("earn", "xmas", 9_800)
    assert xmas.member("m-a", "GET", "/v1/me").body["balance"] == balance + 9_800
    lots = [i for i in items_under("m-a", "LOT#") if i["source"]["S"] == "rebate"]
    assert [(lot["ref"]["S"], int(lot["points"]["N"])) for lot in lots] == [("xmas", 9_800)]
    assert set(listed(xmas, "xmas", "paid")) == {"m-a"}


def test_paying_a_bank_campaign_writes_a_payout_record_and_no_points(xmas: Api) -> None:
    assert review(xmas, "xmas-bank", "m-b", status="approved", adjustment="0.01").status == 200
    res = pay(xmas, "xmas-bank", "m-b")
    assert res.status == 200, res.body
    assert (res.body["status"], res.body["points"]) == ("paid", None)
    assert res.body["payout_ref"] == "rebate:xmas-bank:m-b"
    (record,) = items_under("m-b", "PAYOUT#rebate#")
    assert record["sk"]["S"] == "PAYOUT#rebate#xmas-bank"
    assert (record["amount"]["S"], record["status"]["S"]) == ("600.01", "pending")
    assert rebate_entries(xmas, "m-b") == []
    assert pay(xmas, "xmas-bank", "m-b").body == res.body
    assert len(items_under("m-b", "PAYOUT#rebate#")) == 1


def test_paying_a_draft_is_refused_and_changes_nothing(xmas: Api) -> None:
    before = table_items()
    res = pay(xmas, "xmas", "m-a")
    assert (res.status, res.code) == (409, "invalid_transition")
    assert table_items() == before
    assert listed(xmas, "xmas", "draft")["m-a"]["status"] == "draft"


def test_a_payable_of_zero_is_paid_without_a_ledger_entry(xmas: Api) -> None:
    assert review(xmas, "xmas", "m-c", status="approved").status == 200  # total 0.00
    res = pay(xmas, "xmas", "m-c")
    assert (res.status, res.body["status"], res.body["points"]) == (200, "paid", None)
    assert rebate_entries(xmas, "m-c") == []


def test_statements_paid_add_up_to_the_points_credited_and_the_bank_records(xmas: Api) -> None:
    for campaign_id in ("xmas", "xmas-bank"):
        review(xmas, campaign_id, "m-a", status="approved", adjustment="1.25")
        review(xmas, campaign_id, "m-b", status="approved")
        review(xmas, campaign_id, "m-c", status="rejected")
        for member_id in BUYS:
            pay(xmas, campaign_id, member_id)
    paid = {c: listed(xmas, c, "paid") for c in ("xmas", "xmas-bank")}
    assert set(paid["xmas"]) == set(paid["xmas-bank"]) == {"m-a", "m-b"}
    points = sum(e["points"] for m in BUYS for e in rebate_entries(xmas, m))
    records = [r for m in BUYS for r in items_under(m, "PAYOUT#rebate#")]
    assert Decimal(points) / 100 == sum(Decimal(s["payable"]) for s in paid["xmas"].values())
    assert sum(Decimal(r["amount"]["S"]) for r in records) == sum(
        Decimal(s["payable"]) for s in paid["xmas-bank"].values()
    )
    assert points == 9_925 + 60_000


def test_the_csv_for_finance_has_a_header_and_one_row_per_statement(xmas: Api) -> None:
    review(xmas, "xmas", "m-a", status="approved", adjustment="-8.50", reason="=cmd|' /C calc'!A0")
    pay(xmas, "xmas", "m-a")
    reply = xmas.gateway.handle(
        "GET", f"{BASE}/xmas/statements.csv", {"authorization": f"Bearer {operator(xmas)}"}, b""
    )
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.body)))
    assert reply.body.splitlines()[0].startswith("campaign_id,member_id,status,qualifying_amount")
    assert [r["member_id"] for r in rows] == ["m-a", "m-b", "m-c"]
    a = rows[0]
    assert (a["status"], a["qualifying_amount"], a["total"], a["adjustment"]) == (
        "paid",
        "4900.00",
        "98.00",
        "-8.50",
    )
    assert (a["payable"], a["payout"], a["points"]) == ("89.50", "points", "8950")
    assert a["reason"].startswith("'=")  # a spreadsheet shows the text, never runs it
    assert (rows[1]["status"], rows[1]["total"], rows[1]["payable"]) == (
        "draft",
        "600.00",
        "600.00",
    )


def operator(api: Api) -> str:
    return api.token("op-1", "operators")


A = f"{BASE}/xmas/statements/m-a"
INVALID = (422, "validation_error")


def approve(**body: Any) -> dict[str, Any]:
    return {"status": "approved", "reason": "x", **body}


BAD_REQUESTS: list[tuple[str, str, Any, tuple[int, str]]] = [
    ("GET", f"{BASE}/xmas/statements?status=paidd", None, INVALID),
    ("GET", f"{BASE}/xmas/statements?limit=0", None, INVALID),
    ("GET", f"{BASE}/xmas/statements?cursor=bm9wZQ", None, (400, "invalid_cursor")),
    ("GET", f"{BASE}/nope/statements", None, (404, "campaign_not_found")),
    ("GET", f"{BASE}/no%20pe/statements", None, (404, "campaign_not_found")),
    ("GET", f"{BASE}/nope/statements.csv", None, (404, "campaign_not_found")),
    ("PATCH", A, {"status": "approved"}, INVALID),  # no reason
    ("PATCH", A, approve(reason=" "), INVALID),
    ("PATCH", A, approve(status="paid"), INVALID),  # paying is its own route
    ("PATCH", A, approve(status="draft"), INVALID),
    ("PATCH", A, approve(adjustment=1.5), INVALID),  # a float
    ("PATCH", A, approve(adjustment="1.234"), INVALID),
    ("PATCH", A, approve(adjustment="-98.01"), INVALID),  # payable below zero
    ("PATCH", A, approve(status="rejected", adjustment="-1"), INVALID),
    ("PATCH", A, approve(points=5), INVALID),  # not a field of a review
    ("PATCH", A, [], (400, "bad_request")),
    ("PATCH", f"{BASE}/xmas/statements/m-zz", approve(), (404, "statement_not_found")),
    ("PATCH", f"{BASE}/nope/statements/m-a", approve(), (404, "campaign_not_found")),
    ("POST", f"{BASE}/xmas/statements/m-zz/payout", None, (404, "statement_not_found")),
    ("POST", f"{BASE}/xmas/statements/m%20a/payout", None, (404, "statement_not_found")),
    ("POST", f"{BASE}/nope/statements/m-a/payout", None, (404, "campaign_not_found")),
    ("POST", f"{A}/payout", None, (409, "invalid_transition")),  # still a draft
]


def test_bad_input_on_every_route_is_refused_and_changes_nothing(xmas: Api) -> None:
    before = table_items()
    for method, path, body, answer in BAD_REQUESTS:
        res = xmas.operator(method, path, body)
        assert (res.status, res.code) == answer, (method, path, body, res.body)
    assert xmas.member("m-a", "GET", f"{BASE}/xmas/statements").status == 403
    assert table_items() == before
