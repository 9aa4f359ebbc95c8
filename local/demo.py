"""Demo data for local mode, loaded through the real API (so it is idempotent on reruns)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Call = Callable[[str, str, dict[str, Any]], Any]

MEMBERS = ("m-alice", "m-bob", "m-carol")
PURCHASES = (
    ("demo-o-1001", "m-alice", "1288.00"),
    ("demo-o-1002", "m-alice", "59.90"),
    ("demo-o-1003", "m-bob", "349.50"),
    ("demo-o-1004", "m-carol", "12999.00"),
)


def load(system_call: Call) -> None:
    """``system_call(method, path, body)`` calls the API with a systems token."""
    for member_id in MEMBERS:
        system_call("POST", "/v1/members", {"member_id": member_id})
    for order_id, member_id, amount in PURCHASES:
        system_call(
            "POST",
            "/v1/purchases",
            {"order_id": order_id, "member_id": member_id, "amount": amount},
        )
