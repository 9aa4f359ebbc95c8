"""Membership tiers and birthdays (SPEC §7), scheduled.

EventBridge sends ``{"job": "tiers"}`` on the 1st of each month (the evaluation that
demotes) and ``{"job": "birthdays"}`` daily; a run stops before Lambda's time is up and the
next scheduled invocation resumes from the run's checkpoint. Operators run the same jobs
with ``POST /v1/admin/jobs/{job}/runs``. Promotion needs no job: it happens in the earning
transactions.
"""

from __future__ import annotations

from typing import Any

from shared import clock, jobs
from shared.observability import logger

ALLOWED = ("tiers", "birthdays")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    name = (event or {}).get("job")
    if name not in ALLOWED:
        raise ValueError(f"this function runs {ALLOWED}, not {name!r}")
    result = jobs.run(name, clock.now(), lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("job finished", extra=result)
    return result
