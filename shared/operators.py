"""Use cases of operators acting on one member: adjustments, freeze/unfreeze, the
member's file (profile, balance, flags, audit trail) and ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

from shared import adjustments, members, programme
from shared.domain import audit as audit_log
from shared.domain import ledger as kinds
from shared.domain.adjustments import adjustment_change, needs_approval, new_adjustment_id
from shared.domain.calendar import iso_local, local_date
from shared.domain.contacts import Contact, clear, masked
from shared.domain.members import (
    ACTIVE,
    ALL,
    Audit,
    frozen_scope,
    shown_status,
    status_after,
)
from shared.dynamodb import idempotency
from shared.dynamodb import members as members_repo
from shared.dynamodb import operators as operators_repo
from shared.errors import Contention


class Adjustment(Struct, frozen=True):
    """An operator's manual credit or debit of a member's points."""

    member_id: str
    points: int  # signed, not 0
    reason: str
    actor: str  # the operator's id
    allow_debt: bool = False  # a debit may take the balance below zero
    idempotency_key: str | None = None


def idempotency_key_of(cmd: Adjustment) -> idempotency.Key | None:
    if cmd.idempotency_key is None:
        return None
    request = {"points": cmd.points, "reason": cmd.reason, "allow_debt": cmd.allow_debt}
    return idempotency.Key(
        caller=cmd.actor,
        key=cmd.idempotency_key,
        fingerprint=idempotency.fingerprint("adjust", cmd.member_id, request),
    )


def adjust(cmd: Adjustment, now: datetime) -> tuple[int, dict[str, Any]]:
    """Credit (a new lot) or debit (FIFO consumption) points with a mandatory reason.

    A debit is refused (409 ``insufficient_points``) when it would take more than the
    member's spendable points, unless ``allow_debt``; operators may adjust frozen members.
    Audited: the ledger entry (type ``adjust``) carries ``actor``; the member's audit item
    and the audit log's ``member.adjust`` entry (after = the answer) are written in the same
    transaction. Returns (status, body); with an Idempotency-Key a repeat returns the first
    (status, body) and writes nothing. More points than the programme's
    ``adjustment_approval_threshold`` apply only once a second operator approves them
    (``shared.adjustments``): 202 ``pending_approval``.
    """
    rules = programme.current()
    if needs_approval(cmd.points, rules.adjustment_approval_threshold):
        return adjustments.request(cmd, idempotency_key_of(cmd), now, rules)
    adjustment_id = new_adjustment_id(now)
    change = adjustment_change(cmd.member_id, cmd.points, cmd.reason, adjustment_id, now, rules)
    body = {
        "adjustment_id": adjustment_id,
        "entry_id": f"adjust:{adjustment_id}",
        "member_id": cmd.member_id,
        "type": kinds.ADJUST,
        "points": cmd.points,
        "reason": cmd.reason,
        "actor": cmd.actor,
        "at": iso_local(now, rules.zone),
    }
    audit = Audit(
        cmd.member_id, "adjust", cmd.actor, cmd.reason, now, points=cmd.points, ref=adjustment_id
    )
    target = _member(cmd.member_id)
    logged = audit_log.entry(
        now, cmd.actor, adjustments.REQUEST_ACTION, target, after=body, reason=cmd.reason
    )
    replay = operators_repo.adjust(
        change,
        rules,
        audit,
        logged,
        allow_debt=cmd.allow_debt,
        idem=idempotency_key_of(cmd),
        response=(201, body),
    )
    if replay is not None:
        return replay.status, replay.body
    return 201, body


def _member(member_id: str) -> str:
    return audit_log.target("member", member_id)


def _shown(status: str) -> dict[str, Any]:
    return {"status": shown_status(status), "frozen_scope": frozen_scope(status)}


def _set_status(
    member_id: str, scope: str, freeze: bool, reason: str, actor: str, now: datetime
) -> dict:
    """Freeze or unfreeze ``scope`` (``all``, ``earning``, ``redeeming``): the new status
    follows from the one read, which the write's condition pins (a concurrent change makes
    it read again). A change that changes nothing writes nothing (``changed``: false)."""
    action = "freeze" if freeze else "unfreeze"
    for _ in range(8):
        was = operators_repo.status_of(member_id)
        status = status_after(was, scope, freeze=freeze)
        changed = status != was
        if changed:
            logged = audit_log.entry(
                now,
                actor,
                f"member.{action}",
                _member(member_id),
                before=_shown(was),
                after=_shown(status),
                reason=reason,
            )
            ref = None if scope == ALL else scope
            trail = Audit(member_id, action, actor, reason, now, ref=ref)
            if not operators_repo.set_status(status, was, trail, logged):
                continue
        return {
            "member_id": member_id,
            **_shown(status),
            "changed": changed,
            "reason": reason,
            "actor": actor,
            "at": iso_local(now, programme.current().zone),
        }
    raise Contention("the member is changing quickly; retry the request")


def freeze(
    member_id: str, reason: str, actor: str, now: datetime, scope: str = ALL
) -> dict[str, Any]:
    """Freeze ``scope``: earning (the member earns nothing), redeeming (cannot redeem, draw,
    transfer or hold points) or all. Freezing what is frozen changes nothing (``changed``:
    false) and is not audited again."""
    return _set_status(member_id, scope, True, reason, actor, now)


def unfreeze(
    member_id: str, reason: str, actor: str, now: datetime, scope: str = ALL
) -> dict[str, Any]:
    """Unfreeze ``scope`` (all: whatever is frozen)."""
    return _set_status(member_id, scope, False, reason, actor, now)


def _audit_view(audit: Audit, zone: Any) -> dict[str, Any]:
    view = {"at": iso_local(audit.at, zone)}
    view |= {f: getattr(audit, f) for f in ("action", "actor", "reason", "points", "ref")}
    return {k: v for k, v in view.items() if v is not None}  # points, ref: when they apply


def member_file(member_id: str, now: datetime, *, reveal: bool = False) -> dict[str, Any]:
    """``GET /v1/admin/members/{id}``: the member's view plus referral, activity and flags,
    the 20 most recent operator actions and the contact details, masked unless ``reveal``
    (``shared.contacts.reveal``: audited)."""
    rules = programme.current()
    member = members_repo.load(member_id)
    view = members.view(member, now, rules)
    today = local_date(now, rules.zone).isoformat()
    view.update(
        {
            "referred_by": member.referred_by,
            "referrer_chain": member.referrer_chain,
            "last_checkin": member.checkin_last,
            "activity_points_today": (member.activity_points or 0)
            if member.activity_day == today
            else 0,
            "joined_at": member.joined_at,
            "flags": {
                "frozen": member.status != ACTIVE,  # what is frozen: frozen_scope
                "in_debt": member.balance < 0,
                "referral_bonus_pending": member.first_purchase_rewarded is False,
            },
            "audit": [_audit_view(a, rules.zone) for a in operators_repo.audit_trail(member_id)],
            "contact": (clear if reveal else masked)(
                Contact(member.phone, member.email, member.name)
            ),
        }
    )
    return view


def member_ledger(member_id: str, limit: int, cursor: str | None, locale: str) -> dict[str, Any]:
    """The member's ledger with ``balance_after`` and each adjustment's ``actor`` (the first
    page of an unknown member is 404 ``member_not_found``), its text in the operator's
    ``locale`` (not the member's saved one)."""
    return members.ledger(member_id, limit, cursor, lambda _saved: locale, with_actor=True)
