"""Data access for the programme's configuration: rules overrides, campaigns, tasks.

Rules, campaigns and rebate campaigns share the ``PROGRAMME`` partition so one ``Query``
loads everything a purchase needs (``shared.programme`` caches it); tasks live in ``TASKS``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from shared.clock import utc_iso
from shared.domain.activity import Task
from shared.dynamodb import keys
from shared.dynamodb.models.base import Item
from shared.dynamodb.models.programme import ProgrammeItem, TaskItem
from shared.dynamodb.values import row_of, value_of

Rows = list[dict[str, Any]]


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


def _upsert(item: Item) -> bool:
    """Create or replace ``item``; True if it was created."""
    try:
        item.save(condition=Item.pk.does_not_exist())
        return True
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    item.save()
    return False


def put_rules(overrides: dict[str, Any], at: str, actor: str) -> None:
    ProgrammeItem(
        pk=keys.PROGRAMME,
        sk=keys.RULES,
        data=json.dumps(overrides, sort_keys=True),
        updated_at=at,
        updated_by=actor,
    ).save()


def put_programme_item(sk: str, data: str, at: str, actor: str | None) -> bool:
    """Create or replace the ``PROGRAMME`` row ``sk`` holding ``data`` (JSON); True if it was
    created."""
    return _upsert(
        ProgrammeItem(pk=keys.PROGRAMME, sk=sk, data=data, updated_at=at, updated_by=actor)
    )


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


def put_campaign(campaign: dict[str, Any], at: str, actor: str) -> bool:
    data = json.dumps(campaign, sort_keys=True)
    return put_programme_item(keys.campaign_sk(campaign["campaign_id"]), data, at, actor)


def put_task(task: Task, at: datetime) -> bool:
    """Create or replace the task; True if it was created."""
    key = {"pk": keys.TASKS, "sk": keys.task_sk(task.task_id)}
    return _upsert(row_of(TaskItem, task, **key, updated_at=utc_iso(at)))


def get_task(task_id: str) -> Task | None:
    try:
        item = TaskItem.get(keys.TASKS, keys.task_sk(task_id), consistent_read=True)
        return value_of(item, Task)
    except DoesNotExist:
        return None


def tasks() -> list[Task]:
    found = TaskItem.query(keys.TASKS, TaskItem.sk.startswith(keys.TASK))
    return [value_of(item, Task) for item in found]
