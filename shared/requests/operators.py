"""Requests of operators: reports, expiry, tasks, campaigns and member care."""

from __future__ import annotations

from decimal import Decimal as Dec

from shared.domain.activity import LIMITS
from shared.domain.adjustments import PENDING, STATUSES
from shared.domain.members import ALL, SCOPES
from shared.requests import Body
from shared.validation import (
    Boolean,
    Choice,
    Date,
    Decimal,
    Email,
    Integer,
    Integers,
    Money,
    Names,
    Nested,
    Objects,
    Phone,
    Text,
    Timestamp,
)

MAX_POINTS = 1_000_000

REPORT_WINDOW = Body({"from": Date(required=False), "to": Date(required=False)})  # the query
EXTEND_EXPIRY = Body(
    {
        "reason": Text(max_length=500),
        "expires_on": Date(required=False),
        "to": Date(required=False),
        "days": Integer(required=False, minimum=1, maximum=366),
    }
)
PUT_TASK = Body(
    {
        "name": Text(),
        "points": Integer(minimum=1, maximum=MAX_POINTS),
        "limit": Choice(LIMITS),
        "active": Boolean(required=False, default=True),
        "verified": Boolean(required=False, default=False),
    }
)
RECURRENCE = Body({"weekdays": Integers(minimum=1, maximum=7, max_items=7)})
SPEND_RUNG = Body(
    {"min_amount": Money(), "points": Integer(minimum=1, maximum=MAX_POINTS)}
)  # 满X送Y
PUT_CAMPAIGN = Body(
    {
        "name": Text(),
        "starts_at": Timestamp(),
        "ends_at": Timestamp(),
        "multiplier": Decimal(required=False, minimum=Dec(1), maximum=Dec(10)),
        "bonus_points": Integer(required=False, minimum=1, maximum=MAX_POINTS),
        "categories": Names(required=False),
        "skus": Names(required=False),
        "channels": Names(required=False),
        "tiers": Names(required=False, max_items=20),
        "registered_after": Date(required=False),
        "recurrence": Nested(RECURRENCE, required=False),
        "spend_bonus": Objects(SPEND_RUNG, required=False, max_items=10),
    }
)
ADJUST_MEMBER = Body(
    {
        "points": Integer(minimum=-MAX_POINTS, maximum=MAX_POINTS, zero="must not be 0"),
        "reason": Text(max_length=500),
        "allow_debt": Boolean(required=False, default=False),
    }
)
# Adjustments awaiting a second operator (the query) and the decision on one (like a review's)
ADJUSTMENT_QUEUE = Body({"status": Choice(STATUSES, required=False, default=PENDING)})
# freeze, unfreeze: what is (un)frozen, all by default
STATUS_CHANGE = Body(
    {"reason": Text(max_length=500), "scope": Choice(SCOPES, required=False, default=ALL)}
)
# Member lookup by contact (the query; exactly one of the two) and a member's file (the query:
# ``reveal=true`` shows the contact details in clear, audited with the optional ``reason``).
FIND_MEMBERS = Body({"phone": Phone(required=False), "email": Email(required=False)})
MEMBER_FILE = Body(
    {
        "reveal": Choice(("true", "false"), required=False, default="false"),
        "reason": Text(required=False, max_length=500),
    }
)
