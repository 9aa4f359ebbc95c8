"""Use cases of points expiry: the daily job, reminders before expiry, goodwill extensions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from msgspec import Struct

from shared import events, programme
from shared.domain import audit as audit_log
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.ledger import Debit
from shared.domain.lots import expiring, extend, settle
from shared.dynamodb import expiry as repo
from shared.errors import Conflict, Contention, Invalid, MemberNotFound
from shared.jobs.runner import Partitions, TimeLeft, fan_out, forever

EXPIRE_JOB, REMINDERS_JOB = "expire", "expiry-reminders"
MAX_LOTS_PER_TX = 95  # + the member update and the ledger entry, under the 100-item limit
REMINDER_THRESHOLDS = (30, 7)


def _settle_member(member_id: str, today: date, now: datetime) -> tuple[int, int]:
    """Settle every due lot of one member; returns (lots closed, points expired)."""
    closed = expired = 0
    part = 0
    for _ in range(20):  # bounded: each pass closes a chunk or re-reads after a race
        member = repo.balances(member_id)
        due = repo.open_lots(member_id, before=today)
        if member is None or not due:
            break
        chunk = due[:MAX_LOTS_PER_TX]
        outcome = settle(
            sum(lot.points for lot in chunk), member.consumed, member.settled, member.spendable
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
                **kinds.wording("expire", {"lots": len(chunk)}),
            )
        written = repo.settle(member, chunk, outcome.settled_after, debit)
        if written == repo.REF_USED:  # an earlier chunk of this run used the ref
            part += 1
        if written != repo.SETTLED:
            continue  # the member or a lot changed meanwhile: read again
        part += 1
        closed += len(chunk)
        expired += outcome.expire
        if len(due) == len(chunk):
            break  # nothing more due: no need to read again
    return closed, expired


def _over_lots(
    job: str,
    counters: tuple[str, ...],
    today: date,
    window: tuple[date | None, date],
    shards: int,
    step: Callable[[str], dict[str, int]],
) -> Partitions:
    """The day's run of ``job`` over the members with lots whose last day is in ``window``
    [start, end), shard by shard of ``by_expiry``; the first counter is its ``processed``.
    Run again after it completed, it scans again (a member contended or not yet in the
    index is picked up by the next retry; the steps never change anything twice)."""
    partitions = [(shard, *window) for shard in range(shards)]
    return Partitions(
        job,
        today.isoformat(),
        partitions,
        repo.members_with_lots_in,
        step,
        counters,
        processed=counters[0],
        once=False,
    )


def run_expiry(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """Expire what is left of every lot whose last valid day is before today.

    Work comes from the ``by_expiry`` index (only lots due), one task per shard, the shards
    worked in parallel on AWS (``fan_out``), so the cost follows the lots due, not the
    members. Each shard is checkpointed; a task stopped for time resumes where it stopped.
    Running again the same day scans again and finds nothing due (or what a contended member
    left): it changes nothing.
    """
    return fan_out(expiry_work(now), now, time_left)


def expiry_work(now: datetime) -> Partitions:
    """The expiry's run of ``now``'s day (what its coordinator and its shards' tasks do)."""
    rules = programme.current()
    today = local_date(now, rules.zone)

    def step(member_id: str) -> dict[str, int]:
        closed, expired = _settle_member(member_id, today, now)
        if not closed:  # a stale index entry, or a member contended 20 times (next run)
            return {}
        return {"members": 1, "lots": closed, "expired_points": expired}

    counters = ("members", "lots", "expired_points")
    return _over_lots(EXPIRE_JOB, counters, today, (None, today), rules.expiry_shards, step)


def run_reminders(now: datetime, time_left: TimeLeft = forever) -> dict[str, Any]:
    """Announce points expiring within 30 and within 7 days, once per member, date and
    threshold (a marker item per reminder doubles as the event's outbox record).

    Visits the members with lots due within the widest threshold (``by_expiry``), each once
    per run, one task per shard like the expiry; running again the same day sends nothing
    twice (the markers)."""
    return fan_out(reminders_work(now), now, time_left)


def reminders_work(now: datetime) -> Partitions:
    """The reminders' run of ``now``'s day."""
    rules = programme.current()
    today = local_date(now, rules.zone)
    horizon = today + timedelta(days=max(REMINDER_THRESHOLDS) + 1)

    def step(member_id: str) -> dict[str, int]:
        return {"members": 1, "reminders": _remind(member_id, today, now)}

    counters = ("reminders", "members")
    return _over_lots(REMINDERS_JOB, counters, today, (today, horizon), rules.expiry_shards, step)


def _remind(member_id: str, today: date, now: datetime) -> int:
    """Send the member's due reminders of every threshold; returns how many were new."""
    member = repo.balances(member_id)
    if member is None:
        return 0
    lots = [lot.lot for lot in repo.open_lots(member_id)]
    left = expiring(lots, member.consumed, member.settled)
    sent = 0
    for threshold in REMINDER_THRESHOLDS:
        end = today + timedelta(days=threshold + 1)  # through today + threshold days
        for lot in left:
            if today <= lot.expires_on < end:
                sent += _remind_once(member_id, lot.points, lot.expires_on, threshold, now)
    return sent


def _remind_once(
    member_id: str, points: int, expires_on: date, threshold: int, now: datetime
) -> int:
    event_id = f"expiring:{member_id}:{expires_on.isoformat()}:{threshold}"
    detail = {
        "member_id": member_id,
        "points": points,
        "expires_on": expires_on.isoformat(),
        "threshold_days": threshold,
    }
    outbox = events.outbox(event_id, events.POINTS_EXPIRING_SOON, detail)
    return int(repo.add_reminder(member_id, threshold, expires_on, event_id, outbox, now))


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
        member = repo.balances(cmd.member_id)
        if member is None:
            raise MemberNotFound(f"member {cmd.member_id!r} is not registered")
        items = {lot.key: lot for lot in repo.open_lots(cmd.member_id)}
        move: dict[str, date] = {}
        for key, lot in items.items():
            if today <= lot.expires_on <= through:
                move[key] = cmd.to or lot.expires_on + timedelta(days=cmd.days or 0)
        if cmd.to is not None and any(new <= through for new in move.values()):
            raise Invalid(
                "the new date must be after the last day of every lot it moves",
                details={"fields": {"to": f"must be after {through.isoformat()}"}},
            )
        ext = extend([(k, v.lot) for k, v in items.items()], member.consumed, member.settled, move)
        if not ext.moved:
            raise Conflict("no points expire in that period", code="nothing_to_extend")
        if len(ext.changes) * 2 + 3 > 100:  # + the member, its trail item, the log entry
            raise Conflict("too many lots to move at once; narrow the period", code="too_many_lots")
        moved = [
            {"points": c.left, "from": c.expires_on.isoformat(), "to": c.new_expires_on.isoformat()}
            for c in ext.moved
        ]
        logged = audit_log.entry(
            now,
            cmd.actor,
            "member.extend_expiry",
            audit_log.target("member", cmd.member_id),
            before={"expiring": [{"points": m["points"], "expires_on": m["from"]} for m in moved]},
            after={"expiring": [{"points": m["points"], "expires_on": m["to"]} for m in moved]},
            reason=cmd.reason,
        )
        if not repo.apply_extension(member, items, ext, logged, rules.expiry_shards):
            continue  # the member spent or earned meanwhile: plan again
        return {"member_id": cmd.member_id, "moved": moved, "reason": cmd.reason}
    raise Contention("the member's points are changing quickly; retry the request")
