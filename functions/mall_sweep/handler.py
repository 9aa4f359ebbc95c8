"""Scheduled: cancel points + cash orders still unpaid after ``unpaid_order_minutes``
(points, stock and limits return). The same job runs on demand as ``unpaid-orders``."""

from __future__ import annotations

from typing import Any

from shared.jobs import registry
from shared.observability import logger

# Its schedule names the job; an event without one (EventBridge's bare "Scheduled Event")
# runs it too.
scheduled = registry.Scheduled(("unpaid-orders",), default="unpaid-orders")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return scheduled(event, context)
