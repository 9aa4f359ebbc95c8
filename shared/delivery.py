"""The delivery details a member gives for a physical reward: a mall order or a lottery prize."""

from __future__ import annotations

from shared.domain.mall import DELIVERY_METHODS, SHIP
from shared.requests import Body
from shared.validation import Choice, Text

# An address is required for shipping; the fields given only (no None values).
DELIVERY = Body(
    {
        "method": Choice(DELIVERY_METHODS),
        "name": Text(max_length=100),
        "phone": Text(max_length=32),
        "address": Text(
            required=False, required_when=("method", SHIP), max_length=500, multiline=True
        ),
    },
    component="Delivery",
    omit_none=True,
)
