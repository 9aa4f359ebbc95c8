"""Operators run a scheduled job now: the same code the EventBridge schedules run."""

from __future__ import annotations

from typing import Any

from shared import clock, jobs
from shared.http import HttpApp, Request
from shared.observability import logger

app = HttpApp("jobs")


@app.operation("run_job")
def run_job(req: Request) -> dict[str, Any]:
    name = req.path["job"]
    jobs.resolve(name)  # 404 before any work for an unknown job
    deadline = getattr(req.context, "get_remaining_time_in_millis", None)
    time_left = (lambda: deadline() / 1000) if deadline else None
    return jobs.run(name, clock.now(), time_left)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
