"""Operator reports.

HTTP (operators): ``GET /v1/admin/reports/summary?from=&to=``.
EventBridge (a rule on the stage's bus): every business event is counted once into the
daily aggregates the summary reads.
"""

from __future__ import annotations

from typing import Any

from shared import clock, reports
from shared.events import Event
from shared.http import HttpApp, Request
from shared.observability import logger
from shared.requests.operators import REPORT_WINDOW

app = HttpApp("reports")


@app.operation("report_summary")
def report_summary(req: Request) -> dict[str, Any]:
    args = REPORT_WINDOW.parse(dict(req.query))
    start, end = args["from"], args["to"]
    return reports.summary(reports.window(start, end, clock.now()))


def count_event(event: dict[str, Any]) -> dict[str, Any]:
    detail = event.get("detail") or {}
    found = Event(str(detail.get("event_id") or event.get("id")), event["detail-type"], detail)
    return {"counted": reports.aggregate([found], clock.now())}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "routeKey" in (event or {}):
        return app.resolve(event, context)
    return count_event(event)
