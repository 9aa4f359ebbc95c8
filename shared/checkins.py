"""Use case: the member's daily check-in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.activity import apply_cap
from shared.domain.calendar import local_date
from shared.domain.checkins import checkin_points
from shared.domain.members import can_earn
from shared.dynamodb import activity as activity_repo
from shared.errors import AlreadyCheckedIn, Contention, MemberFrozen


def check_in(member_id: str, now: datetime) -> dict[str, Any]:
    """Credit today's check-in once (today in the programme's time zone).

    ``points`` is what was credited: the check-in points plus the streak bonus reached
    today, limited by the daily activity cap (``capped`` says how much was not credited).
    Even a fully capped check-in counts for the streak.
    """
    rules = programme.current()
    today = local_date(now, rules.zone)
    seen = activity_repo.read(member_id, today)
    for _ in range(8):
        if not can_earn(seen.status):
            raise MemberFrozen(f"member {member_id!r} is frozen for earning")
        last = date.fromisoformat(seen.checkin_last) if seen.checkin_last else None
        if last == today:
            raise AlreadyCheckedIn(f"already checked in on {today.isoformat()}")
        earned = checkin_points(
            last, seen.checkin_streak, today, rules.checkin_points, rules.streak_bonuses
        )
        cap = apply_cap(
            earned.points, today, seen.activity_day, seen.activity_points, rules.daily_activity_cap
        )
        credit = kinds.credit(
            member_id,
            "checkin",
            today.isoformat(),
            cap.credited,
            "checkin_bonus" if earned.bonus else "checkin",
            {"streak": earned.streak, "bonus": earned.bonus},
            at=now,
            rules=rules,
        )
        try:
            activity_repo.record(
                credit,
                rules,
                seen,
                day=today.isoformat(),
                day_total=cap.day_total,
                streak=earned.streak,
            )
        except activity_repo.AlreadyDone:
            raise AlreadyCheckedIn(f"already checked in on {today.isoformat()}") from None
        except activity_repo.Stale as stale:
            seen = stale.seen
            continue
        return {
            "date": today.isoformat(),
            "points": cap.credited,
            "streak": earned.streak,
            "bonus": earned.bonus,
            "capped": cap.capped,
        }
    raise Contention("the member is changing quickly; retry the request")
