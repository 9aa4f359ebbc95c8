"""What members and operators see of rebates: a member's progress and statements, a
campaign's live totals, a statement's JSON (amounts as decimal strings with two places).

"Accrued" is what a participant stands to receive at this moment: the statement its
accrual would give (before settlement), the statement's total (draft), the payable amount
(approved, paid), nothing (rejected).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared import programme
from shared.domain.calendar import iso_local
from shared.domain.rebate_review import APPROVED, PAID, REJECTED
from shared.domain.rebate_statements import (
    ZERO,
    compute,
    payable,
    progress,
    rebate_rate,
)
from shared.domain.rebates import CENT, Accrual, RebateCampaign, from_cents
from shared.dynamodb import rebate_statements as repo
from shared.dynamodb.rebate_statements import Participant, StatementRecord
from shared.errors import StatementNotFound

RUNNING, CLOSING = "running", "closing"


def payable_of(record: StatementRecord) -> Decimal:
    """The amount paid or to pay: as reviewed, else the total with any adjustment."""
    if record.payable is not None:
        return record.payable
    return payable(record.total, record.adjustment)


def accrued(campaign: RebateCampaign, participant: Participant) -> Decimal:
    record = participant.statement
    if record is None:
        return compute(campaign, participant.accrual).total
    if record.status == REJECTED:
        return ZERO
    if record.status in (APPROVED, PAID):
        return payable_of(record)
    return record.total


def _local(at_utc: str | None) -> str | None:
    """A stored UTC time in the programme's zone, like every other time the API shows."""
    if at_utc is None:
        return None
    return iso_local(datetime.fromisoformat(at_utc), programme.current().zone)


def statement_view(record: StatementRecord) -> dict[str, Any]:
    """A statement as the API shows it (member and console)."""
    return {
        "campaign_id": record.campaign_id,
        "member_id": record.member_id,
        "status": record.status,
        "qualifying_amount": str(from_cents(record.qualifying)),
        "lines": [line.to_json() for line in record.lines],
        "total": str(record.total),
        "capped": record.capped,
        "adjustment": str(record.adjustment) if record.adjustment is not None else None,
        "reason": record.reason,
        "payable": str(payable_of(record)),
        "settled_at": _local(record.settled_at),
        "reviewed_at": _local(record.reviewed_at),
        "paid_at": _local(record.paid_at),
        "points": record.points,
    }


# Operators: a campaign's live totals -------------------------------------------------------


def live_totals(campaign: RebateCampaign) -> dict[str, Any]:
    """Participants, qualifying spend, accrued, approved and paid rebates and the rebate
    rate over spend (accrued ÷ qualifying, percent): every shard of the campaign's
    participants read once, so the cost follows the participants, never the members."""
    count, qualifying = 0, 0
    sums = {"accrued": ZERO, "approved": ZERO, "paid": ZERO}
    for (shard,) in repo.shards():
        for participant in repo.participants(campaign.campaign_id, shard):
            count += 1
            qualifying += participant.accrual.qualifying
            sums["accrued"] += accrued(campaign, participant)
            record = participant.statement
            if record is not None and record.status in (APPROVED, PAID):
                sums["approved"] += payable_of(record)
                if record.status == PAID:
                    sums["paid"] += payable_of(record)
    rate = rebate_rate(sums["accrued"], from_cents(qualifying))
    return {
        "participants": count,
        "qualifying_amount": str(from_cents(qualifying)),
        **{key: str(value) for key, value in sums.items()},
        "rebate_rate": str(rate) if rate is not None else None,
    }


# Members: progress during the campaign, the statement after it ----------------------------


def my_rebates(member_id: str, now: datetime) -> dict[str, Any]:
    """The campaigns a member takes part in or may still take part in: every campaign
    accepting purchases now (started, not yet closed) and every one they accrued in. ONE
    Query of the member's partition; the campaigns come with the programme (cached)."""
    mine = {p.accrual.campaign_id: p for p in repo.of_member(member_id)}
    campaigns = [
        c
        for c in programme.rebates()
        if c.campaign_id in mine or (c.starts_at <= now < c.closes_at)
    ]
    campaigns.sort(key=lambda c: (c.starts_at, c.campaign_id), reverse=True)
    return {"items": [_progress_view(c, mine.get(c.campaign_id), now) for c in campaigns]}


def _progress_view(
    campaign: RebateCampaign, participant: Participant | None, now: datetime
) -> dict[str, Any]:
    participant = participant or Participant(Accrual(campaign.campaign_id, ""))
    record = participant.statement
    status = record.status if record else RUNNING if now < campaign.ends_at else CLOSING
    standing = progress(campaign, participant.accrual)
    rung = standing.next_rung if status == RUNNING else None
    return {
        "campaign_id": campaign.campaign_id,
        "name": campaign.name,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "qualifying_amount": str(from_cents(participant.accrual.qualifying)),
        "rate": str(standing.rate),
        "next_rung": {
            "min_amount": str(rung.min_amount.quantize(CENT)),
            "rate": str(rung.rate),
            "amount_to_go": str(rung.amount_to_go),
        }
        if rung is not None
        else None,
        "accrued": str(accrued(campaign, participant)),
        "status": status,
    }


def my_statement(member_id: str, campaign_id: str) -> dict[str, Any]:
    """The member's statement in a campaign; 404 ``statement_not_found`` before settlement."""
    participant = repo.read(campaign_id, member_id)
    if participant is None or participant.statement is None:
        raise StatementNotFound(f"no rebate statement in campaign {campaign_id!r} yet")
    return statement_view(participant.statement)
