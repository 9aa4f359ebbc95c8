"""Data access for the expiry and reminder jobs: due lots, settlement, reminders, runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso
from shared.domain.ledger import Debit
from shared.domain.lots import Extension
from shared.dynamodb import keys
from shared.dynamodb.members import PROFILE, add_debit
from shared.dynamodb.models import AuditItem, JobRunItem, LotItem, MemberItem, OutboxItem
from shared.dynamodb.tx import Cancelled, Tx


def members_with_lots_in(shard: int, start: date | None, end: date) -> Iterator[str]:
    """Members with open lots whose last day is in [start, end), one shard of the
    ``by_expiry`` index, each once, paging lazily (lots settled meanwhile drop out)."""
    high = keys.expiry_before(end)
    if start is None:
        condition = LotItem.exp_sk < high
    else:
        condition = LotItem.exp_sk.between(start.isoformat(), high)
    seen: set[str] = set()
    for lot in LotItem.by_expiry.query(keys.expiry_pk(shard), condition):
        if lot.exp_sk < high and lot.member_id not in seen:
            seen.add(lot.member_id)
            yield lot.member_id


def open_lots(member_id: str, before: date | None = None) -> list[LotItem]:
    """A member's open lots (consistent), optionally only those whose last day is < before."""
    pk = keys.member_pk(member_id)
    if before is None:
        condition = LotItem.sk.startswith(keys.LOT)
    else:
        condition = LotItem.sk.between(keys.LOT, keys.LOT + before.isoformat())
    return list(LotItem.query(pk, condition, consistent_read=True))


def settle(
    member: MemberItem, lots: list[LotItem], settled_after: int, expire: Debit | None
) -> None:
    """Close ``lots`` and expire ``expire.points`` (if any) in one transaction.

    Guarded by the member's ``ver`` (nothing changed since it was read) and by every lot
    still existing, so a re-run or a concurrent run cannot settle or expire anything twice.
    Raises :class:`Cancelled` when the member or a lot moved; the caller re-reads.
    """
    tx = Tx()
    guard = MemberItem.ver == member.ver
    settle_action = MemberItem.settled.set(settled_after)
    if expire is not None:
        add_debit(tx, expire, condition=guard, extra_actions=(settle_action,))
    else:
        profile = MemberItem(pk=member.pk, sk=keys.PROFILE)
        tx.update(PROFILE, profile, [settle_action, MemberItem.ver.add(1)], condition=guard)
    for lot in lots:
        tx.delete(f"lot:{lot.sk}", LotItem(pk=lot.pk, sk=lot.sk), condition=LotItem.pk.exists())
    tx.commit()


def add_reminder(
    member_id: str,
    threshold_days: int,
    expires_on: date,
    event_id: str,
    outbox: dict[str, str],
    at: datetime,
) -> bool:
    """Put the reminder marker (an outbox item); False if this reminder was already sent."""
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
    try:
        tx.commit()
    except Cancelled:
        return False
    return True


def get_run(job: str, run: str) -> JobRunItem | None:
    try:
        return JobRunItem.get(keys.job_pk(job), keys.job_run_sk(run), consistent_read=True)
    except DoesNotExist:
        return None


def save_run(
    job: str, run: str, next_shard: int, complete: bool, stats: dict[str, Any], at: datetime
) -> None:
    JobRunItem(
        pk=keys.job_pk(job),
        sk=keys.job_run_sk(run),
        job=job,
        run=run,
        next_shard=next_shard,
        complete="yes" if complete else "no",
        stats=stats,
        updated_at=utc_iso(at),
    ).save()


def lots_page(lots: list[LotItem], size: int) -> Iterator[list[LotItem]]:
    for start in range(0, len(lots), size):
        yield lots[start : start + size]


def apply_extension(
    member: MemberItem, lots: dict[str, LotItem], ext: Extension, audit: AuditItem, shards: int
) -> None:
    """Write a goodwill extension: shrink, close or move lots, as one transaction guarded by
    the member's version (nothing was spent or earned since the lots were read)."""
    tx = Tx()
    tx.update(
        PROFILE,
        MemberItem(pk=member.pk, sk=keys.PROFILE),
        [MemberItem.settled.set(ext.settled_after), MemberItem.ver.add(1)],
        condition=MemberItem.ver == member.ver,
    )
    for change in ext.changes:
        old = lots[change.key]
        label = f"lot:{old.sk}"
        if change.left == 0 or change.new_expires_on != change.expires_on:
            tx.delete(label, LotItem(pk=old.pk, sk=old.sk), condition=LotItem.pk.exists())
        if change.left and change.new_expires_on != change.expires_on:
            sk = keys.lot_sk(change.new_expires_on, old.source, old.ref)
            tx.put(
                f"moved:{sk}",
                LotItem(
                    pk=old.pk,
                    sk=sk,
                    member_id=old.member_id,
                    points=change.left,
                    expires_on=change.new_expires_on.isoformat(),
                    source=old.source,
                    ref=old.ref,
                    earned_at=old.earned_at,
                    exp_pk=keys.expiry_pk(keys.shard_of(old.member_id, shards)),
                    exp_sk=keys.expiry_sk(change.new_expires_on, old.member_id, sk),
                ),
                condition=LotItem.pk.does_not_exist(),
            )
        elif change.left:
            tx.update(
                label,
                LotItem(pk=old.pk, sk=old.sk),
                [LotItem.points.set(change.left)],
                condition=LotItem.pk.exists(),
            )
    tx.put("audit", audit, condition=AuditItem.pk.does_not_exist())
    tx.commit()
