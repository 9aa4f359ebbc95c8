"""Operations of year-end rebates: members' progress and statements, operators' campaigns,
settlement, review, payout and exports."""

from __future__ import annotations

from shared.schemas.base import (
    BOOL,
    INT,
    STRING,
    Operation,
    enum,
    nullable,
    obj,
)
from shared.validation import Schema

AMOUNT: Schema = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}  # money, 2 places
RATE: Schema = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$"}  # percent
STATUSES = ("draft", "approved", "rejected", "paid")

LINE = obj({"rule": STRING, "basis": AMOUNT, "rate": RATE, "amount": AMOUNT})
STATEMENT = obj(
    {
        "campaign_id": STRING,
        "member_id": STRING,
        "status": enum(STATUSES),
        "qualifying_amount": AMOUNT,
        "lines": {"type": "array", "items": LINE},
        "total": AMOUNT,
        "capped": BOOL,
        "adjustment": nullable(AMOUNT),
        "payable": AMOUNT,
    },
    {
        "reason": nullable(STRING),
        "settled_at": STRING,
        "reviewed_at": nullable(STRING),
        "paid_at": nullable(STRING),
        "points": nullable(INT),
    },
)
NEXT_RUNG = obj({"min_amount": AMOUNT, "rate": RATE, "amount_to_go": AMOUNT})
PROGRESS = obj(
    {
        "campaign_id": STRING,
        "name": STRING,
        "qualifying_amount": AMOUNT,
        "rate": RATE,
        "next_rung": nullable(NEXT_RUNG),
        "accrued": AMOUNT,
        "status": enum(("running", "closing", *STATUSES)),
    },
    {"starts_at": STRING, "ends_at": STRING},
)

OPERATIONS: dict[str, Operation] = {
    # Members ----------------------------------------------------------------------------------
    "rebates.list_my_rebates": Operation(
        "The caller's rebate campaigns: rate reached, next rung and amount to go, accrued "
        "rebate, status (running, closing, then the statement's).",
        {200: obj({"items": {"type": "array", "items": PROGRESS}})},
    ),
    "rebates.get_my_rebate_statement": Operation(
        "The caller's rebate statement in a campaign (404 statement_not_found before "
        "settlement).",
        {200: STATEMENT},
        (404,),
    ),
}
