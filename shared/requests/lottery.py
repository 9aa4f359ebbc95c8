"""Requests of the points lottery: a member's delivery address, the operators' lotteries."""

from __future__ import annotations

from shared.delivery import DELIVERY
from shared.domain.lottery import (
    KINDS,
    MAX_COST,
    MAX_DAILY_LIMIT,
    MAX_PRIZE_POINTS,
    MAX_PRIZES,
    MAX_WEIGHT,
)
from shared.requests import Body
from shared.validation import (
    Boolean,
    Choice,
    Date,
    Id,
    Integer,
    Money,
    Names,
    Nested,
    Objects,
    Text,
    Timestamp,
)

MAX_STOCK = 100_000_000
MAX_EXTRA_DRAWS = 100  # per full per_amount

GIVE_DELIVERY_ADDRESS = DELIVERY
PRIZE = Body(
    {
        "prize_id": Id(),
        "name": Text(max_length=200),
        "kind": Choice(KINDS),
        "weight": Integer(minimum=0, maximum=MAX_WEIGHT),
        "stock": Integer(required=False, minimum=0, maximum=MAX_STOCK),
        "points": Integer(required=False, minimum=1, maximum=MAX_PRIZE_POINTS),
        "item_id": Id(required=False),
        "cash": Money(required=False),
    }
)
EXTRA_DRAWS = Body(
    {"per_amount": Money(), "draws": Integer(minimum=1, maximum=MAX_EXTRA_DRAWS)}
)  # each full per_amount of a purchase earns draws
PUT_LOTTERY = Body(
    {
        "name": Text(max_length=200),
        "cost": Integer(required=False, minimum=1, maximum=MAX_COST),
        "daily_limit": Integer(required=False, minimum=1, maximum=MAX_DAILY_LIMIT),
        "starts_at": Timestamp(),
        "ends_at": Timestamp(),
        "no_prize_weight": Integer(required=False, default=0, minimum=0, maximum=MAX_WEIGHT),
        "prizes": Objects(PRIZE, max_items=MAX_PRIZES),
        "tiers": Names(required=False, max_items=20),
        "registered_after": Date(required=False),
        "extra_draws": Nested(EXTRA_DRAWS, required=False),
    }
)
DRAW = Body({"extra": Boolean(required=False, default=False)})  # use an extra draw
