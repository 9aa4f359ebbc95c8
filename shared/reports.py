"""Operator reports: daily aggregates kept from the business events, so a report
costs O(days), never a scan of the ledger."""

from __future__ import annotations

import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from msgspec import Struct

from shared import clock, events, programme
from shared.domain import ledger as kinds
from shared.domain.calendar import local_date
from shared.domain.sketch import Sketch
from shared.dynamodb import reports as reports_repo
from shared.errors import Invalid
from shared.observability import logger

MAX_DAYS = 366

# How each ledger entry type moves the programme's totals: shared/domain/ledger.py.
ISSUED, REDEEMED = kinds.ISSUING, kinds.SPENDING


def _numbers(detail: dict[str, Any]) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    kind, p = detail.get("type"), int(detail.get("points") or 0)
    totals: dict[str, int] = {}
    parts: list[tuple[str, str, int]] = []
    if kind in ISSUED:
        totals["issued"] = p
        parts.append(("SOURCE", str(detail.get("source")), p))
    elif kind in REDEEMED:
        totals["redeemed"] = -p
        parts.append(("SOURCE", str(detail.get("source")), p))
    elif kind == "expire":
        totals["expired"] = -p
    elif kind == "clawback":
        totals["clawed_back"] = -p
    elif kind == "transfer_out":
        totals["transferred"] = -p
    return totals, parts


def _day(at: str | None, now: datetime) -> date:
    zone = programme.current().zone
    return local_date(datetime.fromisoformat(at) if at else now, zone)


class Counted(Struct, frozen=True):
    """One event's numbers: its day's totals and counters, the member it makes active."""

    event_id: str
    day: date
    totals: dict[str, int]
    parts: list[tuple[str, str, int]]
    member_id: str | None = None


def numbers_of(event: events.Event, now: datetime) -> Counted | None:
    """What ``event`` adds to the reports (None: nothing, no marker needed)."""
    d = event.detail
    if event.detail_type in events.LEDGER_EVENTS.values():
        totals, parts = _numbers(d)
        member = str(d["member_id"]) if d.get("member_id") else None
        if member:
            totals.setdefault("active", 0)  # the day's row exists, as the marker's count made it
        return Counted(event.event_id, _day(d.get("at"), now), totals, parts, member)
    if event.detail_type == events.MEMBER_REGISTERED:
        return Counted(event.event_id, _day(d.get("registered_at"), now), {"registered": 1}, [])
    sign = 0
    if event.detail_type == events.ORDER_PLACED:
        sign = 1
    elif event.detail_type == events.ORDER_STATUS_CHANGED and d.get("status") in (
        "cancelled",
        "rejected",
    ):
        sign = -1
    if sign and d.get("item_id"):
        quantity = sign * int(d.get("quantity") or 1)
        return Counted(event.event_id, _day(None, now), {}, [("ITEM", str(d["item_id"]), quantity)])
    return None


class Outcome(Struct):
    counted: int = 0  # events counted now (not before)
    failed: set[str] = set()  # event ids to try again (their day's write failed)


