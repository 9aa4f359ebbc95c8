"""Paying an approved rebate statement, exactly once.

A points campaign credits ``payable × points_per_unit`` points as a lot with ledger source
``rebate`` and ref the campaign id: the entry's business key (``LEDGER#rebate#<cid>``) exists
once per member and campaign, in the same transaction as the statement's move to ``paid``.
A bank campaign writes a payout record for finance instead. Paying a paid statement answers
200 with the same body and writes nothing; a draft or rejected one is 409
``invalid_transition``; a payable of 0.00 is paid with no ledger entry and no record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import programme
from shared.domain import audit, ledger
from shared.domain.rebate_review import APPROVED, PAID, SOURCE, payout_of
from shared.dynamodb import rebate_review as repo
from shared.errors import InvalidTransition
from shared.rebates.review import admin_view, audited, statement, target
from shared.rebates.settlement import campaign_of
from shared.rebates.views import payable_of
from shared.replan import until_done

PAID_FIELDS = ("status", "payable", "points", "payout_ref")


def pay_statement(campaign_id: str, member_id: str, now: datetime, actor: str) -> dict[str, Any]:
    """Pay the member's approved statement; the statement as paid. Audited (``rebate.pay``)
    in the payment's transaction; paying a paid statement again writes nothing."""
    campaign = campaign_of(campaign_id)
    rules = programme.current()

    def attempt() -> dict[str, Any] | None:
        record = statement(campaign_id, member_id)
        if record.status == PAID:
            return admin_view(record)
        if record.status != APPROVED:
            raise InvalidTransition(
                f"the statement is {record.status}: only an approved statement can be paid"
            )
        payout = payout_of(campaign, member_id, payable_of(record), now)
        credit = None
        if payout.credits:
            credit = ledger.credit(
                member_id,
                SOURCE,
                campaign_id,
                payout.points,
                "rebate",
                {"campaign": campaign.name},
                at=now,
                rules=rules,
            )
        change = audit.entry(
            now,
            actor,
            "rebate.pay",
            target(campaign_id, member_id),
            before=audited(record, PAID_FIELDS),
            after={
                "status": PAID,
                "payable": str(payout.amount),
                "points": payout.points if credit is not None else None,
                "payout_ref": payout.ref if payout.records else None,
            },
        )
        if not repo.pay(payout, credit, rules, change):
            return None  # moved meanwhile (paid by a concurrent request): look again
        return admin_view(statement(campaign_id, member_id))

    return until_done(attempt, "statement")
