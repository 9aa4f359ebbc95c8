"""Data access of the audit log: an entry joins its change's transaction; pages by time,
actor or target.

Entries live in one partition per UTC month (``AUDITLOG#<YYYY-MM>``), sort key
``<at>#<audit_id>``; the sparse indexes ``by_status`` (``AUDITBY#<actor>``) and ``by_order``
(``AUDITON#<target>``) list one actor's or one target's entries with the same sort key, so
every filter is one range query.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec

from shared.clock import utc_iso
from shared.domain.audit import AuditEntry
from shared.dynamodb import keys, pages
from shared.dynamodb.models.audit import AuditLogItem
from shared.dynamodb.tx import Tx

LABEL = "audit"
HISTORY_MONTHS = 24  # without ``from``, the unfiltered log goes back this far
# Month partitions one page of the unfiltered log reads at most: a page that has not filled
# up by then ends early with a cursor to the next month, so a sparse window costs a bounded
# number of queries per request.
MONTHS_PER_PAGE = 12


def _json(value: Any) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


def row(entry: AuditEntry) -> AuditLogItem:
    """The entry as its row (keys and index keys included)."""
    at = utc_iso(entry.at)
    sk = keys.time_ordered_sk(at, entry.audit_id)
    return AuditLogItem(
        pk=keys.audit_log_pk(at[:7]),
        sk=sk,
        audit_id=entry.audit_id,
        at=at,
        actor=entry.actor,
        action=entry.action,
        target=entry.target,
        before=_json(entry.before),
        after=_json(entry.after),
        reason=entry.reason,
        st_pk=keys.audit_actor_pk(entry.actor),
        st_sk=sk,
        order_pk=keys.audit_target_pk(entry.target),
    )


def add(tx: Tx, entry: AuditEntry) -> Tx:
    """Write ``entry`` in ``tx``: it lands exactly when the change it describes does."""
    return tx.put(LABEL, row(entry), condition=AuditLogItem.pk.does_not_exist())


def record(entry: AuditEntry) -> None:
    """Write ``entry`` on its own: for actions that change nothing else in the table (a
    reveal of personal data, an export requested) or whose change is written elsewhere."""
    row(entry).save(condition=AuditLogItem.pk.does_not_exist())


def entry_of(item: AuditLogItem) -> AuditEntry:
    return AuditEntry(
        at=datetime.fromisoformat(item.at),
        actor=item.actor,
        action=item.action,
        target=item.target,
        before=None if item.before is None else json.loads(item.before),
        after=None if item.after is None else json.loads(item.after),
        reason=item.reason or "",
        audit_id=item.audit_id,
    )


def _months(start: datetime | None, end: datetime) -> list[str]:
    """``YYYY-MM`` from ``end``'s month back to ``start``'s (or HISTORY_MONTHS), newest first."""
    year, month = end.astimezone(UTC).year, end.astimezone(UTC).month
    if start is None:
        count = HISTORY_MONTHS
    else:
        first = start.astimezone(UTC)
        count = max(0, (year - first.year) * 12 + month - first.month) + 1
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def page(
    *,
    actor: str | None,
    target: str | None,
    start: datetime | None,
    end: datetime,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEntry], str | None]:
    """Entries newest first, ``start`` <= at < ``end``, filtered by actor and/or target."""
    low = utc_iso(start) if start is not None else "0"  # keys cannot be empty
    between = (low, utc_iso(end))
    if target is not None or actor is not None:
        if target is not None:
            index, partition = AuditLogItem.by_target, ("order_pk", keys.audit_target_pk(target))
            sort = AuditLogItem.sk
        else:
            index, partition = AuditLogItem.by_actor, ("st_pk", keys.audit_actor_pk(actor or ""))
            sort = AuditLogItem.st_sk
        result = index.query(
            partition[1],
            sort.between(*between),
            filter_condition=(
                AuditLogItem.actor == actor if target is not None and actor is not None else None
            ),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=pages.decode(cursor, partition),
        )
        return [entry_of(i) for i in result], pages.encode(result.last_evaluated_key)
    return _log_page(between, _months(start, end), limit, cursor)


def _log_page(
    between: tuple[str, str], months: list[str], limit: int, cursor: str | None
) -> tuple[list[AuditEntry], str | None]:
    """The unfiltered log: month partitions newest first, a page may span months."""
    start_key = pages.decode(cursor)
    if start_key is not None:
        month = start_key["pk"]["S"].removeprefix(keys.audit_log_pk(""))
        if month not in months:
            raise pages.invalid()  # a cursor of another window (start/end changed meanwhile)
        months = months[months.index(month) :]
        if "sk" not in start_key:  # a page that ended with its month: the next month from its top
            start_key = None
    out: list[AuditEntry] = []
    for walked, month in enumerate(months):
        if walked == MONTHS_PER_PAGE:  # enough partitions for one request: go on next page
            return out, pages.encode({"pk": {"S": keys.audit_log_pk(month)}})
        result = AuditLogItem.query(
            keys.audit_log_pk(month),
            AuditLogItem.sk.between(*between),
            scan_index_forward=False,
            limit=limit - len(out),
            last_evaluated_key=start_key,
        )
        out.extend(entry_of(i) for i in result)
        start_key = None
        if result.last_evaluated_key:
            return out, pages.encode(result.last_evaluated_key)
        if len(out) >= limit:
            rest = months[months.index(month) + 1 :]
            # the next month starts the next page (an empty first page there is fine)
            return out, pages.encode({"pk": {"S": keys.audit_log_pk(rest[0])}}) if rest else None
    return out, None
