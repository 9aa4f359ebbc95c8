"""Use cases of tasks: operators define them, members complete them (SPEC §3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

from shared import programme
from shared.clock import utc_iso
from shared.domain import ledger as kinds
from shared.domain.activity import apply_cap, period
from shared.domain.calendar import local_date
from shared.domain.ledger import Credit
from shared.domain.lots import expiry_date
from shared.dynamodb import activity as repo
from shared.dynamodb import config, keys, members
from shared.dynamodb.models import TaskItem
from shared.errors import Contention, MemberFrozen, TaskLimitReached, TaskNotFound

SOURCE = "task"


class TaskDefinition(Struct, frozen=True):
    """A task members complete for points, with how often they may."""

    task_id: str
    name: str
    points: int
    limit: str  # once | daily | weekly
    active: bool = True


def _view(task: TaskItem) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "name": task.name,
        "points": int(task.points),
        "limit": task.limit,
        "active": bool(task.active),
    }


def put_task(cmd: TaskDefinition, now: datetime) -> tuple[dict[str, Any], bool]:
    """``PUT /v1/admin/tasks/{id}``: create or replace. Returns (task, created)."""
    item = TaskItem(
        task_id=cmd.task_id,
        name=cmd.name,
        points=cmd.points,
        limit=cmd.limit,
        active=cmd.active,
        updated_at=utc_iso(now),
    )
    created = config.put_task(item)
    return _view(item), created


def all_tasks() -> dict[str, Any]:
    """Every task, retired ones too (operators)."""
    return {"items": [_view(t) for t in config.tasks()], "next_cursor": None}


def for_member(member_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/tasks``: the active tasks and whether the member did each this period."""
    today = local_date(now, programme.current().zone)
    tasks = [t for t in config.tasks() if t.active]
    refs = {t.task_id: keys.task_ref(t.task_id, period(t.limit, today)) for t in tasks}
    done = repo.credited(member_id, SOURCE, list(refs.values())) if refs else set()
    return {
        "items": [
            {
                "task_id": t.task_id,
                "name": t.name,
                "points": int(t.points),
                "limit": t.limit,
                "period": period(t.limit, today),
                "completed_in_period": refs[t.task_id] in done,
            }
            for t in tasks
        ],
        "next_cursor": None,
    }


def complete(member_id: str, task_id: str, now: datetime) -> dict[str, Any]:
    """Credit a task once per its period (``once``, the day, the ISO week), up to the cap."""
    task = config.get_task(task_id)
    if task is None or not task.active:
        raise TaskNotFound(f"no task {task_id!r}")
    rules = programme.current()
    today = local_date(now, rules.zone)
    current = period(task.limit, today)
    member = members.get(member_id)
    for _ in range(8):
        if member.status != "active":
            raise MemberFrozen(f"member {member_id!r} is frozen")
        cap = apply_cap(
            int(task.points),
            today,
            member.activity_day,
            int(member.activity_points or 0),
            rules.daily_activity_cap,
        )
        credit = Credit(
            member_id=member_id,
            type=kinds.EARN,
            source=SOURCE,
            ref=keys.task_ref(task_id, current),
            points=cap.credited,
            at=now,
            earned_on=today,
            expires_on=expiry_date(today, rules.validity),
            description=f"Task: {task.name}",
        )
        try:
            repo.record(
                credit,
                rules,
                repo.Seen.of(member, today),
                day=today.isoformat(),
                day_total=cap.day_total,
            )
        except repo.AlreadyDone:
            raise TaskLimitReached(
                f"task {task_id!r} was already completed ({task.limit} limit, period {current})",
                details={"task_id": task_id, "period": current},
            ) from None
        except repo.Stale as stale:
            member = stale.member
            continue
        return {
            "task_id": task_id,
            "period": current,
            "points": cap.credited,
            "capped": cap.capped,
        }
    raise Contention("the member is changing quickly; retry the request")
