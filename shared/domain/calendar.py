"""Dates in the programme's time zone and month arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def iso_local(instant: datetime, zone: ZoneInfo) -> str:
    """ISO-8601 with the programme's offset, to the second."""
    return instant.astimezone(zone).isoformat(timespec="seconds")
