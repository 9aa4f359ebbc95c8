"""A HyperLogLog sketch of distinct members: mergeable, a fixed 16 KB (a few KB compressed).

Reports count the members active in a window from one sketch per day and shard: merging
is a register-wise max, so adding a member twice, or merging a sketch into itself, changes
nothing (retries and duplicate events cost no accuracy and need no marker).

Precision 14 (16 384 one-byte registers), a 64-bit BLAKE2b hash: the standard error is
1.04 / sqrt(16 384) = 0.81 %, so an estimate is within ±2.5 % (three standard errors) of
the true count (exact up to about a hundred members; tests/unit/test_sketch.py).
Written here (60 lines) instead of importing datasketch: no numpy in the reports
function's cold start.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Iterable

P = 14
M = 1 << P
_REST = 64 - P


def _sigma(x: float) -> float:
    if x == 1:
        return math.inf
    y, z = 1.0, x
    while True:
        x *= x
        previous, z = z, z + x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    if x in (0, 1):
        return 0.0
    y, z = 1.0, 1 - x
    while True:
        x = math.sqrt(x)
        y *= 0.5
        previous, z = z, z - (1 - x) ** 2 * y
        if z == previous:
            return z / 3


class Sketch:
    """Distinct values seen (an estimate): :meth:`add`, :meth:`merge`, :meth:`estimate`."""

    __slots__ = ("registers",)

    def __init__(self, registers: bytes | None = None) -> None:
        self.registers = bytearray(registers if registers is not None else bytes(M))
        if len(self.registers) != M:
            raise ValueError(f"a sketch has {M} registers, not {len(self.registers)}")

    def add(self, value: str) -> None:
        h = int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")
        index, rest = h >> _REST, h & ((1 << _REST) - 1)
        rank = _REST - rest.bit_length() + 1  # position of the first 1 bit after the index
        if rank > self.registers[index]:
            self.registers[index] = rank

    def update(self, values: Iterable[str]) -> Sketch:
        for value in values:
            self.add(value)
        return self

    def merge(self, other: Sketch) -> Sketch:
        self.registers = bytearray(map(max, self.registers, other.registers))
        return self

    def estimate(self) -> int:
        """Ertl's improved estimator (arXiv:1702.01284): unbiased over the whole range, no
        switch to linear counting and no bias tables (the classic one is ~4 % off near
        40 000 at this precision)."""
        counts = [0] * (_REST + 2)
        for r in self.registers:
            counts[r] += 1
        z = M * _tau(1 - counts[_REST + 1] / M)
        for k in range(_REST, 0, -1):
            z = 0.5 * (z + counts[k])
        z += M * _sigma(counts[0] / M)
        return round(M * M / (2 * math.log(2)) / z)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sketch) and self.registers == other.registers

    def to_bytes(self) -> bytes:
        """Compressed registers (mostly zeros for a small day: a few hundred bytes)."""
        return zlib.compress(bytes(self.registers), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sketch:
        return cls(zlib.decompress(data))
