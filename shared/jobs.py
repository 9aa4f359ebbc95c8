"""Scheduled jobs by name: the EventBridge schedules and ``POST /v1/admin/jobs/{job}/runs``
run the same code. Each entry is imported only when its job runs (cold start)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.errors import NotFound

Job = Callable[..., dict[str, Any]]

# name -> "module:function"; each function takes (now, time_left=...) and returns stats
JOBS: dict[str, str] = {
    "expire": "shared.expiry:run_expiry",
    "expiry-reminders": "shared.expiry:run_reminders",
    "holds": "shared.checkout:sweep",
    "unpaid-orders": "shared.mall:sweep_unpaid_orders",
    "tiers": "shared.tiers:evaluate_tiers",
    "birthdays": "shared.tiers:credit_birthdays",
}


def resolve(name: str) -> Job:
    target = JOBS.get(name)
    if target is None:
        raise NotFound(f"no job {name!r}; jobs: {', '.join(sorted(JOBS))}", code="job_not_found")
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def run(name: str, now: datetime, time_left: Callable[[], float] | None = None) -> dict[str, Any]:
    job = resolve(name)
    result = job(now, time_left) if time_left is not None else job(now)
    return {"job": name, **result}
