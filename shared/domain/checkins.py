"""Daily check-in: one per calendar day in the programme's time zone, with streak bonuses."""

from __future__ import annotations

from datetime import date, timedelta

from msgspec import Struct


class CheckinPoints(Struct, frozen=True):
    """A check-in's streak day, base points and streak bonus."""

    streak: int  # consecutive days including today
    points: int  # check-in points plus the streak bonus, before the daily cap
    bonus: int  # the streak bonus reached today (0 on most days)


def next_streak(last: date | None, streak: int, today: date) -> int:
    """The streak after checking in ``today``: yesterday's streak + 1, or 1 after a gap."""
    if last is not None and last == today - timedelta(days=1):
        return streak + 1
    return 1


def current_streak(last: date | None, streak: int, today: date) -> int:
    """The streak as the member sees it: 0 once a whole day has been missed."""
    if last is not None and today - timedelta(days=1) <= last <= today:
        return streak
    return 0


def checkin_points(
    last: date | None,
    streak: int,
    today: date,
    points: int,
    bonuses: tuple[tuple[int, int], ...],
) -> CheckinPoints:
    """Points for checking in ``today``; a bonus is paid on the day the streak reaches one
    of ``bonuses``' days (default day 7 +30, day 30 +100), once per streak."""
    reached = next_streak(last, streak, today)
    bonus = sum(extra for day, extra in bonuses if day == reached)
    return CheckinPoints(streak=reached, points=points + bonus, bonus=bonus)
