"""Data access for operators' actions on a member: adjustments, freeze/unfreeze, audit.

Each action is one transaction with its audit item (``AUDIT#<at>#<action>`` under the
member) and its entry in the programme's audit log; an adjustment also carries its ledger
entry, its lot (credits) and, when the request had an ``Idempotency-Key``, the idempotency
record.
"""

from __future__ import annotations

from typing import Any

from shared.domain.audit import AuditEntry
from shared.domain.ledger import Credit, Debit
from shared.domain.members import Audit
from shared.domain.rules import Rules
from shared.dynamodb import audit as audit_log
from shared.dynamodb import idempotency, keys, ledger, members
from shared.dynamodb.ledger import PROFILE
from shared.dynamodb.models.members import AuditItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.dynamodb.values import value_of
from shared.errors import InsufficientPoints

AUDIT = "member_audit"


def _audit_item(audit: Audit) -> AuditItem:
    key = audit.action if audit.ref is None else f"{audit.action}#{audit.ref}"
    return members.audit_row(audit, key)


def add_adjustment(
    tx: Tx, change: Credit | Debit, rules: Rules, audit: Audit, *, allow_debt: bool
) -> None:
    """Add an operator adjustment to ``tx``: its ledger entry (and lot, for a credit), the
    profile update (a debit guarded by the spendable points unless ``allow_debt``) and the
    member's audit item. A direct adjustment and an approved one (``shared.adjustments``)
    write the same."""
    if isinstance(change, Credit):
        ledger.add_credit(tx, change, rules, actor=audit.actor)
    else:
        guard = MemberItem.pk.exists()
        if not allow_debt:  # frozen members too: operators may still take points back
            guard &= MemberItem.spendable >= change.points
        ledger.add_debit(tx, change, condition=guard, actor=audit.actor)
    tx.put(AUDIT, _audit_item(audit))


def adjustment_refusal(cancelled: Cancelled, change: Credit | Debit) -> Exception | None:
    """Why an adjustment's transaction was cancelled by the member's profile (not registered,
    or a debit beyond the spendable points), or None when it was another item."""
    if PROFILE not in cancelled:
        return None
    member = image(cancelled.failed[PROFILE], MemberItem)
    if member is None:
        return ledger.not_registered(change.member_id)
    spendable = int(member.spendable)
    return InsufficientPoints(
        f"{change.points} points needed, {spendable} spendable "
        '(send "allow_debt": true to take them anyway)',
        details={"needed": change.points, "spendable": spendable},
    )


def adjust(
    change: Credit | Debit,
    rules: Rules,
    audit: Audit,
    logged: AuditEntry,
    *,
    allow_debt: bool,
    idem: idempotency.Key | None,
    response: tuple[int, Any],
) -> idempotency.Replay | None:
    """Apply an operator adjustment; returns the first response if ``idem`` was used."""

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        add_adjustment(tx, change, rules, audit, allow_debt=allow_debt)
        audit_log.add(tx, logged)
        try:
            return idempotency.commit(tx, idem, response[0], response[1], change.at)
        except Cancelled as cancelled:
            refusal = adjustment_refusal(cancelled, change)
            if refusal is not None:
                raise refusal from None
            raise

    return run(attempt)


def status_of(member_id: str) -> str:
    """The member's status (consistent read); ``MemberNotFound`` if not registered."""
    return members.profile_row(member_id).status


def set_status(status: str, was: str, audit: Audit, logged: AuditEntry) -> bool:
    """Move the member from ``was`` to ``status`` with its audit item and log entry. Returns
    False when the member's status is no longer ``was`` (nothing written: read it again)."""

    def attempt() -> bool:
        tx = Tx()
        tx.update(
            PROFILE,
            ledger.profile(audit.member_id),
            [MemberItem.status.set(status)],
            condition=MemberItem.pk.exists() & (MemberItem.status == was),
        )
        tx.put(AUDIT, _audit_item(audit))
        audit_log.add(tx, logged)
        try:
            tx.commit()
        except Cancelled as cancelled:
            if image(cancelled.failed.get(PROFILE), MemberItem) is None:
                raise ledger.not_registered(audit.member_id) from None
            return False
        return True

    return run(attempt)


def audit_trail(member_id: str, limit: int = 20) -> list[Audit]:
    """The member's most recent operator actions, newest first."""
    return [
        value_of(item, Audit)
        for item in AuditItem.query(
            keys.member_pk(member_id),
            AuditItem.sk.startswith(keys.AUDIT),
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
        )
    ]
