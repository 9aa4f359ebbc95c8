"""Requests of the review queue (operators)."""

from __future__ import annotations

from shared.domain.risk import DECISIONS, PENDING, STATUSES
from shared.requests import Body
from shared.validation import Choice, Text

REVIEW_QUEUE = Body({"status": Choice(STATUSES, required=False, default=PENDING)})  # the query
DECIDE_REVIEW = Body(
    {"decision": Choice(DECISIONS), "reason": Text(max_length=500, multiline=True)}
)
