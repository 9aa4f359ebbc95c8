"""The lottery's one retry loop: a use case re-reads and tries again when what it read
changed under it, a few times, then answers ``contention`` (503, safe to retry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.errors import Contention

ATTEMPTS = 5

T = TypeVar("T")


def retrying(attempt: Callable[[], T | None], what: str) -> T:
    """``attempt()`` until it returns a value (None: what it read changed, try again)."""
    for _ in range(ATTEMPTS):
        result = attempt()
        if result is not None:
            return result
    raise Contention(f"{what} keeps changing; retry the request")
