"""Rebate settlement, scheduled.

EventBridge sends ``{"job": "rebate-settlement"}`` daily: every campaign whose return window
has closed gets one statement per participant (``shared.rebates.settlement``); a run stops
within its time budget and the next invocation resumes from the campaign's checkpoint.
Operators settle a campaign earlier with ``POST /v1/admin/rebates/{campaign_id}/settlements``.
A function of its own: the operators' HTTP function keeps API Gateway's 30 s, this one may
take 15 minutes over a large campaign.
"""

from __future__ import annotations

from typing import Any

from shared.jobs import registry
from shared.observability import logger

scheduled = registry.Scheduled(("rebate-settlement",), default="rebate-settlement")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return scheduled(event, context)
