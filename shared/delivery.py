"""The delivery details a member gives for a physical reward: a mall order or a lottery prize."""

from __future__ import annotations

from shared.domain.mall import DELIVERY_METHODS, SHIP
from shared.validation import Fields


def fields(f: Fields) -> dict[str, str]:
    """The delivery object's fields (an address is required for shipping)."""
    method = f.choice("method", DELIVERY_METHODS)
    values = {
        "method": method,
        "name": f.text("name", max_length=100),
        "phone": f.text("phone", max_length=32),
        "address": f.text("address", required=method == SHIP, max_length=500),
    }
    return {k: v for k, v in values.items() if v is not None}
