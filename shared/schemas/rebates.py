"""Operations of year-end rebates: members' progress and statements, operators' campaigns,
settlement, review, payout and exports."""

from __future__ import annotations

from shared.domain.rebates import PAYOUTS
from shared.requests.rebates import PUT_REBATE_CAMPAIGN, REVIEW_STATEMENT
from shared.schemas.base import (
    BOOL,
    INT,
    LIST_QUERY,
    MONEY,
    STRING,
    Operation,
    enum,
    nullable,
    obj,
    page,
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
ADMIN_STATEMENT = {
    **STATEMENT,
    "properties": {
        **STATEMENT["properties"],
        "reviewed_by": nullable(STRING),  # the operator who approved or rejected it
        "payout_ref": nullable(STRING),  # a bank payout record's reference for finance
    },
}
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

DEFINED_AMOUNT: Schema = {"type": "string", "pattern": MONEY}  # as the operator gave it
CAMPAIGN = obj(
    {
        "campaign_id": STRING,
        "name": STRING,
        "starts_at": STRING,
        "ends_at": STRING,
        "closes_at": STRING,
        "payout": enum(PAYOUTS),
        "spend_ladder": {
            "type": "array",
            "items": obj({"min_amount": DEFINED_AMOUNT, "rate": RATE}),
        },
        "quantity_ladder": {
            "type": "array",
            "items": obj({"min_quantity": INT, "rate": RATE}),
        },
        "quantity_skus": {"type": "array", "items": STRING},
        "bundles": {
            "type": "array",
            "items": obj(
                {
                    "bundle_id": STRING,
                    "skus": {"type": "array", "items": STRING},
                    "extra_rate": RATE,
                }
            ),
        },
        "referral_rate": nullable(RATE),
        "cap": nullable(DEFINED_AMOUNT),
        "return_days": INT,
        "eligible_tiers": nullable({"type": "array", "items": STRING}),
        "points_per_unit": INT,
    },
    {"created_at": nullable(STRING), "updated_at": nullable(STRING)},
)
CAMPAIGN_WITH_TOTALS = {
    **CAMPAIGN,
    "properties": {
        **CAMPAIGN["properties"],
        "participants": INT,
        "qualifying_amount": AMOUNT,
        "accrued": AMOUNT,
        "approved": AMOUNT,
        "paid": AMOUNT,
        "rebate_rate": nullable(RATE),
    },
    "required": [
        *CAMPAIGN["required"],
        "participants",
        "qualifying_amount",
        "accrued",
        "approved",
        "paid",
        "rebate_rate",
    ],
}
RECEIPT = obj(
    {
        "order_id": STRING,
        "receipt_at": STRING,
        "referral": {
            "type": "array",
            "items": obj({"campaign_id": STRING, "referrer": STRING, "amount": AMOUNT}),
        },
    }
)
CAMPAIGN_EXAMPLE = {
    "name": "Year-end rebate",
    "starts_at": "2026-12-01T00:00:00+08:00",
    "ends_at": "2027-01-01T00:00:00+08:00",
    "payout": "points",
    "spend_ladder": [
        {"min_amount": "1000", "rate": "2"},
        {"min_amount": "5000", "rate": "3"},
        {"min_amount": "10000", "rate": "5"},
    ],
    "quantity_ladder": [{"min_quantity": 10, "rate": "1"}],
    "quantity_skus": ["tea-500g"],
    "bundles": [{"bundle_id": "tea-set", "skus": ["tea-500g", "cup"], "extra_rate": "0.5"}],
    "referral_rate": "1",
    "cap": "2000",
}

OPERATIONS: dict[str, Operation] = {
    # Operators: campaign definitions ---------------------------------------------------------
    "rebates_admin.put_campaign": Operation(
        "Create (201) or replace (200) a rebate campaign. Rungs strictly increasing, rates "
        "0-100 with at most 2 decimals, ends_at after starts_at; once it has started and a "
        "purchase has accrued, its window and ladders cannot change (409 campaign_started).",
        {201: CAMPAIGN, 200: CAMPAIGN},
        (400, 409, 413, 422),
        request=PUT_REBATE_CAMPAIGN.schema(),
        example=CAMPAIGN_EXAMPLE,
    ),
    "rebates_admin.get_campaign": Operation(
        "A rebate campaign as defined, with its live totals from its participants: "
        "qualifying amount, accrued (what they stand to receive now), approved and paid "
        "amounts, rebate rate over spend (percent, null without spend).",
        {200: CAMPAIGN_WITH_TOTALS},
        (404,),
    ),
    "rebates_admin.settle_campaign": Operation(
        "Settle an ended campaign: one draft statement per participant, written once. "
        "Again: the same answer, nothing written. complete false: the time ran out; call "
        "again to resume. 409 campaign_not_ended before ends_at.",
        {200: obj({"complete": BOOL, "statements": INT, "total": AMOUNT})},
        (404, 409, 503),
    ),
    "rebates_admin.list_campaigns": Operation(
        "Every rebate campaign, latest start first.",
        {200: obj({"items": {"type": "array", "items": CAMPAIGN}})},
    ),
    # Operators: review, payout, export of statements ----------------------------------------
    "rebates_admin.list_statements": Operation(
        "A page of the campaign's statements in one status (default draft: the review "
        "queue), by member id.",
        {200: page(ADMIN_STATEMENT)},
        (404, 422),
        query={**LIST_QUERY, "status": enum(STATUSES)},
    ),
    "rebates_admin.review_statement": Operation(
        "Approve a draft statement (optionally with a signed adjustment: payable = total + "
        "adjustment, never below 0) or reject it (payable 0), with a reason; audited in the "
        "same transaction. The same decision again answers 200 and changes nothing; any "
        "other move of a statement that is no draft is 409 invalid_transition.",
        {200: ADMIN_STATEMENT},
        (400, 404, 409, 413, 422, 503),
        request=REVIEW_STATEMENT.schema(),
        example={"status": "approved", "adjustment": "-8.50", "reason": "a returned order"},
    ),
    "rebates_admin.pay_statement": Operation(
        "Pay an approved statement exactly once: points credited as a lot (ledger source "
        "rebate, ref the campaign id) or a bank payout record for finance. Paying again "
        "answers 200 with the same body; a draft or rejected statement is 409 "
        "invalid_transition.",
        {200: ADMIN_STATEMENT},
        (404, 409, 503),
    ),
    "rebates_admin.export_statements": Operation(
        "Every statement of the campaign as CSV for finance (text/csv): a header row, one "
        "row per statement by member id, amounts as decimal strings with two places.",
        {200: {"type": "string"}},
        (404,),
        media_type="text/csv",
    ),
    # Systems: the customer confirmed receipt -------------------------------------------------
    "earn.confirm_receipt": Operation(
        "The customer confirmed receipt of the order: the buyer's referrer accrues the "
        "amount not refunded in each campaign with a referral rate (once per order; again: "
        "200, same body).",
        {200: RECEIPT},
        (404, 503),
    ),
    # Members ----------------------------------------------------------------------------------
    "rebates.list_my_rebates": Operation(
        "The caller's rebate campaigns: rate reached, next rung and amount to go, accrued "
        "rebate, status (running, closing, then the statement's).",
        {200: obj({"items": {"type": "array", "items": PROGRESS}})},
    ),
    "rebates.get_my_rebate_statement": Operation(
        "The caller's rebate statement in a campaign (404 statement_not_found before settlement).",
        {200: STATEMENT},
        (404,),
    ),
}
