"""What a process read lately (a warm Lambda, the local server), kept a few seconds so a hot
path does not read it again: keyed values with a lifetime each, tied to the table
connection, so a new table (tests) never sees another table's values.

:class:`Copies` reads through (the lottery's campaigns, the mall's catalog items): their
writes check what they were planned on, so a stale copy costs a refused write and a new
read, never a wrong one. :class:`Recent` only remembers (a hot item's shards that refused,
an item read sold out, a prize's empty shards): each user says what a stale value costs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from shared.dynamodb.connection import connection

V = TypeVar("V")


class Recent(Generic[V]):
    """At most ``size`` values by key, each for ``seconds`` after it was put (full: all
    forgotten at once, cheaper than tracking the oldest in a memory this small)."""

    def __init__(self, seconds: float, size: int = 1000) -> None:
        self.seconds, self.size = seconds, size
        self._values: dict[str, tuple[float, V]] = {}
        self._owner: object = None
        self._lock = threading.Lock()

    def _owned(self) -> None:
        """Start afresh for a new connection (hold ``_lock``)."""
        owner = connection()
        if self._owner is not owner:
            self._values.clear()
            self._owner = owner

    def get(self, key: str) -> V | None:
        """The value put less than ``seconds`` ago, else None."""
        with self._lock:
            self._owned()
            hit = self._values.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.seconds:
            return None
        return hit[1]

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._owned()
            if len(self._values) >= self.size:
                self._values.clear()
            self._values[key] = (time.monotonic(), value)

    def forget(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class Copies(Generic[V]):
    """A :class:`Recent` of values ``read`` made, read through."""

    def __init__(self, read: Callable[[str], V | None], seconds: float, size: int) -> None:
        self.read = read
        self.kept: Recent[V] = Recent(seconds, size)

    def get(self, key: str) -> tuple[V | None, bool]:
        """(value, fresh): a copy read less than ``seconds`` ago, else a read now (None:
        not there, and not kept)."""
        hit = self.kept.get(key)
        if hit is not None:
            return hit, False
        value = self.read(key)
        if value is None:
            self.kept.forget(key)
        else:
            self.kept.put(key, value)
        return value, True

    def forget(self, key: str) -> None:
        """Drop the copy (it proved stale)."""
        self.kept.forget(key)
