"""Data access of adjustments awaiting a second operator: the request (the pending row, a
check that the member exists, its audit log entry and idempotency record, one transaction),
the decision (the row leaves ``pending`` on that condition, so the first decision wins; an
approval writes the adjustment's ledger entry, profile update and member audit item with
it: ``shared.dynamodb.operators.add_adjustment``) and the lists by status."""

from __future__ import annotations

from typing import Any

from shared.domain.adjustments import PENDING, PendingAdjustment
from shared.domain.audit import AuditEntry
from shared.domain.ledger import Credit, Debit
from shared.domain.members import Audit
from shared.domain.rules import Rules
from shared.dynamodb import audit as audit_log
from shared.dynamodb import idempotency, keys, ledger, pages
from shared.dynamodb.ledger import PROFILE
from shared.dynamodb.models.adjustments import AdjustmentItem
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.operators import add_adjustment, adjustment_refusal
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import row_at, row_of, value_of

ADJUSTMENT = "adjustment"
SK = "ADJUSTMENT"


class Decided(Exception):
    """The adjustment was decided already (``adjustment``: as it is now)."""

    def __init__(self, adjustment: PendingAdjustment):
        super().__init__(adjustment.adjustment_id)
        self.adjustment = adjustment


def _status_key(adjustment: PendingAdjustment) -> dict[str, str]:
    at = adjustment.requested_at if adjustment.status == PENDING else adjustment.decided_at
    return {
        "st_pk": keys.adjustments_status_pk(adjustment.status),
        "st_sk": keys.time_ordered_sk(at or adjustment.requested_at, adjustment.adjustment_id),
    }


def _of(item: AdjustmentItem) -> PendingAdjustment:
    return value_of(item, PendingAdjustment)


def get(adjustment_id: str) -> PendingAdjustment | None:
    item = row_at(AdjustmentItem, keys.adjustment_pk(adjustment_id), SK)
    return None if item is None else _of(item)


def request(
    adjustment: PendingAdjustment,
    logged: AuditEntry,
    idem: idempotency.Key | None,
    response: tuple[int, Any],
    now: Any,
) -> idempotency.Replay | None:
    """Store ``adjustment`` (pending) with ``logged``; returns the first response when
    ``idem`` was used before (nothing written). A member who is not registered →
    ``MemberNotFound``."""
    row = row_of(
        AdjustmentItem,
        adjustment,
        pk=keys.adjustment_pk(adjustment.adjustment_id),
        sk=SK,
        **_status_key(adjustment),
    )

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        tx.put(ADJUSTMENT, row, condition=AdjustmentItem.pk.does_not_exist())
        tx.check(
            PROFILE,
            MemberItem,
            keys.member_pk(adjustment.member_id),
            keys.PROFILE,
            MemberItem.pk.exists(),
        )
        audit_log.add(tx, logged)
        try:
            return idempotency.commit(tx, idem, response[0], response[1], now)
        except Cancelled as cancelled:
            if PROFILE in cancelled:
                raise ledger.not_registered(adjustment.member_id) from None
            raise

    return run(attempt)


def decide(
    before: PendingAdjustment,
    after: PendingAdjustment,
    change: Credit | Debit | None,
    rules: Rules,
    audit: Audit | None,
    logged: AuditEntry,
) -> None:
    """Move ``before`` (pending) to ``after`` with ``logged``; an approval also applies
    ``change`` (with the member's ``audit`` item). :class:`Decided` when another decision
    came first; ``MemberNotFound`` / ``InsufficientPoints`` when the change cannot apply (the
    adjustment stays pending)."""
    item = AdjustmentItem(pk=keys.adjustment_pk(before.adjustment_id), sk=SK)
    status_key = _status_key(after)
    actions = [
        AdjustmentItem.status.set(after.status),
        AdjustmentItem.decided_at.set(after.decided_at),
        AdjustmentItem.decided_by.set(after.decided_by),
        AdjustmentItem.decision_reason.set(after.decision_reason),
        AdjustmentItem.st_pk.set(status_key["st_pk"]),
        AdjustmentItem.st_sk.set(status_key["st_sk"]),
    ]

    def attempt() -> None:
        tx = Tx()
        tx.update(ADJUSTMENT, item, actions, condition=AdjustmentItem.status == PENDING)
        if change is not None and audit is not None:
            add_adjustment(tx, change, rules, audit, allow_debt=before.allow_debt)
        audit_log.add(tx, logged)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if ADJUSTMENT in cancelled:
                now = image(cancelled.failed[ADJUSTMENT], AdjustmentItem)
                if now is None:
                    raise
                raise Decided(_of(now)) from None
            refusal = None if change is None else adjustment_refusal(cancelled, change)
            if refusal is not None:
                raise refusal from None
            raise

    run(attempt)


def page(status: str, limit: int, cursor: str | None) -> tuple[list[PendingAdjustment], str | None]:
    """Adjustments in ``status``: pending ones oldest first (the queue), decided ones newest
    decision first."""
    partition = keys.adjustments_status_pk(status)
    rows, next_cursor = pages.status_page(
        AdjustmentItem.by_status, partition, limit, cursor, forward=status == PENDING
    )
    return [_of(row) for row in rows], next_cursor
