"""Members give points to other members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from msgspec import Struct

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.ledger import Debit
from shared.dynamodb import idempotency
from shared.dynamodb import transfers as transfers_repo
from shared.errors import Invalid, TransferLimitReached


class Transfer(Struct, frozen=True):
    """A member's gift of points to another member."""

    from_member_id: str
    to_member_id: str
    points: int
    message: str | None
    idempotency_key: str | None = None
    request: dict[str, Any] | None = None  # the body, for the Idempotency-Key fingerprint


def send(cmd: Transfer, now: datetime) -> tuple[int, dict[str, Any]]:
    """One transaction moves the points; returns (status, body)."""
    if cmd.to_member_id == cmd.from_member_id:
        raise Invalid(
            "a member cannot transfer points to themselves",
            details={"fields": {"to_member_id": "must be another member"}},
        )
    rules = programme.current()
    if cmd.points > rules.transfer_max_points_per_day:
        raise TransferLimitReached(
            f"at most {rules.transfer_max_points_per_day} points may be sent a day"
        )
    key = None
    if cmd.idempotency_key:
        key = idempotency.Key(
            cmd.from_member_id,
            cmd.idempotency_key,
            idempotency.fingerprint("POST", "/v1/me/transfers", cmd.request),
        )
        replay = idempotency.find(key, now)
        if replay is not None:
            return replay.status, replay.body
    transfer_id = f"t-{uuid.uuid4().hex[:20]}"
    today = local_date(now, rules.zone)
    note = (cmd.message or "").strip()[:140]
    response = {
        "transfer_id": transfer_id,
        "points": cmd.points,
        "from_member_id": cmd.from_member_id,
        "to_member_id": cmd.to_member_id,
        "message": note or None,
    }
    plan = transfers_repo.Plan(
        out=Debit(
            cmd.from_member_id,
            kinds.TRANSFER_OUT,
            "transfer",
            transfer_id,
            cmd.points,
            now,
            **kinds.wording(
                "transfer_out_note" if note else "transfer_out",
                {"member": cmd.to_member_id, "note": note},
            ),
        ),
        into=kinds.credit(
            cmd.to_member_id,
            "transfer",
            transfer_id,
            cmd.points,
            "transfer_in_note" if note else "transfer_in",
            {"member": cmd.from_member_id, "note": note},
            at=now,
            rules=rules,
            kind=kinds.TRANSFER_IN,
        ),
        day=today,
        max_count=rules.transfer_max_per_day,
        max_points=rules.transfer_max_points_per_day,
        request=key,
        response=response,
        at=now,
    )
    replay = transfers_repo.send(plan, rules)
    if replay is not None:
        return replay.status, replay.body
    return 201, response
