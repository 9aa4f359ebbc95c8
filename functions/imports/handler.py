"""Operators import members with their opening balances; the same function runs the import
job in the background (an asynchronous invocation of itself) and, on its schedule, starts
again the imports whose run stopped without continuing (shared/imports/service.py)."""

from __future__ import annotations

import base64
from typing import Any

from shared import clock, programme
from shared.errors import BadRequest
from shared.http import HttpApp, Request, Response
from shared.imports import service
from shared.jobs import background, registry
from shared.jobs.registry import time_left_of
from shared.observability import logger

app = HttpApp("imports")
scheduled = registry.Scheduled(("resume-imports",), default="resume-imports")


def _body(req: Request) -> bytes:
    raw = req.event.get("body") or ""
    if req.event.get("isBase64Encoded"):
        try:
            return base64.b64decode(raw, validate=True)
        except ValueError:
            raise BadRequest("the body is not valid base64") from None
    return raw.encode("utf-8")


def _import_id(req: Request) -> str:
    return req.path_id("import_id", service.ImportNotFound, "import")


@app.operation("create_import")
def create_import(req: Request) -> Response:
    return Response(202, service.create(_body(req), req.operator, clock.now()))


@app.operation("create_upload")
def create_upload(req: Request) -> Response:
    zone = programme.current().zone
    return Response(201, service.create_upload(req.operator, clock.now(), zone))


@app.operation("start_import")
def start_import(req: Request) -> Response:
    return Response(202, service.start(_import_id(req), req.operator, clock.now()))


@app.operation("get_import")
def get_import(req: Request) -> dict[str, Any]:
    zone = programme.current().zone
    limit = req.limit(default=1000, maximum=1000)
    return service.status(_import_id(req), limit, req.query.get("cursor"), zone)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if background.claims(event):
        return service.run_background(background.payload(event), time_left_of(context))
    if scheduled.claims(event):
        return scheduled(event, context)
    return app.resolve(event, context)
