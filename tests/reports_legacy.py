"""The reports consumer before issue 23, to build what a deployed table holds (tests that
compare the layouts, bench/reports_lag.py's "before")."""

from __future__ import annotations

from shared import clock, reports
from shared.dynamodb import reports as reports_repo
from shared.events import Event


def one_by_one(found: list[Event]) -> None:
    """A transaction per event on the single ``REPORTS`` partition, and a marker per active
    member and day (``ACTIVE#<day>``)."""
    now = clock.now()
    for event in found:
        counted = reports.numbers_of(event, now)
        if counted is None:
            continue
        totals = {k: v for k, v in counted.totals.items() if k != "active"}
        first = reports_repo.count(event.event_id, counted.day, totals, counted.parts, now)
        if first and counted.member_id:
            reports_repo.mark_active(counted.member_id, counted.day, now)
