"""Data access for points expiry: due lots, settlement, reminders, goodwill extensions.

Takes and returns domain values (:class:`Balances`, :class:`OpenLot`); transaction
cancellations come back as outcomes, never as exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from msgspec import Struct

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.domain.ledger import Debit
from shared.domain.lots import Extension, Lot
from shared.domain.members import Audit
from shared.dynamodb import audit as audit_log
from shared.dynamodb import keys
from shared.dynamodb.ledger import ENTRY, PROFILE, add_debit, new_lot
from shared.dynamodb.members import audit_row, find
from shared.dynamodb.models.jobs import OutboxItem
from shared.dynamodb.models.members import AuditItem, LotItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, run

SETTLED, REF_USED, CHANGED = "settled", "ref_used", "changed"  # outcomes of :func:`settle`


class Balances(Struct, frozen=True):
    """The member counters expiry works from, and the version that guards its writes."""

    member_id: str
    ver: int
    consumed: int
    settled: int
    spendable: int


class OpenLot(Struct, frozen=True):
    """An open lot: ``key`` identifies it within its member."""

    key: str
    expires_on: date
    points: int
    source: str
    ref: str
    earned_at: str

    @property
    def lot(self) -> Lot:
        return Lot(self.expires_on, self.points)


def balances(member_id: str) -> Balances | None:
    """The member's counters (consistent read); None if not registered."""
    member = find(member_id)
    if member is None:
        return None
    return Balances(member_id, member.ver, member.consumed, member.settled, member.spendable)


def members_with_lots_in(
    shard: int, start: date | None, end: date, after: str | None = None
) -> Iterator[tuple[str, str]]:
    """Members with open lots whose last day is in [start, end), one shard of the
    ``by_expiry`` index, each once, paging lazily (lots settled meanwhile drop out), with
    the index sort key they were found at; ``after``: from past that key on (a resume)."""
    high = keys.expiry_before(end)
    low = after if after is not None else start.isoformat() if start is not None else None
    condition = LotItem.exp_sk < high if low is None else LotItem.exp_sk.between(low, high)
    seen: set[str] = set()
    for lot in LotItem.by_expiry.query(keys.expiry_pk(shard), condition):
        if lot.exp_sk < high and lot.exp_sk != after and lot.member_id not in seen:
            seen.add(lot.member_id)
            yield lot.member_id, lot.exp_sk


def open_lots(member_id: str, before: date | None = None) -> list[OpenLot]:
    """A member's open lots (consistent), optionally only those whose last day is < before."""
    pk = keys.member_pk(member_id)
    if before is None:
        condition = LotItem.sk.startswith(keys.LOT)
    else:
        condition = LotItem.sk.between(keys.LOT, keys.LOT + before.isoformat())
    return [
        OpenLot(
            lot.sk,
            date.fromisoformat(lot.expires_on),
            int(lot.points),
            lot.source,
            lot.ref,
            lot.earned_at,
        )
        for lot in LotItem.query(pk, condition, consistent_read=True)
    ]


def _guard(member: Balances):
    return MemberItem.ver == member.ver  # nothing spent or earned since the read


def _profile(member: Balances) -> MemberItem:
    return MemberItem(pk=keys.member_pk(member.member_id), sk=keys.PROFILE)


def _lot_row(member: Balances, lot: OpenLot) -> LotItem:
    return LotItem(pk=keys.member_pk(member.member_id), sk=lot.key)


def settle(member: Balances, lots: list[OpenLot], settled_after: int, expire: Debit | None) -> str:
    """Close ``lots`` and expire ``expire.points`` (if any) in one transaction.

    Guarded by the member's ``ver`` (nothing changed since it was read) and by every lot
    still existing, so a re-run or a concurrent run cannot settle or expire anything twice.
    :data:`SETTLED`; :data:`REF_USED` when the expiry's ledger key is taken (an earlier
    chunk of the run); :data:`CHANGED` when the member or a lot moved (read again).
    """
    tx = Tx()
    guard = _guard(member)
    settle_action = MemberItem.settled.set(settled_after)
    if expire is not None:
        add_debit(tx, expire, condition=guard, extra_actions=(settle_action,))
    else:
        tx.update(
            PROFILE, _profile(member), [settle_action, MemberItem.ver.add(1)], condition=guard
        )
    for lot in lots:
        tx.delete(f"lot:{lot.key}", _lot_row(member, lot), condition=LotItem.pk.exists())
    try:
        tx.commit()
    except Cancelled as cancelled:
        return REF_USED if ENTRY in cancelled else CHANGED
    return SETTLED


def add_reminder(
    member_id: str,
    threshold_days: int,
    expires_on: date,
    event_id: str,
    outbox: dict[str, str],
    at: datetime,
) -> bool:
    """Put the reminder marker (an outbox item); False if this reminder was already sent.
    A transaction that meets another in progress on the marker (two runs at once) is tried
    again: the condition then decides."""
    item = OutboxItem(
        pk=keys.member_pk(member_id),
        sk=keys.reminder_sk(threshold_days, expires_on),
        member_id=member_id,
        at=utc_iso(at),
        ttl=int(datetime(expires_on.year, expires_on.month, expires_on.day).timestamp())
        + 60 * 86400,
        **outbox,
    )
    tx = Tx().put("reminder", item, condition=OutboxItem.pk.does_not_exist())
    return run(tx.committed)


def apply_extension(
    member: Balances,
    lots: dict[str, OpenLot],
    ext: Extension,
    logged: AuditEntry,
    shards: int,
) -> bool:
    """Write a goodwill extension: shrink, close or move lots, the member's audit trail item
    and the audit log's ``logged`` entry, as one transaction guarded by the member's version;
    False when the member spent or earned since the lots were read (plan again)."""
    tx = Tx()
    tx.update(
        PROFILE,
        _profile(member),
        [MemberItem.settled.set(ext.settled_after), MemberItem.ver.add(1)],
        condition=_guard(member),
    )
    for change in ext.changes:
        old = lots[change.key]
        label = f"lot:{old.key}"
        if change.left == 0 or change.new_expires_on != change.expires_on:
            tx.delete(label, _lot_row(member, old), condition=LotItem.pk.exists())
        if change.left and change.new_expires_on != change.expires_on:
            sk = keys.lot_sk(change.new_expires_on, old.source, old.ref)
            tx.put(
                f"moved:{sk}",
                new_lot(
                    member.member_id,
                    change.new_expires_on,
                    old.source,
                    old.ref,
                    change.left,
                    old.earned_at,
                    shards,
                ),
                condition=LotItem.pk.does_not_exist(),
            )
        elif change.left:
            tx.update(
                label,
                _lot_row(member, old),
                [LotItem.points.set(change.left)],
                condition=LotItem.pk.exists(),
            )
    moved = ext.moved
    entry = Audit(
        member.member_id,
        "expiry_extension",
        logged.actor,
        logged.reason,
        logged.at,
        sum(c.left for c in moved),
        ";".join(f"{c.expires_on.isoformat()}->{c.new_expires_on.isoformat()}" for c in moved),
    )
    item = audit_row(entry, "expiry_extension")
    tx.put("member_audit", item, condition=AuditItem.pk.does_not_exist())
    audit_log.add(tx, logged)
    return run(tx.committed)  # met another transaction on its items: the same one again
