"""Operators run a scheduled job now: the same code, through the same entry point, as its
EventBridge schedule (``shared.jobs.registry``), audited as ``job.run``.

The request's run stops within ``HTTP_BUDGET_S`` (API Gateway gives up at 30 s, the function
may run 15 minutes); a run that ends incomplete continues in asynchronous invocations of this
function (``shared.jobs.background``), each with the function's whole timeout.

It is also the worker of the partitioned jobs (expiry, reminders, tiers, birthdays): it
consumes the ``job-shards`` queue, one shard's task per invocation (``shared.jobs.fanout``),
with the grants it already has to run any job.
"""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.http import HttpApp, Request
from shared.jobs import background, registry
from shared.jobs.runner import HTTP_BUDGET_S, bounded
from shared.observability import logger

app = HttpApp("jobs")


@app.operation("run_job")
def run_job(req: Request) -> dict[str, Any]:
    time_left = bounded(registry.time_left_of(req.context), HTTP_BUDGET_S)
    return registry.run_for(req.operator, req.path["job"], clock.now(), time_left)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if registry.claims_shard_tasks(event):
        return registry.run_shard_tasks(event, registry.time_left_of(context))
    if background.claims(event):
        return registry.continue_run(background.payload(event), registry.time_left_of(context))
    return app.resolve(event, context)
