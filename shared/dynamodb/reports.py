"""Data access for reports: daily aggregates, counted a batch at a time into one of
``SHARDS`` partitions, read per day and shard.

Each event counted leaves a marker (``AGG#<event id>``) in the counted-events table
(shared/tables.py ``COUNTED_TABLE``), written in the transaction that adds its numbers.
Before that table the markers were in the points table: for :data:`LEGACY_MARKERS` after
the switch (their TTL) an event is also looked up there (:func:`counted_before`).

Layout (issue 23): ``REPORTS#<k>`` / ``DAY#<date>#T`` holds a day's totals plus one
``SOURCE#<name>`` / ``ITEM#<id>`` attribute per counter, ``REPORTS#<k>#TOTAL`` / ``TOTAL``
the shard's running all-time totals (ADDed in the same transactions), ``REPORTS#<k>`` /
``HLL#<date>`` the day's active-member sketch. Before the running totals the shards' days
were ``DAY#<date>`` (no ``#T``); before issue 23 one partition ``REPORTS`` held every day (a
``DAY#<date>#<part>#<name>`` item per counter) and ``ACTIVE#<date>`` a marker per active
member. Those are read, never written: their all-time totals are folded once into
``REPORTS#00`` / ``BASE`` (:func:`fold`), their days within a report's window still read.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from msgspec import Struct
from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from shared.domain.sketch import Sketch
from shared.dynamodb import keys
from shared.dynamodb.connection import table
from shared.dynamodb.models.reports import (
    CountedItem,
    MarkerItem,
    ReportDayItem,
    ReportSketchItem,
    ReportTotalItem,
)
from shared.dynamodb.tx import Cancelled, Tx, run
from shared.dynamodb.values import rows_at
from shared.errors import Contention

SHARDS = keys.REPORT_SHARDS
# A transaction holds at most 100 items: the day's counters, the shard's running totals and
# 98 events' markers.
CHUNK = 98
PARTS = ("SOURCE", "ITEM")

SEEN = "seen"
# How long an event's marker is kept: a delivery of it later than this counts it again.
MARKER_DAYS = 14
# How long after the switch to the counted-events table the points table's markers are
# looked up too: their own lifetime (every one of them is gone by then).
LEGACY_MARKERS = timedelta(days=MARKER_DAYS)
TOTALS = ("issued", "redeemed", "expired", "clawed_back", "transferred", "registered", "active")
# The totals kept all-time (a summary's ``outstanding`` and ``members``).
ALL_TIME = ("issued", "redeemed", "expired", "clawed_back", "registered")


class Day(Struct, frozen=True):
    """A day's totals, or (``part`` ``SOURCE``/``ITEM`` and ``name``) one counter ``n``;
    ``running``: in a shard's running totals (a ``DAY#<date>#T`` item)."""

    day: date
    part: str | None = None
    name: str | None = None
    totals: dict[str, int] = {}
    n: int = 0
    running: bool = False


class Totals(Struct, frozen=True):
    """A shard's running totals (or the base of before them): ``version`` counts the
    transactions that added to them, ``since`` is when the first did (None: none yet)."""

    totals: dict[str, int]
    version: int = 0
    since: str | None = None


def _ttl(now: datetime, days: int) -> int:
    return int((now + timedelta(days=days)).timestamp())


