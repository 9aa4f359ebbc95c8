"""Exports for finance: what an operator asks for, the job's statuses, and the rules that
make a request valid (pure: no I/O).

An export is a CSV file a job writes (``exports/<id>.csv`` in the file store) of one
``kind``: the ledger entries, the mall orders or the members (contact details masked) of a
window ``[start, end)``, or a rebate campaign's statements. The file is kept
:data:`FILE_DAYS` days (the bucket's lifecycle); each read of a complete export hands out a
fresh download URL valid :data:`URL_TTL_S` seconds.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from msgspec import Struct

LEDGER, ORDERS, MEMBERS, STATEMENTS = "ledger", "orders", "members", "statements"
KINDS: tuple[str, ...] = (LEDGER, ORDERS, MEMBERS, STATEMENTS)
QUEUED, RUNNING, COMPLETE, FAILED = "queued", "running", "complete", "failed"
STATUSES: tuple[str, ...] = (QUEUED, RUNNING, COMPLETE, FAILED)

FILE_DAYS = 7  # the file store keeps exports/ this long (infra: the bucket's lifecycle)
URL_TTL_S = 900  # a download URL works this long after the read that handed it out
# An export queued or running whose job has written nothing for this long never started or
# died with its invocation (Lambda's 15 minutes are over): it is shown failed.
STALE_AFTER = timedelta(minutes=20)
STOPPED = "the export job stopped before it finished; ask for the export again"


class Export(Struct, frozen=True):
    """One export: the request, then the job's progress and outcome."""

    export_id: str
    kind: str
    requested_by: str
    requested_at: datetime
    updated_at: datetime
    status: str = QUEUED
    start: datetime | None = None  # window [start, end): None = from the beginning
    end: datetime | None = None
    campaign_id: str | None = None  # statements only
    rows: int = 0
    file_key: str | None = None
    error: str | None = None
    completed_at: datetime | None = None

    def shown_status(self, now: datetime) -> str:
        """The status as the API shows it: a job silent for too long is failed."""
        if self.status in (QUEUED, RUNNING) and now - self.updated_at > STALE_AFTER:
            return FAILED
        return self.status

    def file_expires_at(self) -> datetime | None:
        return self.completed_at + timedelta(days=FILE_DAYS) if self.completed_at else None


def new_id(at: datetime, operator: str, idempotency_key: str | None = None) -> str:
    """A time-ordered id; with an ``Idempotency-Key`` the same operator's key always names
    the same export (a retried request finds the export the first one made)."""
    if idempotency_key is None:
        return f"x{at.astimezone(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    digest = hashlib.blake2b(f"{operator}\n{idempotency_key}".encode(), digest_size=10)
    return f"k{digest.hexdigest()}"


def file_key(export_id: str) -> str:
    return f"exports/{export_id}.csv"


def instant(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    """A window bound as given: a time as it is, a date as the start of that programme day."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=zone)


def window_problems(
    kind: str, start: datetime | None, end: datetime | None, campaign_id: str | None
) -> dict[str, str]:
    """What is wrong with a request's window and campaign for its ``kind`` (field -> problem)."""
    problems: dict[str, str] = {}
    if kind == STATEMENTS:
        if campaign_id is None:
            problems["campaign_id"] = "is required for statements"
        for name, value in (("from", start), ("to", end)):
            if value is not None:
                problems[name] = "does not apply to statements (a campaign's statements)"
    elif campaign_id is not None:
        problems["campaign_id"] = "applies only to statements"
    if start is not None and end is not None and start >= end:
        problems["to"] = "must be after from"
    return problems