def consume(found: list[events.Event], now: datetime, shard: int | None = None) -> Outcome:
    """Count a batch of business events into the daily aggregates, each event once.

    The batch is deduplicated by event id in memory, then per day: its members added to
    the day's active-member sketch in one shard (picked at random per batch, so concurrent
    batches spread over the shards), then its events' numbers summed and written in
    transactions of up to 98 events (their markers, the day's counters, the shard's running
    totals), the transactions dealt round the shards and each shard's written by its own
    thread (no two on one item: no conflicts). A failed write fails only the events it
    carried (the caller has them delivered again); events already counted by an earlier
    delivery are skipped by their markers (in the points table too, for a while after the
    counted-events table took them: :func:`shared.dynamodb.reports.legacy_markers_until`;
    each transaction's events are looked up there by its own thread, one read each)."""
    shard = random.randrange(reports_repo.SHARDS) if shard is None else shard
    by_day: dict[date, dict[str, Counted]] = defaultdict(dict)
    for event in found:
        counted = numbers_of(event, now) if event.event_id else None
        if counted is not None:
            by_day[counted.day].setdefault(counted.event_id, counted)
    outcome = Outcome()
    work: dict[int, list[tuple[date, dict[str, Any]]]] = defaultdict(list)
    until = reports_repo.legacy_markers_until(now) if by_day else None
    legacy = until is not None and now < until
    for day, batch in sorted(by_day.items()):
        members = {c.member_id for c in batch.values() if c.member_id}
        try:
            if members:  # every event's (adding a member again changes nothing)
                reports_repo.add_members(shard, day, members)
        except Exception:
            logger.exception("members not added", extra={"day": day.isoformat()})
            outcome.failed |= set(batch)
            continue
        ids, size = list(batch), reports_repo.CHUNK
        for start in range(0, len(ids), size):
            chunk = {i: (batch[i].totals, batch[i].parts) for i in ids[start : start + size]}
            work[(shard + sum(map(len, work.values()))) % reports_repo.SHARDS].append((day, chunk))

    def write(item: tuple[int, list[tuple[date, dict[str, Any]]]]) -> tuple[int, set[str]]:
        into, chunks = item
        counted, failed = 0, set()
        for day, chunk in chunks:
            try:
                if legacy:  # counted before the counted-events table: one read per chunk
                    for event_id in reports_repo.counted_before(chunk):
                        del chunk[event_id]
                counted += len(reports_repo.count_once(into, day, chunk, now))
            except Exception:
                logger.exception("events not counted", extra={"day": day.isoformat()})
                failed |= set(chunk)
        return counted, failed

    if len(work) > 1:
        with ThreadPoolExecutor(max_workers=len(work)) as pool:
            results = list(pool.map(write, work.items()))
    else:
        results = [write(item) for item in work.items()]
    for counted, failed in results:
        outcome.counted += counted
        outcome.failed |= failed
    return outcome


def aggregate(found: list[events.Event], now: datetime) -> int:
    """:func:`consume` for local mode's bus: a failure raises, so the bus delivers the
    records again. Returns how many events were counted now."""
    outcome = consume(found, now)
    if outcome.failed:
        raise RuntimeError(f"{len(outcome.failed)} events not counted; delivered again")
    return outcome.counted


class Window(Struct, frozen=True):
    """A report's date range, both ends included."""

    start: date
    end: date


def window(start: date | None, end: date | None, now: datetime) -> Window:
    today = local_date(now, programme.current().zone)
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise Invalid("from must not be after to", details={"fields": {"from": "after to"}})
    if (end - start).days >= MAX_DAYS:
        raise Invalid(
            f"a report covers at most {MAX_DAYS} days",
            details={"fields": {"from": f"at most {MAX_DAYS} days before to"}},
        )
    return Window(start, end)


def _rate(part: int, whole: int) -> str | None:
    if whole <= 0:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


# How long after a shard's first running total the days of before may still be written: an
# invocation of the code of before, started before the deploy, runs at most Lambda's 15
# minutes (the reports function's timeout is 30 s). Their totals are folded after it.
SETTLED = timedelta(minutes=15)
CONSISTENT_TRIES = 3


def _add(into: dict[str, int], totals: dict[str, int], sign: int = 1) -> None:
    for f in reports_repo.ALL_TIME:
        into[f] += sign * totals[f]


def _shard(shard: int, w: Window) -> tuple[list[reports_repo.Day], reports_repo.Totals]:
    """``shard``'s days from the window's start on, and its running totals as of the
    window's end: the totals now less its running days after the end, read between two reads
    of the totals that find the same version (no transaction in between). If transactions
    keep coming in between, the shard's running days through the end are summed instead."""
    for _ in range(CONSISTENT_TRIES):
        kept = reports_repo.running(shard)
        rows = list(reports_repo.days_from(w.start, shard))
        if reports_repo.running(shard).version == kept.version:
            as_of_end = dict(kept.totals)
            for row in rows:
                if row.running and row.part is None and row.day > w.end:
                    _add(as_of_end, row.totals, -1)
            return rows, reports_repo.Totals(as_of_end, kept.version, kept.since)
    kept = reports_repo.running(shard)  # for when it began
    rows = list(reports_repo.days_from(date.min, shard))
    as_of_end = dict.fromkeys(reports_repo.ALL_TIME, 0)
    for row in rows:
        if row.running and row.part is None and row.day <= w.end:
            _add(as_of_end, row.totals)
    kept = reports_repo.Totals(as_of_end, kept.version, kept.since)
    return [row for row in rows if row.day >= w.start], kept


