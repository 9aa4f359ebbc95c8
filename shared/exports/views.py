"""What the API shows of an export: the request as asked (times in the programme's zone),
the job's status and rows, and, while the file is kept, a fresh time-limited download URL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared import files, programme
from shared.domain import calendar
from shared.domain import exports as domain
from shared.domain.exports import Export


def _when(at: datetime | None, zone: Any) -> str | None:
    return calendar.iso_local(at, zone) if at is not None else None


def request(export: Export, zone: Any) -> dict[str, Any]:
    """What was asked for, as the API shows it (the audit entry's ``after``)."""
    return {
        "export_id": export.export_id,
        "kind": export.kind,
        "from": _when(export.start, zone),
        "to": _when(export.end, zone),
        "campaign_id": export.campaign_id,
    }


def view(export: Export, now: datetime, zone: Any = None) -> dict[str, Any]:
    """``GET /v1/admin/exports/{id}``: a fresh time-limited URL while the file is kept."""
    zone = zone or programme.current().zone
    status = export.shown_status(now)
    url, url_expires = None, None
    file_expires = export.file_expires_at()
    if status == domain.COMPLETE and export.file_key and file_expires and now < file_expires:
        url_expires = min(now + timedelta(seconds=domain.URL_TTL_S), file_expires)
        ttl = max(1, int((url_expires - now).total_seconds()))
        url = files.download_url(export.file_key, ttl)
    return {
        **request(export, zone),
        "status": status,
        "rows": export.rows,
        "url": url,
        "expires_at": _when(url_expires, zone),
        "requested_by": export.requested_by,
        "requested_at": _when(export.requested_at, zone),
        "completed_at": _when(export.completed_at, zone),
        "file_expires_at": _when(file_expires, zone) if status == domain.COMPLETE else None,
        "error": domain.STOPPED if status != export.status else export.error,
    }
