"""Data access of exports: the export job's item, and the reads its files are written from.

The job item (``EXPORT#<id>`` / ``EXPORT``) is created with its audit entry in one
transaction; the job moves it queued → running → complete | failed, each move conditional on
the status it moves from, so a retried invocation cannot undo a finished export.

The rows come out as plain dicts (numbers as ints or decimal strings) page by page, never a
whole table in memory:

- ledger entries and member profiles: a parallel ``Scan`` (:data:`SEGMENTS` segments, one
  thread each) filtered on the row kind and the window. No index lists every member's
  ledger by time; a Scan reads the whole table (billed on the bytes read before the
  filter), which for an export asked for a few times a month is cheaper than an index every
  ledger write would pay for (docs/decisions.md);
- mall orders: the ``by_status`` partitions (``ORDERS#<status>``), each a range query on the
  placement time, so the cost follows the orders of the window.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pynamodb.expressions.condition import Condition

from shared.clock import utc_iso
from shared.domain import exports as domain
from shared.domain.audit import AuditEntry
from shared.domain.exports import Export
from shared.dynamodb import audit as audit_log
from shared.dynamodb import keys
from shared.dynamodb.connection import table
from shared.dynamodb.models.exports import ExportItem
from shared.dynamodb.models.mall import OrderItem
from shared.dynamodb.models.members import LedgerItem, MemberItem
from shared.dynamodb.tx import Cancelled, Tx, updated
from shared.dynamodb.values import row_at
from shared.events import plain_image

EXPORT = "export"
SEGMENTS = 4  # parallel Scan segments (threads) of a ledger or members export
# Items a Scan page evaluates: pages of ~0.3 MB instead of DynamoDB's 1 MB keep the job's
# memory small (a page is parsed whole); requests are billed per page, rounded up to 4 KB.
PAGE_LIMIT = 1_000
TTL_DAYS = 30  # the job item outlives its file (7 days) so a late GET says what happened
Row = dict[str, Any]
Page = list[Row]


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def export_of(item: ExportItem) -> Export:
    return Export(
        export_id=item.export_id,
        kind=item.kind,
        requested_by=item.requested_by,
        requested_at=datetime.fromisoformat(item.requested_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        status=item.status,
        start=_at(item.start),
        end=_at(item.end),
        campaign_id=item.campaign_id,
        rows=int(item.rows or 0),
        file_key=item.file_key,
        error=item.error,
        completed_at=_at(item.completed_at),
    )


def _row(export: Export) -> ExportItem:
    expires = export.requested_at.timestamp() + TTL_DAYS * 86_400
    return ExportItem(
        pk=keys.export_pk(export.export_id),
        sk=keys.EXPORT_SK,
        export_id=export.export_id,
        kind=export.kind,
        status=export.status,
        start=utc_iso(export.start) if export.start else None,
        end=utc_iso(export.end) if export.end else None,
        campaign_id=export.campaign_id,
        rows=export.rows,
        requested_by=export.requested_by,
        requested_at=utc_iso(export.requested_at),
        updated_at=utc_iso(export.updated_at),
        ttl=int(expires),
    )


def create(export: Export, entry: AuditEntry) -> Export | None:
    """Store a new export with its audit entry in one transaction. None when an export with
    this id exists already (a retried request): nothing is written."""
    tx = Tx().put(EXPORT, _row(export), condition=ExportItem.pk.does_not_exist())
    audit_log.add(tx, entry)
    try:
        tx.commit()
    except Cancelled as cancelled:
        if EXPORT in cancelled:
            return None
        raise
    return export


def get(export_id: str) -> Export | None:
    item = row_at(ExportItem, keys.export_pk(export_id), keys.EXPORT_SK)
    return export_of(item) if item is not None else None


def _move(export_id: str, actions: list[Any], *allowed: str) -> bool:
    item = ExportItem(pk=keys.export_pk(export_id), sk=keys.EXPORT_SK)
    return updated(item, actions, ExportItem.status.is_in(*allowed))


def start(export_id: str, now: datetime) -> bool:
    """queued (or running: Lambda retries an invocation that died) → running, rows 0."""
    at = utc_iso(now)
    actions = [
        ExportItem.status.set(domain.RUNNING),
        ExportItem.rows.set(0),
        ExportItem.updated_at.set(at),
    ]
    return _move(export_id, actions, domain.QUEUED, domain.RUNNING)


def progress(export_id: str, rows: int, now: datetime) -> bool:
    actions = [ExportItem.rows.set(rows), ExportItem.updated_at.set(utc_iso(now))]
    return _move(export_id, actions, domain.RUNNING)


def complete(export_id: str, rows: int, file_key: str, now: datetime) -> bool:
    at = utc_iso(now)
    actions = [
        ExportItem.status.set(domain.COMPLETE),
        ExportItem.rows.set(rows),
        ExportItem.file_key.set(file_key),
        ExportItem.updated_at.set(at),
        ExportItem.completed_at.set(at),
    ]
    return _move(export_id, actions, domain.RUNNING)


def fail(export_id: str, error: str, now: datetime) -> bool:
    actions = [
        ExportItem.status.set(domain.FAILED),
        ExportItem.error.set(error),
        ExportItem.updated_at.set(utc_iso(now)),
    ]
    return _move(export_id, actions, domain.QUEUED, domain.RUNNING)


# Reads the files are written from -------------------------------------------------------------


def _window(attribute: Any, start: datetime | None, end: datetime | None) -> Condition | None:
    condition = None
    if start is not None:
        condition = attribute >= utc_iso(start)
    if end is not None:
        upper = attribute < utc_iso(end)
        condition = upper if condition is None else condition & upper
    return condition


def _and(first: Condition, second: Condition | None) -> Condition:
    return first if second is None else first & second


def _scan_segment(condition: Condition, segment: int, put: Callable[[Page], None]) -> None:
    start_key = None
    while True:
        page = table().scan(
            filter_condition=condition,
            segment=segment,
            total_segments=SEGMENTS,
            exclusive_start_key=start_key,
            limit=PAGE_LIMIT,
        )
        rows = [plain_image(item) for item in page.get("Items", [])]
        if rows:
            put(rows)
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return


_DONE = object()


def _parallel_scan(condition: Condition) -> Iterator[Page]:
    """Pages of the rows matching ``condition``, from :data:`SEGMENTS` segments scanned at
    once. At most a few pages wait in memory (the queue is bounded); the first error of a
    segment is raised here."""
    pages: queue.Queue[Any] = queue.Queue(maxsize=SEGMENTS)
    stop = threading.Event()

    def put(page: Any) -> None:
        while not stop.is_set():
            try:
                pages.put(page, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _Stopped

    def worker(segment: int) -> None:
        try:
            try:
                _scan_segment(condition, segment, put)
            except _Stopped:
                raise
            except Exception as error:  # handed to the reader, which raises it
                put(error)
                return
            put(_DONE)
        except _Stopped:
            return

    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in range(SEGMENTS)]
    for thread in threads:
        thread.start()
    finished = 0
    try:
        while finished < SEGMENTS:
            got = pages.get()
            if got is _DONE:
                finished += 1
            elif isinstance(got, Exception):
                raise got
            else:
                yield got
    finally:
        stop.set()  # the reader stopped early (an error, the time budget): workers end


class _Stopped(Exception):
    """The reader went away: a segment's worker stops scanning."""


