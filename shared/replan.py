"""The use cases' one re-plan loop (mall and lottery): read, decide by the rules, write
conditionally; when the write finds that what was read has changed (an item repriced or
restocked, an order moved, a campaign edited), read and decide again. Contention between
transactions is the repositories' own retry (``shared.dynamodb.tx.run``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.errors import Contention

ATTEMPTS = 5  # re-plans after what a use case read changed under its write

T = TypeVar("T")


def until_done(attempt: Callable[[], T | None], what: str = "order") -> T:
    """The first result of ``attempt`` (None: what it read has changed, try again), at most
    ``ATTEMPTS`` times; then ``contention`` saying the ``what`` keeps changing."""
    for _ in range(ATTEMPTS):
        result = attempt()
        if result is not None:
            return result
    raise Contention(f"the {what} keeps changing; retry the request")
