"""The reports consumer before issue 23, to build what a deployed table holds (tests that
compare the layouts, bench/reports_lag.py's "before")."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from pynamodb.attributes import NumberAttribute

from shared import clock, reports
from shared.dynamodb import keys
from shared.dynamodb import reports as reports_repo
from shared.dynamodb.models.reports import MarkerItem, ReportDayItem
from shared.dynamodb.tx import Cancelled, Tx, run
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
        first = count(event.event_id, counted.day, totals, counted.parts, now)
        if first and counted.member_id:
            mark_active(counted.member_id, counted.day, now)


def round_one(found: list[Event], shard: int = 0) -> None:
    """The batch consumer of issue 23 before the running totals: an event's numbers added to
    its day's ``REPORTS#<k>`` / ``DAY#<date>`` item (no ``#T``, no running total) in the
    transaction of its marker. The members' sketches are left out (no figure here reads them
    differently)."""
    now = clock.now()
    for event in found:
        counted = reports.numbers_of(event, now)
        if counted is None:
            continue
        numbers = dict(counted.totals)
        numbers.update({f"{part}#{name}": n for part, name, n in counted.parts})
        tx = Tx()
        tx.put(
            "seen",
            MarkerItem(pk=keys.aggregated_pk(event.event_id), sk="AGG"),
            condition=MarkerItem.pk.does_not_exist(),
        )
        tx.update(
            "day",
            ReportDayItem(pk=keys.report_shard_pk(shard), sk=keys.report_day_sk(counted.day)),
            [NumberAttribute(attr_name=name).add(value) for name, value in numbers.items()],
        )
        tx.committed()


def count(
    event_id: str,
    day: date,
    totals: dict[str, int],
    parts: list[tuple[str, str, int]],
    now: datetime,
) -> bool:
    """One event's numbers added to its day in ``REPORTS``, once. False when the event was
    already counted."""

    def attempt() -> bool:
        tx = Tx()
        tx.put(
            reports_repo.SEEN,
            MarkerItem(pk=keys.aggregated_pk(event_id), sk="AGG", ttl=reports_repo._ttl(now, 14)),
            condition=MarkerItem.pk.does_not_exist(),
        )
        if totals:
            tx.update(
                "day",
                ReportDayItem(pk=keys.REPORTS, sk=keys.report_day_sk(day)),
                [getattr(ReportDayItem, k).add(v) for k, v in totals.items()],
            )
        for part, name, value in parts:
            tx.update(
                f"{part}:{name}",
                ReportDayItem(pk=keys.REPORTS, sk=keys.report_part_sk(day, part, name)),
                [ReportDayItem.n.add(value)],
            )
        return tx.committed()

    return run(attempt)


def mark_active(member_id: str, day: date, now: datetime) -> None:
    """The member once among the day's active members (a marker in ``ACTIVE#<day>``)."""
    tx = Tx()
    tx.put(
        "active",
        MarkerItem(
            pk=keys.active_pk(day), sk=keys.member_pk(member_id), ttl=reports_repo._ttl(now, 400)
        ),
        condition=MarkerItem.pk.does_not_exist(),
    )
    tx.update(
        "day",
        ReportDayItem(pk=keys.REPORTS, sk=keys.report_day_sk(day)),
        [ReportDayItem.active.add(1)],
    )
    with contextlib.suppress(Cancelled):  # already counted that day
        run(tx.commit)
