"""Rebate statements announce themselves from the table's stream: issued when settlement
writes the draft, paid when payout marks it paid — and nothing for accruals or reviews."""

from __future__ import annotations

from typing import Any

from shared import events

KEY = {"pk": {"S": "MEMBER#m-a"}, "sk": {"S": "REBATE#xmas"}}
ACCRUAL = {
    **KEY,
    "campaign_id": {"S": "xmas"},
    "member_id": {"S": "m-a"},
    "qualifying": {"N": "490000"},
    "ver": {"N": "3"},
}
LINE = {
    "M": {
        "rule": {"S": "spend"},
        "basis": {"S": "4900.00"},
        "rate": {"S": "2"},
        "amount": {"S": "98.00"},
    }
}
DRAFT = {
    **ACCRUAL,
    "status": {"S": "draft"},
    "lines": {"L": [LINE]},
    "total": {"S": "98.00"},
    "capped": {"BOOL": False},
    "settled_at": {"S": "2027-01-08T00:00:00Z"},
}
APPROVED = {
    **DRAFT,
    "status": {"S": "approved"},
    "adjustment": {"S": "-8.00"},
    "payable": {"S": "90.00"},
}
PAID = {
    **APPROVED,
    "status": {"S": "paid"},
    "points": {"N": "9000"},
    "paid_at": {"S": "2027-01-09T00:00:00Z"},
}


def record(name: str, old: dict | None, new: dict, seq: str = "7") -> dict[str, Any]:
    data: dict[str, Any] = {"NewImage": new, "SequenceNumber": seq}
    if old is not None:
        data["OldImage"] = old
    return {"eventName": name, "dynamodb": data}


def test_settlement_writing_the_draft_issues_the_statement() -> None:
    (event,) = events.from_stream_record(record("MODIFY", ACCRUAL, DRAFT))
    assert event.detail_type == "RebateStatementIssued.v1"
    assert event.event_id == "MEMBER#m-a|REBATE#xmas|7"
    assert event.detail == {
        "member_id": "m-a",
        "campaign_id": "xmas",
        "qualifying_amount": "4900.00",
        "total": "98.00",
        "capped": False,
        "settled_at": "2027-01-08T00:00:00Z",
        "lines": [{"rule": "spend", "basis": "4900.00", "rate": "2", "amount": "98.00"}],
    }


def test_paying_announces_what_was_paid() -> None:
    (event,) = events.from_stream_record(record("MODIFY", APPROVED, PAID, seq="9"))
    assert event.detail_type == "RebatePaid.v1"
    assert event.event_id == "MEMBER#m-a|REBATE#xmas|9"
    assert event.detail == {
        "member_id": "m-a",
        "campaign_id": "xmas",
        "payable": "90.00",
        "adjustment": "-8.00",
        "points": 9000,
        "paid_at": "2027-01-09T00:00:00Z",
    }


def test_a_redelivered_record_gives_the_same_event_id() -> None:
    first = events.from_stream_record(record("MODIFY", APPROVED, PAID))
    again = events.from_stream_record(record("MODIFY", APPROVED, PAID))
    assert [e.event_id for e in first] == [e.event_id for e in again]


def test_accruals_reviews_and_rewrites_of_a_paid_statement_announce_nothing() -> None:
    more = {**ACCRUAL, "qualifying": {"N": "500000"}, "ver": {"N": "4"}}
    assert events.from_stream_record(record("INSERT", None, ACCRUAL)) == []
    assert events.from_stream_record(record("MODIFY", ACCRUAL, more)) == []
    assert events.from_stream_record(record("MODIFY", DRAFT, APPROVED)) == []
    assert events.from_stream_record(record("MODIFY", PAID, PAID)) == []
    assert events.from_stream_record(record("REMOVE", None, {})) == []
