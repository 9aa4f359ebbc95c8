"""Rebate statements announce themselves from the table's stream: issued when settlement
writes the draft, paid when payout marks it paid — and nothing for accruals or reviews."""

from __future__ import annotations

from typing import Any

import pytest

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


@pytest.mark.parametrize(
    ("old", "new", "seq", "detail_type", "detail"),
    [
        pytest.param(
            ACCRUAL,
            DRAFT,
            "7",
            "RebateStatementIssued.v1",
            {
                "member_id": "m-a",
                "campaign_id": "xmas",
                "qualifying_amount": "4900.00",
                "total": "98.00",
                "capped": False,
                "settled_at": "2027-01-08T00:00:00Z",
                "lines": [{"rule": "spend", "basis": "4900.00", "rate": "2", "amount": "98.00"}],
            },
            id="settlement writing the draft issues the statement",
        ),
        pytest.param(
            APPROVED,
            PAID,
            "9",
            "RebatePaid.v1",
            {
                "member_id": "m-a",
                "campaign_id": "xmas",
                "payable": "90.00",
                "adjustment": "-8.00",
                "points": 9000,
                "paid_at": "2027-01-09T00:00:00Z",
            },
            id="paying announces what was paid",
        ),
    ],
)
def test_a_statement_change_announces_one_event(
    old: dict, new: dict, seq: str, detail_type: str, detail: dict[str, Any]
) -> None:
    (event,) = events.from_stream_record(record("MODIFY", old, new, seq=seq))
    assert event.detail_type == detail_type
    assert event.event_id == f"MEMBER#m-a|REBATE#xmas|{seq}"
    assert event.detail == detail


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
