"""Use cases of the second approval (issue 21): an operator adjustment of more points than
the programme's ``adjustment_approval_threshold`` waits (202 ``pending_approval``) until a
different operator approves it (applied once, as asked for) or rejects it (no points move).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from msgspec import structs

from shared import programme
from shared.clock import utc_iso
from shared.domain import audit
from shared.domain.adjustments import (
    APPROVE,
    PENDING,
    PENDING_APPROVAL,
    PendingAdjustment,
    adjustment_change,
    new_adjustment_id,
)
from shared.domain.calendar import iso_local
from shared.domain.members import Audit
from shared.domain.rules import Rules
from shared.dynamodb import adjustments as adjustments_repo
from shared.dynamodb import idempotency
from shared.errors import AdjustmentNotFound, InvalidTransition, SecondApproverRequired

if TYPE_CHECKING:
    from shared.operators import Adjustment

REQUEST_ACTION = "member.adjust"  # the route's own action: the request is the adjustment asked
DECIDE_ACTION = "adjustment.decide"


def view(adjustment: PendingAdjustment, zone: Any = None) -> dict[str, Any]:
    """An adjustment as operators see it (times in the programme's zone); ``entry_id``: the
    member's ledger entry once approved."""
    zone = zone or programme.current().zone

    def local(at: str | None) -> str | None:
        return iso_local(datetime.fromisoformat(at), zone) if at else None

    approved = adjustment.status == adjustment.outcome_of(APPROVE)
    return {
        "adjustment_id": adjustment.adjustment_id,
        "status": adjustment.status,
        "member_id": adjustment.member_id,
        "points": adjustment.points,
        "reason": adjustment.reason,
        "allow_debt": adjustment.allow_debt,
        "requested_by": adjustment.requested_by,
        "requested_at": local(adjustment.requested_at),
        "decided_by": adjustment.decided_by,
        "decided_at": local(adjustment.decided_at),
        "decision_reason": adjustment.decision_reason,
        "entry_id": f"adjust:{adjustment.adjustment_id}" if approved else None,
    }


def request(
    cmd: Adjustment, idem: idempotency.Key | None, now: datetime, rules: Rules
) -> tuple[int, dict[str, Any]]:
    """Store the adjustment as pending with its ``member.adjust`` audit entry (after = the
    202 answer); with an Idempotency-Key a repeat answers the first (status, body)."""
    pending = PendingAdjustment(
        adjustment_id=new_adjustment_id(now),
        member_id=cmd.member_id,
        points=cmd.points,
        reason=cmd.reason,
        requested_by=cmd.actor,
        requested_at=utc_iso(now),
        allow_debt=cmd.allow_debt,
    )
    body = {
        "status": PENDING_APPROVAL,
        "adjustment_id": pending.adjustment_id,
        "member_id": cmd.member_id,
        "points": cmd.points,
        "reason": cmd.reason,
        "actor": cmd.actor,
        "at": iso_local(now, rules.zone),
        "approval_threshold": rules.adjustment_approval_threshold,
    }
    logged = audit.entry(
        now,
        cmd.actor,
        REQUEST_ACTION,
        audit.target("member", cmd.member_id),
        after=body,
        reason=cmd.reason,
    )
    replay = adjustments_repo.request(pending, logged, idem, (202, body), now)
    if replay is not None:
        return replay.status, replay.body
    return 202, body


def list_adjustments(status: str, limit: int, cursor: str | None) -> dict[str, Any]:
    found, next_cursor = adjustments_repo.page(status, limit, cursor)
    zone = programme.current().zone
    return {"items": [view(a, zone) for a in found], "next_cursor": next_cursor}


def _repeat_or_conflict(adjustment: PendingAdjustment, decision: str) -> dict[str, Any]:
    """A decided adjustment: the same decision again answers it as it is; the other → 409."""
    if adjustment.repeats(decision):
        return view(adjustment)
    raise InvalidTransition(
        f"adjustment {adjustment.adjustment_id!r} was already {adjustment.status}",
        details={"status": adjustment.status},
    )


def decide(adjustment_id: str, decision: str, reason: str, actor: str, now: datetime) -> dict:
    """Approve (apply the adjustment once: ledger entry, balance and the member's audit item)
    or reject (no points move) a pending adjustment, in one transaction with the
    ``adjustment.decide`` audit entry. Only an operator other than the one who asked may
    decide (403 ``second_approver_required``); the first decision wins, the same decision
    again answers the same body, the other → 409 ``invalid_transition``. An approval that
    cannot apply (a debit beyond the spendable points without ``allow_debt``) is refused
    and leaves the adjustment pending."""
    rules = programme.current()
    before = adjustments_repo.get(adjustment_id)
    if before is None:
        raise AdjustmentNotFound(f"no adjustment {adjustment_id!r}", params={"id": adjustment_id})
    if before.requested_by == actor:
        raise SecondApproverRequired(
            f"adjustment {adjustment_id!r} was asked for by you; another operator must decide it"
        )
    if before.status != PENDING:
        return _repeat_or_conflict(before, decision)
    after = structs.replace(
        before,
        status=before.outcome_of(decision),
        decided_by=actor,
        decided_at=utc_iso(now),
        decision_reason=reason,
    )
    change = trail = None
    if decision == APPROVE:  # written as the asker's adjustment; the approver is in the log
        change = adjustment_change(
            before.member_id, before.points, before.reason, adjustment_id, now, rules
        )
        trail = Audit(
            before.member_id,
            "adjust",
            before.requested_by,
            before.reason,
            now,
            points=before.points,
            ref=adjustment_id,
        )
    logged = audit.entry(
        now,
        actor,
        DECIDE_ACTION,
        audit.target("adjustment", adjustment_id),
        before=view(before, rules.zone),
        after=view(after, rules.zone),
        reason=reason,
    )
    try:
        adjustments_repo.decide(before, after, change, rules, trail, logged)
    except adjustments_repo.Decided as decided:
        return _repeat_or_conflict(decided.adjustment, decision)
    return view(after, rules.zone)
