"""Data access for reviewing and paying rebate statements, and listing them for operators.

A statement lives on the member's accrual item (``MEMBER#<mid>`` / ``REBATE#<cid>``); its
``status`` is also its GSI ``by_status`` partition (``REBATE#<cid>#<status>``), so the console
pages through one status of one campaign. Each move is ONE transaction conditioned on the
status it leaves:

- review: the statement (``status = draft``) and the operator's audit item (member partition);
- pay: the statement (``status = approved``) and, for points, the member update, the ledger
  entry ``LEDGER#rebate#<cid>`` (``attribute_not_exists``: credited once) and its lot; for a
  bank payout, the payout record ``PAYOUT#rebate#<cid>`` for finance.
"""

from __future__ import annotations

from collections.abc import Iterator

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.domain.ledger import Credit
from shared.domain.members import Audit
from shared.domain.rebate_review import APPROVED, DRAFT, PAID, Payout, Review
from shared.domain.rebates import CENT
from shared.domain.rules import Rules
from shared.dynamodb import audit as audit_log
from shared.dynamodb import keys, ledger, members, pages
from shared.dynamodb.models.rebates import RebateItem, RebatePayoutItem
from shared.dynamodb.rebate_statements import StatementRecord, participants
from shared.dynamodb.tx import Cancelled, Tx, run
from shared.dynamodb.values import value_of

STATEMENT, AUDIT, PAYOUT = "statement", "audit", "payout"
PENDING = "pending"


def statement_of(item: RebateItem) -> StatementRecord:
    return value_of(item, StatementRecord)


def status_page(
    campaign_id: str, status: str, limit: int, cursor: str | None
) -> tuple[list[StatementRecord], str | None]:
    """A campaign's statements in one status, by member id (GSI ``by_status``)."""
    partition = keys.rebate_status_pk(campaign_id, status)
    rows, next_cursor = pages.status_page(RebateItem.by_status, partition, limit, cursor)
    return [statement_of(row) for row in rows], next_cursor


def statements(campaign_id: str) -> Iterator[StatementRecord]:
    """Every statement of a campaign, shard by shard (GSI ``by_campaign``): the export."""
    for shard in range(keys.REBATE_SHARDS):
        for participant in participants(campaign_id, shard):
            if participant.statement is not None:
                yield participant.statement


def _item(campaign_id: str, member_id: str) -> RebateItem:
    return RebateItem(pk=keys.member_pk(member_id), sk=keys.rebate_sk(campaign_id))


def _moved_to(campaign_id: str, member_id: str, status: str) -> list:
    return [
        RebateItem.status.set(status),
        RebateItem.st_pk.set(keys.rebate_status_pk(campaign_id, status)),
        RebateItem.st_sk.set(member_id),
    ]


def review(decision: Review, payable: str, change: AuditEntry) -> bool:
    """Move a draft statement to ``decision.status`` with its payable, the operator's audit
    item (member partition) and the audit log's entry ``change``, in one transaction. False
    when the statement is no draft (any more)."""
    cid, mid = decision.campaign_id, decision.member_id
    at = utc_iso(decision.at)
    actions = [
        *_moved_to(cid, mid, decision.status),
        RebateItem.reason.set(decision.reason),
        RebateItem.reviewed_by.set(decision.actor),
        RebateItem.reviewed_at.set(at),
        RebateItem.payable.set(payable),
    ]
    if decision.adjustment:  # "0" is no adjustment
        actions.append(RebateItem.adjustment.set(str(decision.adjustment.quantize(CENT))))
    action = f"rebate_{decision.status}"
    audit = Audit(mid, action, decision.actor, decision.reason, decision.at, ref=cid)
    audit_item = members.audit_row(audit, f"{action}#{cid}")

    def attempt() -> bool:
        tx = Tx()
        tx.update(STATEMENT, _item(cid, mid), actions, condition=RebateItem.status == DRAFT)
        tx.put(AUDIT, audit_item)
        audit_log.add(tx, change)
        return tx.committed()

    return run(attempt)


def pay(payout: Payout, credit: Credit | None, rules: Rules, change: AuditEntry) -> bool:
    """Mark an approved statement paid, with its points credit (``credit``: source
    ``rebate``, ref the campaign id, so the ledger entry exists once) or its bank payout
    record, and the audit log's entry ``change``, in one transaction. False when the
    statement is not approved (any more)."""
    cid, mid = payout.campaign_id, payout.member_id
    at = utc_iso(payout.at)
    actions = [*_moved_to(cid, mid, PAID), RebateItem.paid_at.set(at)]
    record = None
    if payout.credits and credit is not None:
        actions.append(RebateItem.points.set(payout.points))
    elif payout.records:
        actions.append(RebateItem.payout_ref.set(payout.ref))
        record = RebatePayoutItem(
            pk=keys.member_pk(mid),
            sk=keys.rebate_payout_sk(cid),
            member_id=mid,
            campaign_id=cid,
            amount=str(payout.amount),
            status=PENDING,
            at=at,
        )

    def attempt() -> bool:
        tx = Tx()
        tx.update(STATEMENT, _item(cid, mid), actions, condition=RebateItem.status == APPROVED)
        if payout.credits and credit is not None:
            ledger.add_credit(tx, credit, rules)
        if record is not None:
            tx.put(PAYOUT, record, condition=RebatePayoutItem.pk.does_not_exist())
        audit_log.add(tx, change)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if STATEMENT in cancelled:
                return False
            if ledger.PROFILE in cancelled:
                raise ledger.not_registered(mid) from None
            raise
        return True

    return run(attempt)
