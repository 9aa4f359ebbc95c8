"""The one clock every handler and job reads.

In AWS it is the system clock. Local mode and tests can pin it (``PUT /local/clock``) so
expiry, streaks and windows can be tried without waiting. A pinned clock still moves one
microsecond per reading, so events recorded under it keep their order.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_pinned: datetime | None = None
_ticks = 0
_TICK = timedelta(microseconds=1)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    global _ticks
    if _pinned is None:
        return datetime.now(UTC)
    with _lock:
        if _pinned is None:  # released meanwhile
            return datetime.now(UTC)
        _ticks += 1
        return _pinned + _ticks * _TICK


def pin(instant: datetime) -> None:
    """Freeze the clock at ``instant`` (must be timezone-aware)."""
    if instant.tzinfo is None:
        raise ValueError("the pinned instant needs a UTC offset")
    global _pinned, _ticks
    with _lock:
        _pinned = instant.astimezone(UTC)
        _ticks = 0


def release() -> None:
    """Go back to the system clock."""
    global _pinned
    with _lock:
        _pinned = None


def pinned() -> datetime | None:
    return _pinned


def utc_iso(at: datetime) -> str:
    """``at`` as stored and shown: UTC, ISO-8601 with microseconds (sorts as text)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
