"""Membership tiers and birthdays, scheduled.

EventBridge sends ``{"job": "tiers"}`` on the 1st of each month (the evaluation that
demotes) and ``{"job": "birthdays"}`` daily; a run stops within its time budget and the
next scheduled invocation resumes from the run's checkpoint. Operators run the same jobs
with ``POST /v1/admin/jobs/{job}/runs``. Promotion needs no job: it happens in the earning
transactions.
"""

from __future__ import annotations

from typing import Any

from shared.jobs import registry
from shared.observability import logger

scheduled = registry.Scheduled(("tiers", "birthdays"))  # no default: each schedule names its job


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return scheduled(event, context)