def _base(since: list[datetime], now: datetime) -> dict[str, int]:
    """The all-time totals of every day counted before the running totals (today, not as of
    a window's end). Folded once into the ``BASE`` item by the first summary
    :data:`SETTLED` after the first running total (no code of before writes them any more);
    until then summed from all of them (what every summary read before)."""
    kept = reports_repo.base()
    if kept is not None:
        return dict(kept.totals)
    found = dict.fromkeys(reports_repo.ALL_TIME, 0)
    for row in reports_repo.old_days():
        if row.part is None:
            _add(found, row.totals)
    if since and now >= min(since) + SETTLED:
        reports_repo.fold(found, now)
    return found


def summary(w: Window, now: datetime | None = None) -> dict[str, Any]:
    """``GET /v1/admin/reports/summary``: flows in the window, liability at its end.

    Reads the window's days (from its start on: those after its end too), each shard's
    running totals and the base of the days of before: the all-time figures as of the
    window's end are base + running totals, less the days after the end."""
    now = now or clock.now()
    fields = reports_repo.TOTALS
    window_totals = dict.fromkeys(fields, 0)
    all_time = dict.fromkeys(reports_repo.ALL_TIME, 0)
    by_day: dict[str, dict[str, int]] = {}
    by_source: dict[str, int] = defaultdict(int)
    items: dict[str, int] = defaultdict(int)
    legacy_active: set[date] = set()  # days with members counted the old way (markers)
    rows = list(reports_repo.days_from(w.start))
    since: list[datetime] = []  # when each shard's running totals began
    for shard in range(reports_repo.SHARDS):
        shard_rows, as_of_end = _shard(shard, w)
        rows += shard_rows
        _add(all_time, as_of_end.totals)
        if as_of_end.since:
            since.append(datetime.fromisoformat(as_of_end.since))
    _add(all_time, _base(since, now))
    for row in rows:
        if row.day > w.end:  # after the window: only the days of before left to take off
            if not row.running and row.part is None:
                _add(all_time, row.totals, -1)
            continue
        if row.part is None:
            day_totals = by_day.setdefault(row.day.isoformat(), dict.fromkeys(fields, 0))
            for f in fields:
                window_totals[f] += row.totals[f]
                day_totals[f] += row.totals[f]
            if row.totals["active"]:
                legacy_active.add(row.day)  # only old rows count "active" (new ones add 0)
        elif row.part == "SOURCE":
            by_source[row.name] += row.n
        elif row.part == "ITEM":
            items[row.name] += row.n
    # Active members: each day's sketch (its shards merged), with the markers of days
    # counted before issue 23 added in; the window's is their union (an estimate: ±2.5 %).
    per_day = reports_repo.sketches(w.start, w.end)
    for day in sorted(legacy_active):
        per_day.setdefault(day, Sketch()).update(reports_repo.active_members(day))
    window_members = Sketch()
    for day, sketch in per_day.items():
        window_members.merge(sketch)
        if day.isoformat() in by_day:
            by_day[day.isoformat()]["active"] = sketch.estimate()
    outstanding = (
        all_time["issued"] - all_time["redeemed"] - all_time["expired"] - all_time["clawed_back"]
    )
    return {
        "from": w.start.isoformat(),
        "to": w.end.isoformat(),
        "issued": window_totals["issued"],
        "redeemed": window_totals["redeemed"],
        "expired": window_totals["expired"],
        "clawed_back": window_totals["clawed_back"],
        "transferred": window_totals["transferred"],
        "outstanding": outstanding,
        "members": all_time["registered"],
        "new_members": window_totals["registered"],
        "active_members": window_members.estimate(),
        "redemption_rate": _rate(window_totals["redeemed"], window_totals["issued"]),
        "retention_rate": _rate(outstanding, all_time["issued"]),
        "by_source": dict(sorted(by_source.items())),
        "by_day": [
            {
                "date": d,
                **{k: v for k, v in values.items() if k != "registered"},
                "new_members": values["registered"],
            }
            for d, values in sorted(by_day.items())
        ],
        "top_items": [
            {"item_id": i, "quantity": q}
            for i, q in sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            if q > 0
        ],
    }
