"""Operators' exports for finance: ask for one (``POST /v1/admin/exports`` → 202), follow it
and fetch its file (``GET /v1/admin/exports/{export_id}``: a fresh time-limited URL).

The same function runs the export's job: the request starts it as an asynchronous
invocation of this function (``shared.jobs.background``), which gets the function's own
timeout rather than API Gateway's 30 s.
"""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.errors import NotFound
from shared.exports import jobs
from shared.http import HttpApp, Request, Response
from shared.jobs import background
from shared.jobs.registry import time_left_of
from shared.observability import logger
from shared.requests.exports import CREATE_EXPORT
from shared.validation import ID_PATTERN, idempotency_key

app = HttpApp("exports")


@app.operation("create_export")
def create_export(req: Request) -> Response:
    args = CREATE_EXPORT.parse(req.json())
    key = idempotency_key(req.header("Idempotency-Key"))
    return Response(202, jobs.create_export(args, req.operator, clock.now(), key))


@app.operation("get_export")
def get_export(req: Request) -> dict[str, Any]:
    export_id = req.path.get("export_id", "")
    if not ID_PATTERN.match(export_id):
        raise NotFound(f"no export {export_id!r}", code="export_not_found")
    return jobs.get_export(export_id, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if background.claims(event):
        return jobs.run_export(background.payload(event), time_left_of(context))
    return app.resolve(event, context)
