"""Scheduled: cancel points + cash orders still unpaid after ``unpaid_order_minutes``
(points, stock and limits return). The same job runs on demand as ``unpaid-orders``."""

from __future__ import annotations

from typing import Any

from shared import clock, mall
from shared.observability import logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    result = {
        "job": "unpaid-orders",
        **mall.sweep_unpaid_orders(
            clock.now(), lambda: context.get_remaining_time_in_millis() / 1000
        ),
    }
    logger.info("job finished", extra=result)
    return result