def ledger_entries(start: datetime | None, end: datetime | None) -> Iterator[Page]:
    """Every member's ledger entries with ``at`` in [start, end), page by page."""
    is_entry = LedgerItem.sk.startswith(keys.LEDGER)
    return _parallel_scan(_and(is_entry, _window(LedgerItem.at, start, end)))


def profiles(start: datetime | None, end: datetime | None) -> Iterator[Page]:
    """Member profiles registered in [start, end), page by page."""
    is_profile = MemberItem.sk == keys.PROFILE
    return _parallel_scan(_and(is_profile, _window(MemberItem.registered_at, start, end)))


def orders(status: str, start: datetime | None, end: datetime | None) -> Iterator[Page]:
    """Mall orders in ``status`` placed in [start, end), oldest first, page by page
    (``st_sk`` is ``<placed_at UTC>#<order_id>``, so the window is a key range; a sharded
    status's partitions are merged in that order)."""
    low = utc_iso(start) if start is not None else None
    high = utc_iso(end) if end is not None else None
    if low is not None and high is not None:
        condition: Condition | None = OrderItem.st_sk.between(low, high)
    elif low is not None:
        condition = OrderItem.st_sk >= low
    elif high is not None:
        condition = OrderItem.st_sk < high
    else:
        condition = None
    partitions = [_status_rows(p, condition) for p in keys.orders_status_partitions(status)]
    rows = heapq.merge(*partitions, key=lambda row: row.get("st_sk", ""))
    while page := list(itertools.islice(rows, ORDERS_PAGE)):
        yield page


ORDERS_PAGE = 1000


def _status_rows(partition: str, condition: Condition | None) -> Iterator[dict[str, Any]]:
    """One by_status partition's rows in ``st_sk`` order."""
    start_key = None
    while True:
        page = table().query(
            partition,
            range_key_condition=condition,
            index_name="by_status",
            exclusive_start_key=start_key,
            scan_index_forward=True,
        )
        # between() includes ``high`` itself: an order placed exactly at ``end`` is not in
        # the window (its key is ``<end>#<id>``, above ``high``, so it is never matched)
        yield from (plain_image(item) for item in page.get("Items", []))
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return
