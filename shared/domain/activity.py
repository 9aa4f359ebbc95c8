"""Activity points (check-ins and tasks): the daily cap and the periods of task limits."""

from __future__ import annotations

from datetime import date

from msgspec import Struct

ONCE, DAILY, WEEKLY = "once", "daily", "weekly"
LIMITS = (ONCE, DAILY, WEEKLY)


class Task(Struct, frozen=True):
    """A task members complete for points, with how often they may."""

    task_id: str
    name: str
    points: int
    limit: str  # once | daily | weekly
    active: bool = True
    verified: bool = False  # only a trusted system may report a completion (risk, SPEC §9d)


def task_ref(task_id: str, period: str) -> str:
    """Ledger ref of a task completion (``LEDGER#task#<task_id>#<period>``: once a period)."""
    return f"{task_id}#{period}"


class Capped(Struct, frozen=True):
    """What the daily activity cap lets a credit add, what it withholds, and the day's total."""

    credited: int  # points credited now
    capped: int  # points not credited because of the daily cap
    day_total: int  # activity points of the day after this credit


def apply_cap(points: int, day: date, counted_day: str | None, counted: int, cap: int) -> Capped:
    """Credit ``points`` only up to what is left of ``cap`` today.

    ``counted_day``/``counted`` are the member's running total (the day it belongs to and
    the points); a total of an earlier day no longer counts.
    """
    so_far = counted if counted_day == day.isoformat() else 0
    credited = max(0, min(points, cap - so_far))
    return Capped(credited=credited, capped=points - credited, day_total=so_far + credited)


def period(limit: str, day: date) -> str:
    """The period a task completion counts in: ``once``, the day, or the ISO week."""
    if limit == ONCE:
        return ONCE
    if limit == DAILY:
        return day.isoformat()
    if limit == WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"unknown task limit {limit!r}")
