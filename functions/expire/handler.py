"""Scheduled expiry jobs (EventBridge): ``{"job": "expire"}`` early each morning and
``{"job": "expiry-reminders"}`` daily. The run stops before Lambda's time is up and the
next scheduled invocation resumes from the run's checkpoint."""

from __future__ import annotations

from typing import Any

from shared import clock, jobs
from shared.observability import logger

ALLOWED = ("expire", "expiry-reminders")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    name = (event or {}).get("job", "expire")
    if name not in ALLOWED:
        raise ValueError(f"this function runs {ALLOWED}, not {name!r}")
    result = jobs.run(name, clock.now(), lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("job finished", extra=result)
    return result
