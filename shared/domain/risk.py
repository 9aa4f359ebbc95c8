"""Risk rules and the review queue (SPEC §8, §9d): which credits wait for an operator.

A purchase whose amount is above the programme's single-purchase limit, or whose points
would take the member's purchase points of the programme day above the daily velocity, is
not credited: it waits as a *review* until an operator approves it (credited once, with the
ledger key the purchase would have had) or rejects it (recorded with 0 points).
"""

from __future__ import annotations

from decimal import Decimal

from msgspec import Struct

from shared.domain.rules import Risk

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
APPROVE, REJECT = "approve", "reject"
DECISIONS = (APPROVE, REJECT)
OUTCOME = {APPROVE: APPROVED, REJECT: REJECTED}

SINGLE_PURCHASE_LIMIT = "single_purchase_limit"
DAILY_PURCHASE_POINTS = "daily_purchase_points"


def purchase_flags(amount: Decimal, points: int, day_points: int, risk: Risk) -> tuple[str, ...]:
    """The risk rules a purchase trips (empty: credit it now).

    ``points``: what the purchase would credit; ``day_points``: the member's purchase points
    already credited this programme day. A purchase that credits nothing (a member frozen for
    earning) trips nothing: there is nothing to hold back.
    """
    if points <= 0:
        return ()
    flags = []
    if risk.single_purchase_limit is not None and amount > risk.single_purchase_limit:
        flags.append(SINGLE_PURCHASE_LIMIT)
    if risk.daily_purchase_points is not None and day_points + points > risk.daily_purchase_points:
        flags.append(DAILY_PURCHASE_POINTS)
    return tuple(flags)


def review_id(order_id: str) -> str:
    """A purchase's review id is its order id: one review per order, so a retried report
    finds it again, and operators see the shop's own reference (purchases are the only
    credits reviewed; another kind would take a prefix its ids cannot start with)."""
    return order_id


class Review(Struct, frozen=True):
    """A credit waiting for (or decided by) an operator."""

    review_id: str
    kind: str  # "purchase"
    member_id: str
    order_id: str
    points: int
    amount: str  # decimal string
    currency: str
    flags: tuple[str, ...]
    status: str
    created_at: str  # UTC ISO-8601
    breakdown: tuple[dict, ...] = ()
    channel: str | None = None
    occurred_at: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    reason: str | None = None


def same_decision(review: Review, decision: str) -> bool:
    """Whether a decided review already has the outcome ``decision`` asks for (a repeat)."""
    return review.status == OUTCOME[decision]
