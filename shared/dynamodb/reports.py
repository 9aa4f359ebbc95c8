"""Data access for reports: daily aggregates, written once per event, read per day."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from msgspec import Struct

from shared.dynamodb import keys
from shared.dynamodb.models.reports import MarkerItem, ReportDayItem
from shared.dynamodb.tx import Cancelled, Tx, run

SEEN = "seen"
TOTALS = ("issued", "redeemed", "expired", "clawed_back", "transferred", "registered", "active")


class Day(Struct, frozen=True):
    """A day's totals, or (``part`` ``SOURCE``/``ITEM`` and ``name``) one counter ``n``."""

    day: date
    part: str | None = None
    name: str | None = None
    totals: dict[str, int] = {}
    n: int = 0


def _ttl(now: datetime, days: int) -> int:
    return int((now + timedelta(days=days)).timestamp())


def count(
    event_id: str,
    day: date,
    totals: dict[str, int],
    parts: list[tuple[str, str, int]],
    now: datetime,
) -> bool:
    """Add one event's numbers to its day, once: a marker of the event is written in the
    same transaction. False when the event was already counted."""

    def attempt() -> bool:
        tx = Tx()
        tx.put(
            SEEN,
            MarkerItem(pk=keys.aggregated_pk(event_id), sk="AGG", ttl=_ttl(now, 14)),
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
    """Count the member once among the day's active members."""
    tx = Tx()
    tx.put(
        "active",
        MarkerItem(pk=keys.active_pk(day), sk=keys.member_pk(member_id), ttl=_ttl(now, 400)),
        condition=MarkerItem.pk.does_not_exist(),
    )
    tx.update(
        "day",
        ReportDayItem(pk=keys.REPORTS, sk=keys.report_day_sk(day)),
        [ReportDayItem.active.add(1)],
    )
    with contextlib.suppress(Cancelled):  # already counted that day
        run(tx.commit)


def days_through(last: date) -> Iterator[Day]:
    """Every day's totals and counters from the first recorded day through ``last``."""
    upper = keys.report_day_sk(last) + "~"
    for row in ReportDayItem.query(keys.REPORTS, ReportDayItem.sk < upper, consistent_read=True):
        _, day_text, *rest = row.sk.split("#", 3)
        day = date.fromisoformat(day_text)
        if rest:
            yield Day(day, part=rest[0], name=rest[1], n=int(row.n or 0))
        else:
            yield Day(day, totals={f: int(getattr(row, f) or 0) for f in TOTALS})


def active_members(day: date) -> Iterator[str]:
    for marker in MarkerItem.query(keys.active_pk(day), consistent_read=True):
        yield marker.sk
