"""Data access for points at checkout: holds, their capture, release and expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso
from shared.domain.ledger import Debit
from shared.dynamodb import keys
from shared.dynamodb import members as members_repo
from shared.dynamodb.members import PROFILE, add_entry
from shared.dynamodb.models import HoldItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, image

HOLD = "hold"


def get(hold_id: str) -> HoldItem | None:
    try:
        return HoldItem.get(keys.hold_pk(hold_id), keys.HOLD_SK, consistent_read=True)
    except DoesNotExist:
        return None


def place(hold: HoldItem, shards: int) -> HoldItem | None:
    """Hold the points: ``held`` +p and ``spendable`` −p on the member (condition: active and
    enough spendable), and the hold item, in one transaction. Returns the existing hold
    when ``hold_id`` was used before (the caller compares), else None."""
    points = int(hold.points)
    hold.exp_pk = keys.hold_expiry_pk(keys.shard_of(hold.hold_id, shards))
    hold.exp_sk = keys.hold_expiry_sk(hold.expires_at, hold.hold_id)
    hold.order_pk = keys.order_pk(hold.order_id)
    tx = Tx()
    tx.update(
        PROFILE,
        MemberItem(pk=keys.member_pk(hold.member_id), sk=keys.PROFILE),
        [
            MemberItem.held.add(points),
            MemberItem.spendable.add(-points),
            MemberItem.holds[hold.hold_id].set({"points": points, "expires_at": hold.expires_at}),
        ],
        condition=members_repo.active_with(points),
    )
    tx.put(HOLD, hold, condition=HoldItem.pk.does_not_exist())
    try:
        tx.commit()
    except Cancelled as cancelled:
        if HOLD in cancelled:
            return image(cancelled.failed[HOLD], HoldItem)
        raise members_repo.refusal(cancelled.failed.get(PROFILE), hold.member_id, points) from None
    return None


def _end(tx: Tx, hold: HoldItem, status: str, at: datetime, *, not_expired_at: str | None) -> None:
    condition = HoldItem.status == "active"
    if not_expired_at is not None:
        condition &= HoldItem.expires_at > not_expired_at
    tx.update(
        HOLD,
        HoldItem(pk=hold.pk, sk=hold.sk),
        [
            HoldItem.status.set(status),
            HoldItem.ended_at.set(utc_iso(at)),
            HoldItem.exp_pk.remove(),
            HoldItem.exp_sk.remove(),
        ],
        condition=condition,
    )


def capture(hold: HoldItem, debit: Debit, at: datetime) -> HoldItem | None:
    """Spend the held points (ledger ``checkout``): balance and held drop, lots are consumed
    FIFO like any spend. Returns None on success, else the hold's current image."""
    points = int(hold.points)
    tx = Tx()
    _end(tx, hold, "captured", at, not_expired_at=utc_iso(at))
    tx.update(  # spendable already went down when the points were held
        PROFILE,
        MemberItem(pk=keys.member_pk(hold.member_id), sk=keys.PROFILE),
        [
            MemberItem.balance.add(-points),
            MemberItem.held.add(-points),
            MemberItem.consumed.add(points),
            MemberItem.ver.add(1),
            MemberItem.holds[hold.hold_id].remove(),
        ],
        condition=MemberItem.pk.exists(),
    )
    add_entry(tx, debit, -points, order_id=hold.order_id)
    try:
        tx.commit()
    except Cancelled as cancelled:
        return image(cancelled.failed.get(HOLD), HoldItem) or get(hold.hold_id)
    return None


def release(hold: HoldItem, status: str, at: datetime) -> HoldItem | None:
    """Give the held points back (``released`` by the shop, or ``expired``)."""
    points = int(hold.points)
    tx = Tx()
    _end(tx, hold, status, at, not_expired_at=None)
    tx.update(
        PROFILE,
        MemberItem(pk=keys.member_pk(hold.member_id), sk=keys.PROFILE),
        [
            MemberItem.held.add(-points),
            MemberItem.spendable.add(points),
            MemberItem.holds[hold.hold_id].remove(),
        ],
        condition=MemberItem.pk.exists(),
    )
    try:
        tx.commit()
    except Cancelled as cancelled:
        return image(cancelled.failed.get(HOLD), HoldItem) or get(hold.hold_id)
    return None


def expired(shard: int, before_utc: str) -> Iterator[HoldItem]:
    """Active holds whose time ran out, one shard of the ``by_expiry`` index."""
    condition = HoldItem.exp_sk < before_utc
    yield from HoldItem.by_expiry.query(keys.hold_expiry_pk(shard), condition)


def expired_holds_of(member: MemberItem, now_utc: str) -> list[str]:
    """Ids of the member's holds that have run out but were not released yet."""
    holds: dict[str, Any] = (member.holds.as_dict() if member.holds else {}) or {}
    return [hold_id for hold_id, h in holds.items() if str(h.get("expires_at", "")) <= now_utc]
