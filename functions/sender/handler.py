"""SQS event source (``ReportBatchItemFailures``) of the ``sends`` queue.

Each record is one :class:`~shared.domain.notices.Send`. Sent or skipped → done (deleted by
the event source). Due later (quiet hours) → hidden until then (≤ 12 h, SQS's ceiling) and
reported failed: not sent, not dropped. A channel failure → hidden for 30 s·2^(receives−1)
(≤ 1 h) and reported failed; after the redrive policy's maxReceiveCount SQS dead-letters it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from shared import clock, programme
from shared.domain.rules import Rules
from shared.notifications import aws, sender
from shared.observability import logger

FIRST_BACKOFF = 30  # seconds before the first retry of a failed channel
MAX_BACKOFF = 3600
MAX_VISIBILITY = 43200  # SQS: 12 hours

_channels: dict[str, Any] | None = None


def backoff(receives: int) -> int:
    """Seconds to hide a send whose channel failed on its ``receives``-th receive."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** max(0, min(receives - 1, 12)))


def _retry_in(record: dict[str, Any], rules: Rules, channels: dict[str, Any]) -> int:
    """Deliver one record; the seconds to hide it before it is tried again (0 = done)."""
    receives = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    try:
        send = aws.decode(record["body"])
    except msgspec.DecodeError as exc:  # not a Send: leave it to the dead-letter queue
        logger.error("not a send", extra={"message_id": record.get("messageId"), "error": str(exc)})
        return backoff(receives)
    try:
        outcome = sender.deliver(send, channels, clock.now(), rules)
    except Exception as exc:  # the channel (or the table) failed: retry later
        # The exception's text may quote the phone or address: log its type and code only.
        response = getattr(exc, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        logger.warning(
            "send failed",
            extra={
                "member_id": send.member_id,
                "message_id": send.message_id,
                "channel": send.channel,
                "error": type(exc).__name__,
                "code": code,
                "receives": receives,
            },
        )
        return backoff(receives)
    if outcome.status == sender.WAIT:
        return min(outcome.wait_seconds, MAX_VISIBILITY)
    return 0


def handle(event: dict[str, Any], sqs: Any = None, channels: dict[str, Any] | None = None) -> dict:
    """The batch's item failures, with each failed item's visibility set to its retry time."""
    global _channels
    if channels is None:
        channels = _channels = _channels if _channels is not None else aws.channels()
    rules = programme.current()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        seconds = _retry_in(record, rules, channels)
        if not seconds:
            continue
        failures.append({"itemIdentifier": record["messageId"]})
        try:
            aws.hold(
                aws.queue_url_of(record["eventSourceARN"]), record["receiptHandle"], seconds, sqs
            )
        except Exception as exc:  # the queue's own visibility timeout applies instead
            logger.warning("visibility not changed", extra={"error": type(exc).__name__})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = handle(event)
    logger.info(
        "sends",
        extra={
            "records": len(event.get("Records", [])),
            "failed": len(result["batchItemFailures"]),
        },
    )
    return result
