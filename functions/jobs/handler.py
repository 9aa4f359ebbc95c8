"""Operators run a scheduled job now: the same code, through the same entry point, as its
EventBridge schedule (``shared.jobs.registry``), audited as ``job.run``."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.http import HttpApp, Request
from shared.jobs import registry
from shared.observability import logger

app = HttpApp("jobs")


@app.operation("run_job")
def run_job(req: Request) -> dict[str, Any]:
    time_left = registry.time_left_of(req.context)
    return registry.run_for(req.operator, req.path["job"], clock.now(), time_left)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
