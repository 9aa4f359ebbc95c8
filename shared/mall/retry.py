"""The mall's one re-plan loop: read, decide by the rules, write conditionally; when the
write finds that what was read has changed (an item repriced or restocked, an order moved),
read and decide again. Contention between transactions is the repositories' own retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.errors import Contention

ATTEMPTS = 5  # re-plans after an item changed under a redemption, or an order moved

T = TypeVar("T")


def until_done(attempt: Callable[[], T | None], what: str = "order") -> T:
    """The first result of ``attempt`` (None: what it read has changed, try again), at most
    ``ATTEMPTS`` times; then 409 ``contention`` naming ``what`` keeps changing."""
    for _ in range(ATTEMPTS):
        result = attempt()
        if result is not None:
            return result
    raise Contention(f"the {what} keeps changing; retry the request")
