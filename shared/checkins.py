"""Use case: the member's daily check-in (SPEC §3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared import programme
from shared.domain import ledger as kinds
from shared.domain.activity import apply_cap
from shared.domain.calendar import local_date
from shared.domain.checkins import checkin_points
from shared.domain.ledger import Credit
from shared.domain.lots import expiry_date
from shared.dynamodb import activity as repo
from shared.dynamodb import members
from shared.errors import AlreadyCheckedIn, Contention, MemberFrozen


def check_in(member_id: str, now: datetime) -> dict[str, Any]:
    """Credit today's check-in once (today in the programme's time zone).

    ``points`` is what was credited: the check-in points plus the streak bonus reached
    today, limited by the daily activity cap (``capped`` says how much was not credited).
    Even a fully capped check-in counts for the streak.
    """
    rules = programme.current()
    today = local_date(now, rules.zone)
    member = members.get(member_id)
    for _ in range(8):
        if member.status != "active":
            raise MemberFrozen(f"member {member_id!r} is frozen")
        last = date.fromisoformat(member.checkin_last) if member.checkin_last else None
        if last == today:
            raise AlreadyCheckedIn(f"already checked in on {today.isoformat()}")
        earned = checkin_points(
            last, int(member.checkin_streak or 0), today, rules.checkin_points, rules.streak_bonuses
        )
        cap = apply_cap(
            earned.points,
            today,
            member.activity_day,
            int(member.activity_points or 0),
            rules.daily_activity_cap,
        )
        description = f"Daily check-in (day {earned.streak})"
        if earned.bonus:
            description += f", streak bonus +{earned.bonus}"
        credit = Credit(
            member_id=member_id,
            type=kinds.EARN,
            source="checkin",
            ref=today.isoformat(),
            points=cap.credited,
            at=now,
            earned_on=today,
            expires_on=expiry_date(today, rules.validity),
            description=description,
        )
        try:
            repo.record(
                credit,
                rules,
                repo.Seen.of(member, today),
                day=today.isoformat(),
                day_total=cap.day_total,
                streak=earned.streak,
            )
        except repo.AlreadyDone:
            raise AlreadyCheckedIn(f"already checked in on {today.isoformat()}") from None
        except repo.Stale as stale:
            member = stale.member
            continue
        return {
            "date": today.isoformat(),
            "points": cap.credited,
            "streak": earned.streak,
            "bonus": earned.bonus,
            "capped": cap.capped,
        }
    raise Contention("the member is changing quickly; retry the request")
