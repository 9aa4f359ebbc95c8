"""Use cases of members' contact details for staff: find members by phone or e-mail (masked),
and the audited reveal of one member's details in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import members, operators, programme
from shared.domain import audit
from shared.domain.calendar import iso_local
from shared.domain.contacts import Contact, masked
from shared.domain.members import shown_status
from shared.domain.tiers import standing
from shared.dynamodb import audit as audit_repo
from shared.dynamodb import contacts as contacts_repo
from shared.validation import invalid

REVEAL = "member.reveal"


def find_members(
    phone: str | None, email: str | None, limit: int, cursor: str | None, now: datetime
) -> dict[str, Any]:
    """``GET /v1/admin/members?phone=|email=``: the members with exactly this (normalised)
    phone or e-mail, by member id, their contact details masked. Exactly one of the two."""
    if (phone is None) == (email is None):
        problem = "give exactly one of phone and email"
        raise invalid({"phone": problem, "email": problem})
    kind, value = ("phone", phone) if phone is not None else ("email", email or "")
    found, next_cursor = contacts_repo.members_with(kind, value, limit, cursor)
    rules = programme.current()
    items = [
        {
            "member_id": m.member_id,
            "status": shown_status(m.status),  # a partial freeze shows "frozen"
            "tier": standing(m.tier, members.qualifying_points(m, now, rules), rules.tiers).tier,
            "balance": m.balance,
            "registered_at": iso_local(datetime.fromisoformat(m.registered_at), rules.zone),
            "contact": masked(Contact(m.phone, m.email, m.name)),
        }
        for m in found
    ]
    return {"items": items, "next_cursor": next_cursor}


def reveal(member_id: str, reason: str | None, actor: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/admin/members/{id}?reveal=true``: the member's file with the contact details
    in clear. The ``member.reveal`` audit entry (which details were shown, never their
    values) is written before anything is answered; an unknown member is 404 and unaudited."""
    view = operators.member_file(member_id, now, reveal=True)
    shown = sorted(name for name, value in view["contact"].items() if value is not None)
    audit_repo.record(
        audit.entry(
            now,
            actor,
            REVEAL,
            audit.target("member", member_id),
            after={"revealed": shown},
            reason=reason,
        )
    )
    return view