def count_once(
    shard: int,
    day: date,
    events: dict[str, tuple[dict[str, int], list[tuple[str, str, int]]]],
    now: datetime,
) -> set[str]:
    """Add the numbers (totals, counters) of up to :data:`CHUNK` events of ``day`` to the
    day's item in ``shard`` and their all-time totals to the shard's running totals, each
    event once: its marker (``AGG#<event id>``, in the counted-events table) is written in
    the same transaction. An event whose marker exists (counted by an earlier batch) is
    dropped and the rest tried again: neither the day nor the running totals count it twice.
    Returns the ids counted now."""
    if len(events) > CHUNK:
        raise ValueError(f"at most {CHUNK} events in one transaction")
    pending = dict(events)
    pk = keys.report_shard_pk(shard)
    while pending:

        def attempt() -> None:
            totals: dict[str, int] = {}
            for numbers, parts in pending.values():
                for field, value in numbers.items():
                    totals[field] = totals.get(field, 0) + value
                for part, name, value in parts:
                    totals[f"{part}#{name}"] = totals.get(f"{part}#{name}", 0) + value
            tx = Tx()
            for event_id in pending:
                tx.put(
                    event_id,
                    CountedItem(
                        pk=keys.aggregated_pk(event_id),
                        sk=keys.AGGREGATED_SK,
                        ttl=_ttl(now, MARKER_DAYS),
                    ),
                    condition=CountedItem.pk.does_not_exist(),
                )
            if totals:
                tx.update(
                    "",  # no event id is empty (the consumer skips events without one)
                    ReportDayItem(pk=pk, sk=keys.report_running_day_sk(day)),
                    [NumberAttribute(attr_name=name).add(value) for name, value in totals.items()],
                )
            all_time = [
                getattr(ReportTotalItem, f).add(totals[f]) for f in ALL_TIME if totals.get(f)
            ]
            if all_time:  # another item than the day's (one action per item)
                tx.update(
                    "",
                    ReportTotalItem(pk=keys.report_total_pk(shard), sk=keys.REPORT_TOTAL_SK),
                    [
                        *all_time,
                        ReportTotalItem.version.add(1),
                        ReportTotalItem.since.set(ReportTotalItem.since | now.isoformat()),
                    ],
                )
            tx.commit()

        try:
            run(attempt)
            return set(pending)
        except Cancelled as refused:  # counted before: leave those out, count the rest
            for event_id in refused.failed:
                pending.pop(event_id, None)
    return set()


