"""Requests of year-end rebates: the operators' campaign definitions, statement reviews."""

from __future__ import annotations

from shared.domain.rebate_review import DECISIONS, DRAFT, STATUSES
from shared.domain.rebates import MAX_RATE, MAX_RETURN_DAYS, PAYOUTS
from shared.requests import Body
from shared.validation import (
    Choice,
    Decimal,
    Id,
    Integer,
    Money,
    Names,
    Objects,
    SignedMoney,
    Text,
    Timestamp,
)

MAX_RUNGS = 20
MAX_BUNDLES = 50
MAX_POINTS_PER_UNIT = 10_000


def _rate(required: bool = True) -> Decimal:
    """A percent: a decimal string from 0 to 100 with at most 2 places ("2.5" = 2.5 %)."""
    return Decimal(required=required, maximum=MAX_RATE, places=2)


SPEND_RUNG = Body({"min_amount": Money(), "rate": _rate()})
QUANTITY_RUNG = Body({"min_quantity": Integer(minimum=1), "rate": _rate()})
BUNDLE = Body(
    {"bundle_id": Id(), "skus": Names(max_items=20), "extra_rate": _rate()},
)
PUT_REBATE_CAMPAIGN = Body(
    {
        "name": Text(max_length=200),
        "starts_at": Timestamp(),
        "ends_at": Timestamp(),
        "payout": Choice(PAYOUTS),
        "spend_ladder": Objects(SPEND_RUNG, max_items=MAX_RUNGS),
        "quantity_ladder": Objects(QUANTITY_RUNG, required=False, max_items=MAX_RUNGS),
        "quantity_skus": Names(required=False, max_items=500),
        "bundles": Objects(BUNDLE, required=False, max_items=MAX_BUNDLES),
        "referral_rate": _rate(required=False),
        "cap": Money(required=False),
        "return_days": Integer(required=False, maximum=MAX_RETURN_DAYS),
        "eligible_tiers": Names(required=False, max_items=20),
        "points_per_unit": Integer(required=False, minimum=1, maximum=MAX_POINTS_PER_UNIT),
    },
    unknown="is not a field of a rebate campaign",
)

STATEMENT_QUEUE = Body({"status": Choice(STATUSES, required=False, default=DRAFT)})  # the query
REVIEW_STATEMENT = Body(
    {
        "status": Choice(DECISIONS),
        "adjustment": SignedMoney(required=False),
        "reason": Text(max_length=500),
    },
    unknown="is not a field of a statement review",
)
