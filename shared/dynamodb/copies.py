"""Copies of items a process read recently (a warm Lambda, the local server), for the hot
read paths whose writes check what they were planned on, so a stale copy costs a refused
write and a new read, never a wrong one (the lottery's campaigns; the mall's catalog items
keep the same shape in ``shared.dynamodb.catalog``). Tied to the table connection, so a new
table (tests) never sees another table's items."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from shared.dynamodb.connection import connection

V = TypeVar("V")


class Copies(Generic[V]):
    """At most ``size`` values by key, each used for ``seconds`` after ``read`` made it."""

    def __init__(self, read: Callable[[str], V | None], seconds: float, size: int) -> None:
        self.read, self.seconds, self.size = read, seconds, size
        self._values: dict[str, tuple[float, V]] = {}
        self._owner: object = None
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[V | None, bool]:
        """(value, fresh): a copy read less than ``seconds`` ago, else a read now (None:
        not there, and not kept)."""
        owner = connection()
        with self._lock:
            if self._owner is not owner:
                self._values.clear()
                self._owner = owner
            hit = self._values.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.seconds:
            return hit[1], False
        value = self.read(key)
        with self._lock:
            self._values.pop(key, None)
            if value is not None:
                if len(self._values) >= self.size:
                    self._values.clear()
                self._values[key] = (time.monotonic(), value)
        return value, True

    def forget(self, key: str) -> None:
        """Drop the copy (it proved stale)."""
        with self._lock:
            self._values.pop(key, None)
