"""Data access for points at checkout: holds, their capture, release and expiry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from shared import clock
from shared.clock import utc_iso
from shared.domain.checkout import Hold
from shared.domain.ledger import Debit
from shared.dynamodb import keys, ledger
from shared.dynamodb.models.base import as_plain
from shared.dynamodb.models.checkout import HoldItem
from shared.dynamodb.models.members import MemberItem
from shared.dynamodb.tx import Cancelled, Retry, Tx, image, run
from shared.dynamodb.values import row_at, row_of, value_of
from shared.errors import InsufficientPoints

HOLD = "hold"


def hold_of(item: HoldItem) -> Hold:
    return value_of(item, Hold)


def _key(hold_id: str) -> HoldItem:
    return HoldItem(pk=keys.hold_pk(hold_id), sk=keys.HOLD_SK)


def get(hold_id: str) -> Hold | None:
    item = row_at(HoldItem, keys.hold_pk(hold_id), keys.HOLD_SK)
    return hold_of(item) if item is not None else None


def _current(cancelled: Cancelled, hold_id: str) -> Hold | None:
    item = image(cancelled.failed.get(HOLD), HoldItem)
    return hold_of(item) if item is not None else get(hold_id)


def place(hold: Hold, shards: int) -> Hold | None:
    """Hold the points: ``held`` +p and ``spendable`` −p on the member (condition: active and
    enough spendable), and the hold item, in one transaction. Returns the existing hold
    when ``hold_id`` was used before (the caller compares), else None."""
    points = hold.points
    item = row_of(
        HoldItem,
        hold,
        pk=keys.hold_pk(hold.hold_id),
        sk=keys.HOLD_SK,
        order_pk=keys.order_pk(hold.order_id),
        exp_pk=keys.hold_expiry_pk(keys.shard_of(hold.hold_id, shards)),
        exp_sk=keys.hold_expiry_sk(hold.expires_at, hold.hold_id),
    )

    def attempt() -> Hold | None:
        tx = Tx()
        tx.update(
            ledger.PROFILE,
            ledger.profile(hold.member_id),
            [
                MemberItem.held.add(points),
                MemberItem.spendable.add(-points),
                MemberItem.holds[hold.hold_id].set(
                    {"points": points, "expires_at": hold.expires_at}
                ),
            ],
            condition=ledger.active_with(points),
        )
        tx.put(HOLD, item, condition=HoldItem.pk.does_not_exist())
        try:
            tx.commit()
        except Cancelled as cancelled:
            if HOLD in cancelled:
                return hold_of(image(cancelled.failed[HOLD], HoldItem))
            profile = cancelled.failed.get(ledger.PROFILE)
            raise free_or_refuse(profile, hold.member_id, points) from None
        return None

    return run(attempt)


def _end(
    hold: Hold, status: str, at: datetime, profile: list, debit: Debit | None = None
) -> Hold | None:
    """End the active hold (a capture only before its time) with the member's ``profile``
    actions, in one transaction. Returns None on success, else the hold's current state."""
    condition = HoldItem.status == "active"
    if debit is not None:
        condition &= HoldItem.expires_at > utc_iso(at)
    ended = [HoldItem.status.set(status), HoldItem.ended_at.set(utc_iso(at))]
    ended += [HoldItem.exp_pk.remove(), HoldItem.exp_sk.remove()]
    profile = [*profile, MemberItem.holds[hold.hold_id].remove()]

    def attempt() -> Hold | None:
        tx = Tx()
        tx.update(HOLD, _key(hold.hold_id), ended, condition=condition)
        member = ledger.profile(hold.member_id)
        tx.update(ledger.PROFILE, member, profile, condition=MemberItem.pk.exists())
        if debit is not None:
            ledger.add_entry(tx, debit, -hold.points, order_id=hold.order_id)
        try:
            tx.commit()
        except Cancelled as cancelled:
            return _current(cancelled, hold.hold_id)
        return None

    return run(attempt)


def capture(hold: Hold, debit: Debit, at: datetime) -> Hold | None:
    """Spend the held points (ledger ``checkout``): balance and held drop, lots are consumed
    FIFO like any spend (spendable already went down when the points were held)."""
    points = hold.points
    spent = [MemberItem.balance.add(-points), MemberItem.held.add(-points)]
    spent += [MemberItem.consumed.add(points), MemberItem.ver.add(1)]
    return _end(hold, "captured", at, spent, debit)


def release(hold: Hold, status: str, at: datetime) -> Hold | None:
    """Give the held points back (``released`` by the shop, or ``expired``)."""
    freed = [MemberItem.held.add(-hold.points), MemberItem.spendable.add(hold.points)]
    return _end(hold, status, at, freed)


def expired(shard: int, before_utc: str) -> Iterator[Hold]:
    """Active holds whose time ran out, one shard of the ``by_expiry`` index."""
    condition = HoldItem.exp_sk < before_utc
    for item in HoldItem.by_expiry.query(keys.hold_expiry_pk(shard), condition):
        yield hold_of(item)


def lapsed(holds: dict[str, Any] | None, now_utc: str) -> list[str]:
    """Ids of a member's holds (``MemberItem.holds``) that have run out."""
    return [
        hold_id for hold_id, h in (holds or {}).items() if str(h.get("expires_at", "")) <= now_utc
    ]


def release_lapsed(member_id: str, hold_ids: list[str], now: datetime) -> bool:
    """Release these run-out holds now (the sweep would, a little later); True if any was."""
    released = False
    for hold_id in hold_ids:
        hold = get(hold_id)
        if hold is not None and hold.member_id == member_id and hold.status == "active":
            released |= release(hold, "expired", now) is None
    return released


def free_or_refuse(raw: dict[str, Any] | None, member_id: str, points: int) -> Exception:
    """A spend's profile condition failed (``raw``: the profile's old image). Holds past
    their time never count against spendable: when some were in the way, release them and
    return :class:`Retry` (raise it inside a ``run()`` attempt: the spend is tried again);
    otherwise return the error :func:`ledger.spend_refusal` classifies."""
    refused = ledger.spend_refusal(raw, member_id, points)
    if isinstance(refused, InsufficientPoints):
        now = clock.now()
        member = image(raw, MemberItem)
        if release_lapsed(member_id, lapsed(as_plain(member.holds), utc_iso(now)), now):
            return Retry()
    return refused
