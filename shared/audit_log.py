"""Use case of the audit log's read: ``GET /v1/admin/audit`` (operators).

Every operator write appends its entry in the transaction of its change (see
``shared/domain/audit.py``); this pages them newest first, by actor and/or target, within a
window of time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared import programme
from shared.domain.audit import AuditEntry
from shared.domain.calendar import iso_local
from shared.dynamodb import audit as store
from shared.errors import Invalid

# Without ``to`` the window ends a little after now, so an entry written this very instant
# (or by a Lambda whose clock runs slightly ahead) is listed.
END_MARGIN = timedelta(minutes=1)
# No entry is older than this: an earlier ``from`` reads from here (and cannot overflow).
FIRST = datetime(2000, 1, 1, tzinfo=UTC)


def _view(entry: AuditEntry, zone: Any) -> dict[str, Any]:
    return {**entry.to_json(), "at": iso_local(entry.at, zone)}


def entries(
    *,
    actor: str | None,
    target: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A page of entries with ``start`` <= at < ``end`` (``end`` defaults to now), newest
    first; 422 when the window is empty or backwards. The window is narrowed to what can
    hold entries (from :data:`FIRST` to now), so far-off times cost nothing."""
    if start is not None and end is not None and start >= end:
        raise Invalid("from must be before to", details={"fields": {"to": "must be after from"}})
    latest = now + END_MARGIN
    end = latest if end is None else min(end, latest)
    start = None if start is None else max(start, FIRST)
    if end <= FIRST or (start is not None and start >= end):
        return {"items": [], "next_cursor": None}
    found, next_cursor = store.page(
        actor=actor, target=target, start=start, end=end, limit=limit, cursor=cursor
    )
    zone = programme.current().zone
    return {"items": [_view(e, zone) for e in found], "next_cursor": next_cursor}
