"""Use cases of points expiry (SPEC §5): the daily job, reminders before expiry."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from msgspec import Struct

from shared import events, programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.ledger import Debit
from shared.domain.lots import Lot, expiring, extend, settle
from shared.dynamodb import expiry as repo
from shared.dynamodb import keys
from shared.dynamodb import members as members_repo
from shared.dynamodb.models import AuditItem
from shared.dynamodb.tx import Cancelled
from shared.errors import Conflict, Contention, Invalid
from shared.observability import logger

MAX_LOTS_PER_TX = 95  # + the member update and the ledger entry, under the 100-item limit
REMINDER_THRESHOLDS = (30, 7)

TimeLeft = Callable[[], float]


def _forever() -> float:
    return math.inf


def _settle_member(member_id: str, today: date, now: datetime) -> tuple[int, int]:
    """Settle every due lot of one member; returns (lots closed, points expired)."""
    closed = expired = 0
    part = 0
    for _ in range(20):  # bounded: each pass closes a chunk or re-reads after a race
        member = members_repo.find(member_id)
        due = repo.open_lots(member_id, before=today)
        if member is None or not due:
            break
        chunk = due[:MAX_LOTS_PER_TX]
        outcome = settle(
            sum(int(lot.points) for lot in chunk),
            int(member.consumed),
            int(member.settled),
            int(member.spendable),
        )
        debit = None
        if outcome.expire > 0:
            debit = Debit(
                member_id=member_id,
                type=kinds.EXPIRE,
                source="expiry",
                ref=today.isoformat() if part == 0 else f"{today.isoformat()}.{part}",
                points=outcome.expire,
                at=now,
                description=f"Points expired ({len(chunk)} lot(s) past their date)",
            )
        try:
            repo.settle(member, chunk, outcome.settled_after, debit)
        except Cancelled as cancelled:
            if members_repo.ENTRY in cancelled:  # an earlier chunk of this run used the ref
                part += 1
            continue  # the member or a lot changed meanwhile: read again
        part += 1
        closed += len(chunk)
        expired += outcome.expire
        if len(due) == len(chunk):
            break  # nothing more due: no need to read again
    return closed, expired


def run_expiry(now: datetime, time_left: TimeLeft = _forever) -> dict[str, Any]:
    """Expire what is left of every lot whose last valid day is before today.

    Work comes from the ``by_expiry`` index (only lots due), one shard at a time, so the cost
    follows the lots due, not the members. Progress is checkpointed per shard in the run's
    record; a run stopped for time resumes at the shard it was in. Re-running the same day
    finds nothing due and changes nothing.
    """
    rules = programme.current()
    today = local_date(now, rules.zone)
    run = today.isoformat()
    previous = repo.get_run("expire", run)
    stats: dict[str, Any] = {"members": 0, "lots": 0, "expired_points": 0}
    first_shard = 0
    if previous is not None and previous.complete != "yes":
        first_shard = int(previous.next_shard)
        stats = {k: int(v) for k, v in (previous.stats.as_dict() or {}).items()} or stats
    for shard in range(first_shard, rules.expiry_shards):
        for member_id in repo.members_with_lots_in(shard, None, today):
            if time_left() < 10:
                repo.save_run("expire", run, shard, False, stats, now)
                logger.info("expiry paused", extra={"run": run, "shard": shard, **stats})
                return {
                    "job": "expire",
                    "run": run,
                    "complete": False,
                    "processed": stats["members"],
                    **stats,
                }
            closed, expired = _settle_member(member_id, today, now)
            if closed:  # 0: a stale index entry, or a member contended 20 times (next run)
                stats["members"] += 1
                stats["lots"] += closed
                stats["expired_points"] += expired
        repo.save_run("expire", run, shard + 1, shard + 1 == rules.expiry_shards, stats, now)
        logger.info("expiry shard done", extra={"run": run, "shard": shard, **stats})
    return {"job": "expire", "run": run, "complete": True, "processed": stats["members"], **stats}


def run_reminders(now: datetime, time_left: TimeLeft = _forever) -> dict[str, Any]:
    """Announce points expiring within 30 and within 7 days, once per member, date and
    threshold (a marker item per reminder doubles as the event's outbox record)."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    sent = 0
    members_seen: set[str] = set()
    for threshold in REMINDER_THRESHOLDS:
        end = today + timedelta(days=threshold + 1)  # through today + threshold days
        for shard in range(rules.expiry_shards):
            for member_id in repo.members_with_lots_in(shard, today, end):
                if time_left() < 10:
                    return {
                        "job": "expiry-reminders",
                        "complete": False,
                        "processed": sent,
                        "reminders": sent,
                    }
                members_seen.add(member_id)
                sent += _remind(member_id, threshold, today, end, now)
    return {
        "job": "expiry-reminders",
        "complete": True,
        "processed": sent,
        "reminders": sent,
        "members": len(members_seen),
    }


def _remind(member_id: str, threshold: int, today: date, end: date, now: datetime) -> int:
    member = members_repo.find(member_id)
    if member is None:
        return 0
    lots = [
        Lot(date.fromisoformat(lot.expires_on), int(lot.points))
        for lot in repo.open_lots(member_id)
    ]
    sent = 0
    for lot in expiring(lots, int(member.consumed), int(member.settled)):
        if not today <= lot.expires_on < end:
            continue
        points = lot.points
        event_id = f"expiring:{member_id}:{lot.expires_on.isoformat()}:{threshold}"
        detail = {
            "member_id": member_id,
            "points": points,
            "expires_on": lot.expires_on.isoformat(),
            "threshold_days": threshold,
        }
        if repo.add_reminder(
            member_id,
            threshold,
            lot.expires_on,
            event_id,
            events.outbox(event_id, events.POINTS_EXPIRING_SOON, detail),
            now,
        ):
            sent += 1
    return sent


class ExtensionRequest(Struct, frozen=True):
    """An operator's goodwill extension of a member's expiring points."""

    member_id: str
    reason: str
    actor: str
    through: date | None = None  # lots whose last day is on or before this; None = 30 days
    to: date | None = None  # new last day, or
    days: int | None = None  # each lot's last day moved by this many days


def extend_expiry(cmd: ExtensionRequest, now: datetime) -> dict[str, Any]:
    """Goodwill: move a member's expiring points to a later date, audited."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    through = cmd.through or today + timedelta(days=30)
    for _ in range(5):
        member = members_repo.get(cmd.member_id)
        items = {lot.sk: lot for lot in repo.open_lots(cmd.member_id)}
        move: dict[str, date] = {}
        for key, lot in items.items():
            last_day = date.fromisoformat(lot.expires_on)
            if today <= last_day <= through:
                move[key] = cmd.to or last_day + timedelta(days=cmd.days or 0)
        if cmd.to is not None and any(new <= through for new in move.values()):
            raise Invalid(
                "the new date must be after the last day of every lot it moves",
                details={"fields": {"to": f"must be after {through.isoformat()}"}},
            )
        ext = extend(
            [(k, Lot(date.fromisoformat(v.expires_on), int(v.points))) for k, v in items.items()],
            int(member.consumed),
            int(member.settled),
            move,
        )
        if not ext.moved:
            raise Conflict("no points expire in that period", code="nothing_to_extend")
        if len(ext.changes) * 2 + 2 > 100:
            raise Conflict("too many lots to move at once; narrow the period", code="too_many_lots")
        moved = [
            {"points": c.left, "from": c.expires_on.isoformat(), "to": c.new_expires_on.isoformat()}
            for c in ext.moved
        ]
        audit = AuditItem(
            pk=member.pk,
            sk=keys.audit_sk(members_repo.utc_iso(now), "expiry_extension"),
            member_id=cmd.member_id,
            action="expiry_extension",
            actor=cmd.actor,
            reason=cmd.reason,
            at=members_repo.utc_iso(now),
            points=sum(m["points"] for m in moved),
            ref=";".join(f"{m['from']}->{m['to']}" for m in moved),
        )
        try:
            repo.apply_extension(member, items, ext, audit, rules.expiry_shards)
        except Cancelled:
            continue  # the member spent or earned meanwhile: plan again
        return {"member_id": cmd.member_id, "moved": moved, "reason": cmd.reason}
    raise Contention("the member's points are changing quickly; retry the request")
