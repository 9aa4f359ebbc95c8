"""Data access for the programme's configuration: rules overrides, campaigns, tasks.

Rules, campaigns and rebate campaigns share the ``PROGRAMME`` partition so one ``Query``
loads everything a purchase needs (``shared.programme`` caches it); tasks live in ``TASKS``.
Operators' writes carry their audit log entry in the same transaction and are pinned to what
the use case read (a PROGRAMME row's JSON, a task's ``updated_at``), so the entry's ``before``
is the state it replaced.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist

from shared.clock import utc_iso
from shared.domain.activity import Task
from shared.domain.audit import AuditEntry
from shared.dynamodb import audit as audit_log
from shared.dynamodb import keys
from shared.dynamodb.models.base import Item
from shared.dynamodb.models.programme import ProgrammeItem, TaskItem
from shared.dynamodb.tx import Tx, run
from shared.dynamodb.values import row_of, value_of
from shared.errors import Contention

Rows = list[dict[str, Any]]
T = TypeVar("T")
ATTEMPTS = 8  # reads and pinned writes of one operator change before giving up


def load_programme() -> tuple[dict[str, Any], Rows, Rows, Rows]:
    """(rules overrides, campaigns, rebate campaigns, lotteries' extra-draw terms) as stored
    JSON: one consistent Query."""
    overrides: dict[str, Any] = {}
    campaigns: Rows = []
    rebates: Rows = []
    draw_offers: Rows = []
    for item in ProgrammeItem.query(keys.PROGRAMME, consistent_read=True):
        if item.sk == keys.RULES:
            overrides = json.loads(item.data)
        elif item.sk.startswith(keys.CAMPAIGN):
            campaigns.append(json.loads(item.data))
        elif item.sk.startswith(keys.REBATE):
            rebates.append(json.loads(item.data))
        elif item.sk.startswith(keys.EXTRA_DRAWS):
            draw_offers.append(json.loads(item.data))
    return overrides, campaigns, rebates, draw_offers


def until_written(attempt: Callable[[], T | None]) -> T:
    """Run ``attempt`` (read, then write pinned to what it read; None when the pin failed
    because another operator wrote in between) until it writes."""
    for tries in range(ATTEMPTS):
        result = attempt()
        if result is not None:
            return result
        time.sleep(random.uniform(0, 0.01 * 2**tries))  # let the writer that won finish
    raise Contention("another operator is changing the same thing; retry the request")


def _audited(label: str, item: Item, pinned: Any, logged: AuditEntry) -> bool:
    """Put ``item`` if ``pinned`` holds, with the audit log entry, in one transaction; False
    (nothing written) when the row is no longer what the use case read."""
    tx = Tx().put(label, item, pinned)
    audit_log.add(tx, logged)
    return run(tx.committed)


def replace_programme_item(
    sk: str, data: str, read: str | None, logged: AuditEntry, at: str, actor: str
) -> bool:
    """Write the ``PROGRAMME`` row ``sk`` holding ``data`` (JSON) with its audit entry, if the
    row still holds ``read`` (None: if there is no row yet); False when it changed since."""
    item = ProgrammeItem(pk=keys.PROGRAMME, sk=sk, data=data, updated_at=at, updated_by=actor)
    pinned = Item.pk.does_not_exist() if read is None else ProgrammeItem.data == read
    return _audited("programme", item, pinned, logged)


def rules_data() -> str | None:
    """The stored overrides' JSON (consistent read), or None when none were ever stored."""
    return programme_data(keys.RULES)


def put_rules(
    overrides: dict[str, Any], read: str | None, logged: AuditEntry, at: str, actor: str
) -> bool:
    """Replace the overrides read as ``read`` (see :func:`replace_programme_item`)."""
    data = json.dumps(overrides, sort_keys=True)
    return replace_programme_item(keys.RULES, data, read, logged, at, actor)


def programme_data(sk: str) -> str | None:
    """The JSON of the ``PROGRAMME`` row ``sk`` (consistent read), or None."""
    try:
        return ProgrammeItem.get(keys.PROGRAMME, sk, consistent_read=True).data
    except DoesNotExist:
        return None


def programme_data_under(prefix: str) -> list[str]:
    """The JSON of every ``PROGRAMME`` row whose sort key starts with ``prefix`` (consistent)."""
    rows = ProgrammeItem.query(
        keys.PROGRAMME, ProgrammeItem.sk.startswith(prefix), consistent_read=True
    )
    return [row.data for row in rows]


def campaign_data(campaign_id: str) -> str | None:
    """The stored campaign's JSON (consistent read), or None."""
    return programme_data(keys.campaign_sk(campaign_id))


def put_campaign(
    campaign: dict[str, Any], read: str | None, logged: AuditEntry, at: str, actor: str
) -> bool:
    """Create (``read`` None) or replace the campaign read as ``read``, with its audit entry;
    False when it changed since it was read."""
    data = json.dumps(campaign, sort_keys=True)
    sk = keys.campaign_sk(campaign["campaign_id"])
    return replace_programme_item(sk, data, read, logged, at, actor)


def stored_task(task_id: str) -> tuple[Task, str] | None:
    """The task and its ``updated_at`` (what a replacement pins), consistent read; or None."""
    try:
        item = TaskItem.get(keys.TASKS, keys.task_sk(task_id), consistent_read=True)
    except DoesNotExist:
        return None
    return value_of(item, Task), item.updated_at


def put_task(task: Task, read_at: str | None, logged: AuditEntry, at: datetime) -> bool:
    """Create (``read_at`` None) or replace the task last updated at ``read_at``, with its
    audit entry; False when it changed since it was read."""
    key = {"pk": keys.TASKS, "sk": keys.task_sk(task.task_id)}
    item = row_of(TaskItem, task, **key, updated_at=utc_iso(at))
    pinned = Item.pk.does_not_exist() if read_at is None else TaskItem.updated_at == read_at
    return _audited("task", item, pinned, logged)


def get_task(task_id: str) -> Task | None:
    stored = stored_task(task_id)
    return stored[0] if stored is not None else None


def tasks() -> list[Task]:
    found = TaskItem.query(keys.TASKS, TaskItem.sk.startswith(keys.TASK))
    return [value_of(item, Task) for item in found]
