"""Operators review a campaign's statements: list them by status, approve (optionally with a
signed adjustment and a reason) or reject a draft. Each decision is audited in the same
transaction (``shared/dynamodb/rebate_review.py``); asking again for the decision a
statement already carries answers 200 and writes nothing, any other move of a statement
that is no draft is 409 ``invalid_transition``."""

from __future__ import annotations

from typing import Any

from shared.domain import audit
from shared.domain.rebate_review import (
    DRAFT,
    Review,
    payable_after,
    review_problems,
    same_review,
)
from shared.domain.rebates import CENT
from shared.dynamodb import rebate_review as repo
from shared.dynamodb import rebate_statements
from shared.dynamodb.rebate_statements import StatementRecord
from shared.errors import InvalidTransition, StatementNotFound
from shared.rebates.settlement import campaign_of
from shared.rebates.views import statement_view
from shared.replan import until_done
from shared.validation import invalid


def admin_view(record: StatementRecord) -> dict[str, Any]:
    """A statement as operators see it: the member's view, who reviewed it, the payout."""
    return {
        **statement_view(record),
        "reviewed_by": record.reviewed_by,
        "payout_ref": record.payout_ref,
    }


def audited(record: StatementRecord, fields: tuple[str, ...]) -> dict[str, Any]:
    """``fields`` of the statement as operators see it: an audit entry's ``before``."""
    shown = admin_view(record)
    return {name: shown[name] for name in fields}


def target(campaign_id: str, member_id: str) -> str:
    """A statement in the audit log: ``rebate:<cid>/<mid>``."""
    return audit.target("rebate", campaign_id, member_id)


REVIEWED = ("status", "adjustment", "payable", "reason")


def statement(campaign_id: str, member_id: str) -> StatementRecord:
    """The member's settled statement (consistent read); 404 before settlement."""
    participant = rebate_statements.read(campaign_id, member_id)
    if participant is None or participant.statement is None:
        raise StatementNotFound(
            f"no rebate statement of member {member_id!r} in campaign {campaign_id!r}"
        )
    return participant.statement


def admin_statements(
    campaign_id: str, status: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """A page of a campaign's statements in one status, by member id."""
    campaign_of(campaign_id)
    records, next_cursor = repo.status_page(campaign_id, status, limit, cursor)
    return {"items": [admin_view(r) for r in records], "next_cursor": next_cursor}


def review_statement(decision: Review) -> dict[str, Any]:
    """Approve or reject a draft statement; the statement as it stands afterwards."""
    campaign_of(decision.campaign_id)

    def attempt() -> dict[str, Any] | None:
        record = statement(decision.campaign_id, decision.member_id)
        if record.status != DRAFT:
            if same_review(record.status, record.adjustment, record.reason, decision):
                return admin_view(record)
            raise InvalidTransition(
                f"the statement is {record.status}: only a draft can be approved or rejected"
            )
        problems = review_problems(decision, record.total)
        if problems:
            raise invalid(problems)
        payable = str(payable_after(decision, record.total))
        adjustment = decision.adjustment
        change = audit.entry(
            decision.at,
            decision.actor,
            "rebate.review",
            target(decision.campaign_id, decision.member_id),
            before=audited(record, REVIEWED),
            after={
                "status": decision.status,
                "adjustment": str(adjustment.quantize(CENT)) if adjustment else None,
                "payable": payable,
                "reason": decision.reason,
            },
            reason=decision.reason,
        )
        if not repo.review(decision, payable, change):
            return None  # reviewed meanwhile: decide again on what it is now
        return admin_view(statement(decision.campaign_id, decision.member_id))

    return until_done(attempt, "statement")
