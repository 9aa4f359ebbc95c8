"""Data access for operators' actions on a member: adjustments, freeze/unfreeze, audit.

Each action is one transaction with its audit item (``AUDIT#<at>#<action>`` under the
member); an adjustment also carries its ledger entry, its lot (credits) and, when the
request had an ``Idempotency-Key``, the idempotency record.
"""

from __future__ import annotations

from typing import Any

from shared.clock import utc_iso
from shared.domain.ledger import Credit, Debit
from shared.domain.rules import Rules
from shared.dynamodb import idempotency, keys
from shared.dynamodb.members import PROFILE, add_credit, add_debit
from shared.dynamodb.models import AuditItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, image, run
from shared.errors import InsufficientPoints, MemberNotFound

AUDIT = "audit"


def audit_item(
    member_id: str,
    action: str,
    actor: str,
    reason: str,
    at: Any,
    *,
    points: int | None = None,
    ref: str | None = None,
) -> AuditItem:
    at_utc = utc_iso(at)
    return AuditItem(
        pk=keys.member_pk(member_id),
        sk=keys.audit_sk(at_utc, action if ref is None else f"{action}#{ref}"),
        member_id=member_id,
        action=action,
        actor=actor,
        reason=reason,
        at=at_utc,
        points=points,
        ref=ref,
    )


def adjust(
    change: Credit | Debit,
    rules: Rules,
    audit: AuditItem,
    *,
    allow_debt: bool,
    idem: idempotency.Key | None,
    response: tuple[int, Any],
) -> idempotency.Replay | None:
    """Apply an operator adjustment; returns the first response if ``idem`` was used."""

    def attempt() -> idempotency.Replay | None:
        tx = Tx()
        if isinstance(change, Credit):
            add_credit(tx, change, rules, actor=audit.actor)
        else:
            guard = MemberItem.pk.exists()
            if not allow_debt:  # frozen members too: operators may still take points back
                guard &= MemberItem.spendable >= change.points
            add_debit(tx, change, condition=guard, actor=audit.actor)
        tx.put(AUDIT, audit)
        try:
            return idempotency.commit(tx, idem, response[0], response[1], change.at)
        except Cancelled as cancelled:
            if PROFILE in cancelled:
                member = image(cancelled.failed[PROFILE], MemberItem)
                if member is None:
                    raise MemberNotFound(f"member {change.member_id!r} is not registered") from None
                spendable = int(member.spendable)
                raise InsufficientPoints(
                    f"{change.points} points needed, {spendable} spendable "
                    '(send "allow_debt": true to take them anyway)',
                    details={"needed": change.points, "spendable": spendable},
                ) from None
            raise

    return run(attempt)


def set_status(member_id: str, status: str, audit: AuditItem) -> MemberItem | None:
    """Move the member to ``status`` with its audit item. Returns None when changed, or the
    member's image when it already had that status (nothing written)."""

    def attempt() -> MemberItem | None:
        tx = Tx()
        tx.update(
            PROFILE,
            MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE),
            [MemberItem.status.set(status)],
            condition=MemberItem.pk.exists() & (MemberItem.status != status),
        )
        tx.put(AUDIT, audit)
        try:
            tx.commit()
        except Cancelled as cancelled:
            member = image(cancelled.failed.get(PROFILE), MemberItem)
            if member is None:
                raise MemberNotFound(f"member {member_id!r} is not registered") from None
            return member
        return None

    return run(attempt)


def audit_trail(member_id: str, limit: int = 20) -> list[AuditItem]:
    """The member's most recent operator actions, newest first."""
    return list(
        AuditItem.query(
            keys.member_pk(member_id),
            AuditItem.sk.startswith(keys.AUDIT),
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
        )
    )
