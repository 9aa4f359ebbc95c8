"""Second approval of large operator adjustments (issue 21).

An operator adjustment of more points than the programme's
``adjustment_approval_threshold`` (either sign; None = off) does not move points when it is
asked for: it waits, *pending*, until a different operator approves it (the adjustment is
then applied once, as it was asked for) or rejects it (no points move). The first decision
wins; the same decision again answers the adjustment as it is.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from msgspec import Struct

from shared.domain import ledger as kinds
from shared.domain.ledger import Credit, Debit
from shared.domain.risk import APPROVE, DECISIONS, OUTCOME, PENDING, STATUSES
from shared.domain.rules import Rules

__all__ = [
    "APPROVE",
    "DECISIONS",
    "PENDING",
    "STATUSES",
    "PendingAdjustment",
    "adjustment_change",
    "needs_approval",
    "new_adjustment_id",
]

PENDING_APPROVAL = "pending_approval"  # the ``status`` of the 202 answer to the request


def new_adjustment_id(now: datetime) -> str:
    """``adj-<UTC second>-<8 hex>``: time-ordered to read, unguessable."""
    return f"adj-{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def needs_approval(points: int, threshold: int | None) -> bool:
    """Whether an adjustment of ``points`` waits for a second operator: its size is above
    ``threshold`` (an adjustment of exactly the threshold applies at once)."""
    return threshold is not None and abs(points) > threshold


class PendingAdjustment(Struct, frozen=True):
    """An adjustment asked for by ``requested_by``, and the decision on it."""

    adjustment_id: str
    member_id: str
    points: int  # signed, not 0
    reason: str
    requested_by: str  # the operator who asked
    requested_at: str  # UTC ISO-8601
    status: str = PENDING  # pending, approved, rejected
    allow_debt: bool = False
    decided_by: str | None = None
    decided_at: str | None = None  # UTC ISO-8601
    decision_reason: str | None = None

    def outcome_of(self, decision: str) -> str:
        """The status ``decision`` gives the adjustment."""
        return OUTCOME[decision]

    def repeats(self, decision: str) -> bool:
        """Whether this decided adjustment already has the outcome ``decision`` asks for."""
        return self.status == OUTCOME[decision]


def adjustment_change(
    member_id: str, points: int, reason: str, adjustment_id: str, now: datetime, rules: Rules
) -> Credit | Debit:
    """The ledger change of an adjustment, direct or approved: a credit (a new lot) or a
    debit (FIFO), its entry ``adjust:<adjustment_id>`` worded with the reason."""
    if points > 0:
        return kinds.credit(
            member_id,
            "adjust",
            adjustment_id,
            points,
            "adjustment",
            {"reason": reason},
            at=now,
            rules=rules,
            kind=kinds.ADJUST,
        )
    return Debit(
        member_id=member_id,
        type=kinds.ADJUST,
        source="adjust",
        ref=adjustment_id,
        points=-points,
        at=now,
        **kinds.wording("adjustment", {"reason": reason}),
    )
