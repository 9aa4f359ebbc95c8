"""The leaderboard's snapshot, scheduled.

EventBridge sends ``{"job": "leaderboard"}`` every hour: this month's and this year's boards
(and a just-ended period's final one) are rebuilt from the members who earned
(``shared.leaderboard``). Operators run it now with ``POST /v1/admin/jobs/leaderboard/runs``.
A function of its own: it may take 15 minutes over a large programme, and the members'
read function keeps a read-only role.
"""

from __future__ import annotations

from typing import Any

from shared.jobs import registry
from shared.observability import logger

scheduled = registry.Scheduled(("leaderboard",), default="leaderboard")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return scheduled(event, context)
