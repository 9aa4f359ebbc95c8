"""The table's stream → EventBridge: publishes the events committed transactions recorded.

Failed entries are reported as batch item failures, so the event source mapping retries
from the first failed record and, after its retries, sends the batch to the dead-letter
queue. Events are delivered at least once; each carries a deterministic ``event_id``.
The business metrics (``shared.stream_metrics``) are counted here too, from the records that
will not be delivered again, and printed as one EMF line per invocation.
"""

from __future__ import annotations

from typing import Any

from shared import metrics, stream_metrics
from shared.events import Event, from_stream_record
from shared.observability import logger
from shared.settings import settings

_client = None


def _events_client() -> Any:
    global _client
    if _client is None:
        import boto3

        _client = boto3.client("events", region_name=settings().region)
    return _client


def publish(events: list[tuple[str, Event]], put_events: Any = None) -> list[str]:
    """Publish ``(sequence number, event)`` pairs; return the sequence numbers that failed."""
    put = put_events or _events_client().put_events
    bus = settings().event_bus_name
    failed: list[str] = []
    for start in range(0, len(events), 10):  # PutEvents takes at most 10 entries
        chunk = events[start : start + 10]
        response = put(Entries=[event.entry(bus) for _, event in chunk])
        for (sequence, event), result in zip(chunk, response.get("Entries", []), strict=False):
            if result.get("ErrorCode"):
                logger.warning(
                    "event not published",
                    extra={"event_id": event.event_id, "error": result.get("ErrorCode")},
                )
                failed.append(sequence)
    return failed


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    pending = [
        (record["dynamodb"]["SequenceNumber"], found)
        for record in records
        for found in from_stream_record(record)
    ]
    failed = publish(pending)
    logger.info("published", extra={"events": len(pending) - len(failed), "failed": len(failed)})
    stream_metrics.count_settled(records, set(failed))
    # Report the earliest failure: the mapping retries from there (ReportBatchItemFailures).
    # ``failed`` is in batch order (the stream's order); sorting the sequence numbers as
    # strings would misorder two of different lengths and skip the earlier failure.
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed[:1]]}
