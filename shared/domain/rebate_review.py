"""Review and payout of rebate statements: who may move a statement where, and what it pays.

Pure, no I/O. A settled statement is a ``draft``; an operator approves it (optionally with a
signed adjustment and a reason) or rejects it; an approved statement is paid exactly once,
as points (a ledger credit with source ``rebate``) or as a bank payout record for finance::

    draft ──approve(adjustment?)──> approved ──pay──> paid
      └────reject──> rejected
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from msgspec import Struct

from shared.domain.rebate_statements import ZERO, payable, points_of
from shared.domain.rebates import RebateCampaign

DRAFT, APPROVED, REJECTED, PAID = "draft", "approved", "rejected", "paid"
STATUSES = (DRAFT, APPROVED, REJECTED, PAID)
DECISIONS = (APPROVED, REJECTED)
POINTS, BANK = "points", "bank"
SOURCE = "rebate"  # the ledger source of a points payout (its ref is the campaign id)


class Review(Struct, frozen=True):
    """An operator's decision on a draft statement."""

    campaign_id: str
    member_id: str
    status: str  # approved | rejected
    reason: str
    actor: str
    at: datetime
    adjustment: Decimal | None = None  # signed; approvals only


def review_problems(review: Review, total: Decimal) -> dict[str, str]:
    """Why ``review`` cannot apply to a statement of ``total`` ({} when it can)."""
    if review.adjustment is None:
        return {}
    if review.status != APPROVED:
        return {"adjustment": "only an approval takes an adjustment"}
    if total + review.adjustment < 0:
        return {"adjustment": f"would make the payable negative (the total is {total})"}
    return {}


def payable_after(review: Review, total: Decimal) -> Decimal:
    """What the statement pays once reviewed: nothing when rejected."""
    return payable(total, review.adjustment) if review.status == APPROVED else ZERO


def same_review(
    status: str, adjustment: Decimal | None, reason: str | None, review: Review
) -> bool:
    """Whether a statement already carries exactly this decision (a retried request)."""
    return (status, adjustment or ZERO, reason) == (
        review.status,
        review.adjustment or ZERO,
        review.reason,
    )


class Payout(Struct, frozen=True):
    """What paying an approved statement writes: ``points`` > 0 (a ledger credit) for a
    points campaign, or a bank payout record of ``amount``; neither when it pays 0.00."""

    campaign_id: str
    member_id: str
    kind: str  # points | bank
    amount: Decimal
    points: int
    at: datetime

    @property
    def credits(self) -> bool:
        return self.kind == POINTS and self.points > 0

    @property
    def records(self) -> bool:
        return self.kind == BANK and self.amount > 0

    @property
    def ref(self) -> str:
        """How finance names a bank payout: campaign and member."""
        return f"{SOURCE}:{self.campaign_id}:{self.member_id}"


def payout_of(campaign: RebateCampaign, member_id: str, amount: Decimal, at: datetime) -> Payout:
    """The payout of an approved statement's payable ``amount`` under ``campaign``."""
    points = points_of(amount, campaign) if campaign.payout == POINTS else 0
    return Payout(campaign.campaign_id, member_id, campaign.payout, amount, points, at)
