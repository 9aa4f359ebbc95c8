"""Use cases of tasks: operators define them, members complete them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import programme
from shared.domain import audit as audit_log
from shared.domain import ledger as kinds
from shared.domain.activity import Task, apply_cap, period, task_ref
from shared.domain.calendar import local_date
from shared.domain.members import can_earn
from shared.dynamodb import activity as activity_repo
from shared.dynamodb import config
from shared.dynamodb.config import until_written
from shared.errors import (
    Contention,
    MemberFrozen,
    TaskLimitReached,
    TaskNotFound,
    VerificationRequired,
)

SOURCE = "task"


def _view(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "name": task.name,
        "points": task.points,
        "limit": task.limit,
        "active": task.active,
        "verified": task.verified,
    }


def put_task(task: Task, actor: str, now: datetime) -> tuple[dict[str, Any], bool]:
    """``PUT /v1/admin/tasks/{id}``: create or replace, audited (``task.put``, before and
    after as the API shows the task). Returns (task, created)."""
    after = _view(task)

    def attempt() -> bool | None:
        read = config.stored_task(task.task_id)
        before = _view(read[0]) if read is not None else None
        target = audit_log.target("task", task.task_id)
        logged = audit_log.entry(now, actor, "task.put", target, before=before, after=after)
        written = config.put_task(task, read[1] if read is not None else None, logged, now)
        return (read is None) if written else None

    return after, until_written(attempt)


def all_tasks() -> dict[str, Any]:
    """Every task, retired ones too (operators)."""
    return {"items": [_view(t) for t in config.tasks()], "next_cursor": None}


def for_member(member_id: str, now: datetime) -> dict[str, Any]:
    """``GET /v1/tasks``: the active tasks and whether the member did each this period."""
    today = local_date(now, programme.current().zone)
    tasks = [t for t in config.tasks() if t.active]
    refs = {t.task_id: task_ref(t.task_id, period(t.limit, today)) for t in tasks}
    done = activity_repo.credited(member_id, SOURCE, list(refs.values())) if refs else set()
    return {
        "items": [
            {
                "task_id": t.task_id,
                "name": t.name,
                "points": t.points,
                "limit": t.limit,
                "period": period(t.limit, today),
                "completed_in_period": refs[t.task_id] in done,
                "verified": t.verified,
            }
            for t in tasks
        ],
        "next_cursor": None,
    }


def complete(
    member_id: str, task_id: str, now: datetime, *, reported: bool = False
) -> dict[str, Any]:
    """Credit a task once per its period (``once``, the day, the ISO week), up to the cap.

    A verified task's completion counts only when a trusted system reports it (``reported``:
    ``POST /v1/members/{id}/tasks/{task_id}/completions``); the member's own claim → 403
    ``verification_required``."""
    task = config.get_task(task_id)
    if task is None or not task.active:
        raise TaskNotFound(f"no task {task_id!r}")
    if task.verified and not reported:
        raise VerificationRequired(
            f"task {task_id!r} is verified: its completion is reported by the shop's systems"
        )
    rules = programme.current()
    today = local_date(now, rules.zone)
    current = period(task.limit, today)
    seen = activity_repo.read(member_id, today)
    for _ in range(8):
        if not can_earn(seen.status):
            raise MemberFrozen(f"member {member_id!r} is frozen for earning")
        cap = apply_cap(
            task.points, today, seen.activity_day, seen.activity_points, rules.daily_activity_cap
        )
        credit = kinds.credit(
            member_id,
            SOURCE,
            task_ref(task_id, current),
            cap.credited,
            "task",
            {"task": task.name},
            at=now,
            rules=rules,
        )
        try:
            activity_repo.record(
                credit, rules, seen, day=today.isoformat(), day_total=cap.day_total
            )
        except activity_repo.AlreadyDone:
            raise TaskLimitReached(
                f"task {task_id!r} was already completed ({task.limit} limit, period {current})",
                details={"task_id": task_id, "period": current},
            ) from None
        except activity_repo.Stale as stale:
            seen = stale.seen
            continue
        return {
            "task_id": task_id,
            "period": current,
            "points": cap.credited,
            "capped": cap.capped,
        }
    raise Contention("the member is changing quickly; retry the request")
