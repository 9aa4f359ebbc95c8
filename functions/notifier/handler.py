"""SQS event source (``ReportBatchItemFailures``) of the ``notices`` queue, which an
EventBridge rule fills with the member-facing events of the stage's bus.

Each record's body is an EventBridge event (``id``, ``time``, ``detail-type``, ``detail``).
A batch becomes inbox messages and the sends members opted into (the ``sends`` queue,
``SENDS_QUEUE_URL``): :func:`shared.notifications.notifier.process`. A record that is not an
event, or whose event could not be written or dispatched, is reported failed, so SQS
redelivers it and after its redrive policy dead-letters it; a redelivered event writes no
second message.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shared import clock
from shared.notifications import aws, notifier
from shared.observability import logger

_dispatch: notifier.Dispatch | None = None


def use_dispatch(dispatch: notifier.Dispatch | None) -> None:
    """Hand sends to ``dispatch`` instead of the ``sends`` queue (benches and tests)."""
    global _dispatch
    _dispatch = dispatch


def _dispatcher() -> notifier.Dispatch:
    global _dispatch
    if _dispatch is None:
        _dispatch = aws.SqsDispatch()
    return _dispatch


def triple(body: str, now: datetime) -> notifier.Triple:
    """The event in a record's body (ValueError/KeyError/TypeError if it is not one)."""
    event = json.loads(body)
    detail = dict(event.get("detail") or {})
    detail.setdefault("event_id", event["id"])
    at = datetime.fromisoformat(event["time"]) if event.get("time") else now
    return str(event["detail-type"]), detail, at if at.tzinfo else at.replace(tzinfo=UTC)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    now = clock.now()
    failures: list[str] = []
    ids: list[str] = []
    found: list[notifier.Triple] = []
    for record in event.get("Records", []):
        try:
            found.append(triple(record["body"], now))
            ids.append(record["messageId"])
        except (ValueError, KeyError, TypeError):
            logger.error("not an event", extra={"message_id": record.get("messageId")})
            failures.append(record["messageId"])
    outcome = notifier.process(found, _dispatcher(), now)
    failures += [ids[i] for i in outcome.failed]
    logger.info("notified", extra=outcome.counts())
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failures]}
