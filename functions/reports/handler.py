"""Operator reports.

HTTP (operators): ``GET /v1/admin/reports/summary?from=&to=``.
SQS (``ReportBatchItemFailures``): the ``reports`` queue, which a rule on the stage's bus
fills with the business events reports count, up to 1 000 per invocation. A batch is counted
at once (:func:`shared.reports.consume`: deduplicated by event id, one sharded day counter
per day, one transaction per 98 events with the shard's running totals); a record that is
not an event, or whose events' write failed, is reported failed, so SQS delivers it again
(counted once: its marker).
A bare EventBridge event (a redrive of the bus rule's dead-letter queue from before the
queue) is counted the same way.
"""

from __future__ import annotations

import json
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


def _event(body: dict[str, Any]) -> Event:
    """The business event in an EventBridge envelope (KeyError/TypeError if none)."""
    detail = body.get("detail") or {}
    return Event(str(detail.get("event_id") or body["id"]), str(body["detail-type"]), detail)


def count_event(event: dict[str, Any]) -> dict[str, Any]:
    return {"counted": reports.aggregate([_event(event)], clock.now())}


def count_batch(records: list[dict[str, Any]]) -> dict[str, Any]:
    failures: list[str] = []
    messages: dict[str, list[str]] = {}  # event id -> the messages carrying it
    found: list[Event] = []
    for record in records:
        try:
            event = _event(json.loads(record["body"]))
        except (ValueError, KeyError, TypeError):
            logger.error("not an event", extra={"message_id": record.get("messageId")})
            failures.append(record["messageId"])
            continue
        found.append(event)
        messages.setdefault(event.event_id, []).append(record["messageId"])
    outcome = reports.consume(found, clock.now())
    failures += [m for event_id in sorted(outcome.failed) for m in messages[event_id]]
    logger.info(
        "counted", extra={"records": len(records), "counted": outcome.counted, "failed": failures}
    )
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failures]}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "routeKey" in (event or {}):
        return app.resolve(event, context)
    if "Records" in (event or {}):
        return count_batch(event["Records"])
    return count_event(event)