def legacy_markers_until(now: datetime) -> datetime | None:
    """Until when an event may have a marker in the points table (counted before the
    counted-events table); None: it cannot. Read from ``REPORTS#00`` / ``COUNTED``, written
    on the first call: ``since`` now when the reports hold anything counted before (a day
    item in any layout), else none (a new installation: nothing to look up, ever)."""
    pk, sk = keys.report_shard_pk(0), keys.REPORT_COUNTED_SK
    for _ in range(2):
        try:
            kept = ReportTotalItem.get(pk, sk, consistent_read=True)
        except DoesNotExist:
            pass
        else:
            since = datetime.fromisoformat(kept.since) if kept.since else None
            return since + LEGACY_MARKERS if since else None
        before = any(_any_day(shard) for shard in (None, *range(SHARDS)))
        item = ReportTotalItem(pk=pk, sk=sk, since=now.isoformat() if before else None)
        try:
            item.save(condition=ReportTotalItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            continue  # another consumer wrote it first: read theirs
        return now + LEGACY_MARKERS if before else None
    raise Contention("the reports' COUNTED record could not be read; retry")


def _any_day(shard: int | None) -> bool:
    pk = keys.REPORTS if shard is None else keys.report_shard_pk(shard)
    low, high = keys.report_day_sk(date.min), keys.report_day_sk(date.max) + "~"
    page = table().query(
        pk, range_key_condition=ReportDayItem.sk.between(low, high), limit=1, consistent_read=True
    )
    return bool(page.get("Items"))


def counted_before(event_ids: Iterable[str]) -> set[str]:
    """Those of ``event_ids`` whose marker is in the points table: counted before the
    counted-events table took the markers (BatchGetItem, 100 keys a request)."""
    wanted = [(keys.aggregated_pk(i), keys.AGGREGATED_SK) for i in event_ids]
    prefix = len(keys.aggregated_pk(""))
    return {m.pk[prefix:] for m in rows_at(MarkerItem, wanted, attributes=["pk"])}


def add_members(shard: int, day: date, members: Iterable[str], attempts: int = 8) -> bool:
    """Add ``members`` to the day's active-member sketch in ``shard``: read, merge, write
    back under the item's version (another consumer's write in between: read again).
    Adding a member twice changes nothing, so a retried batch needs no marker. False when
    every member was in the sketch already (nothing written)."""
    pk, sk = keys.report_shard_pk(shard), keys.report_sketch_sk(day)
    wanted = list(members)
    for attempt in range(attempts):
        try:
            kept = ReportSketchItem.get(pk, sk, consistent_read=True)
            sketch, version = Sketch.from_bytes(kept.registers), int(kept.version)
        except DoesNotExist:
            sketch, version = Sketch(), 0
        before = bytes(sketch.registers)
        if sketch.update(wanted).registers == before and version:
            return False
        condition = (
            ReportSketchItem.version == version if version else ReportSketchItem.pk.does_not_exist()
        )
        item = ReportSketchItem(pk=pk, sk=sk, registers=sketch.to_bytes(), version=version + 1)
        try:
            item.save(condition=condition)
            return True
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise Contention("too many concurrent changes to the same sketch; retry")


def _row(item: dict[str, Any]) -> Iterator[Day]:
    """A day item's rows: its totals, then one per ``SOURCE``/``ITEM`` attribute (a shard's
    day) or its one counter (a ``REPORTS`` counter item, ``DAY#<date>#<part>#<name>``)."""
    _, day_text, *rest = item["sk"]["S"].split("#", 3)
    day, running = date.fromisoformat(day_text), rest == ["T"]
    if len(rest) == 2:
        yield Day(day, part=rest[0], name=rest[1], n=_number(item.get("n", {})))
        return
    yield Day(day, totals={f: _number(item.get(f, {})) for f in TOTALS}, running=running)
    for name, value in item.items():
        part, _, counter = name.partition("#")
        if part in PARTS and counter:
            yield Day(day, part=part, name=counter, n=_number(value), running=running)


def days_from(first: date, shard: int | None = None) -> Iterator[Day]:
    """The day items of ``shard`` (None: the ``REPORTS`` partition of before issue 23) from
    ``first`` on, to the newest: both layouts, one Query."""
    pk = keys.REPORTS if shard is None else keys.report_shard_pk(shard)
    for item in _query(pk, keys.report_day_sk(first), keys.report_day_sk(date.max) + "~"):
        yield from _row(item)


def active_members(day: date) -> Iterator[str]:
    """The members a day's markers (before issue 23) name."""
    for marker in MarkerItem.query(keys.active_pk(day), consistent_read=True):
        yield keys.member_id_of(marker.sk)


def _number(value: dict[str, Any]) -> int:
    return int(value["N"]) if "N" in value else 0


def _query(pk: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    start = None
    condition = ReportDayItem.sk.between(low, high)
    while True:
        page = table().query(
            pk, range_key_condition=condition, consistent_read=True, exclusive_start_key=start
        )
        yield from page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return


def _totals(pk: str, sk: str) -> Totals | None:
    try:
        item = ReportTotalItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None
    found = {f: int(getattr(item, f) or 0) for f in ALL_TIME}
    return Totals(found, version=int(item.version or 0), since=item.since)


def running(shard: int) -> Totals:
    """``shard``'s running all-time totals (all zero before its first transaction)."""
    kept = _totals(keys.report_total_pk(shard), keys.REPORT_TOTAL_SK)
    return kept or Totals(dict.fromkeys(ALL_TIME, 0))


def base() -> Totals | None:
    """The all-time totals of the days counted before the running totals, once folded."""
    return _totals(keys.report_shard_pk(0), keys.REPORT_BASE_SK)


def old_days() -> Iterator[Day]:
    """Every day item counted before the running totals: the ``REPORTS`` partition's and
    the shards' ``DAY#<date>`` items (reads every shard's whole history: once, to fold)."""
    yield from days_from(date.min)
    for shard in range(SHARDS):
        yield from (row for row in days_from(date.min, shard) if not row.running)


def fold(totals: dict[str, int], now: datetime) -> bool:
    """Record ``totals`` as the base of before the running totals, once (False: it was)."""
    item = ReportTotalItem(
        pk=keys.report_shard_pk(0), sk=keys.REPORT_BASE_SK, since=now.isoformat()
    )
    for field in ALL_TIME:
        setattr(item, field, totals[field])
    try:
        item.save(condition=ReportTotalItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def sketches(start: date, end: date) -> dict[date, Sketch]:
    """Each day's active-member sketch in ``start``..``end``, its shards merged."""
    found: dict[date, Sketch] = {}
    for shard in range(SHARDS):
        low, high = keys.report_sketch_sk(start), keys.report_sketch_sk(end)
        for item in _query(keys.report_shard_pk(shard), low, high):
            day = date.fromisoformat(item["sk"]["S"].split("#", 1)[1])
            sketch = Sketch.from_bytes(item["registers"]["B"])
            found[day] = found[day].merge(sketch) if day in found else sketch
    return found
