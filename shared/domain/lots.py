"""Lots: every credit is a lot with an expiry date; spending consumes the soonest first.

Spending does not touch lots on the hot path. The member keeps two counters:
``consumed`` (every point ever spent, clawed back or expired) and ``settled`` (the points of
lots already closed by the expiry job). The consumption not yet attributed to a closed lot,
``consumed − settled``, is laid over the open lots in expiry order (FIFO by expiry date);
whatever a lot has left is what will expire on its date.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from msgspec import Struct

from shared.domain.calendar import add_months
from shared.domain.rules import Validity


class Lot(Struct, frozen=True):
    """Points earned together that expire on the same day."""

    expires_on: date
    points: int


def expiry_date(earned_on: date, validity: Validity) -> date:
    """The last day a lot earned on ``earned_on`` can be spent."""
    if validity.policy == "fixed":
        return date(earned_on.year + validity.years_after, validity.month, validity.day)
    return add_months(earned_on, validity.months)


def remaining(lots: list[Lot], consumed: int, settled: int) -> list[Lot]:
    """What is left of each open lot, soonest expiry first (lots fully used are dropped)."""
    unattributed = consumed - settled
    left: list[Lot] = []
    for lot in sorted(lots, key=lambda x: x.expires_on):
        used = min(max(unattributed, 0), lot.points)
        unattributed -= lot.points
        if lot.points - used > 0:
            left.append(Lot(lot.expires_on, lot.points - used))
    return left


def expiring(lots: list[Lot], consumed: int, settled: int) -> list[Lot]:
    """Remaining points grouped by expiry date, soonest first."""
    left = remaining(lots, consumed, settled)
    return [
        Lot(day, sum(lot.points for lot in group))
        for day, group in groupby(left, key=lambda x: x.expires_on)
    ]


class Settlement(Struct, frozen=True):
    """What an expiry run expires for a member, and their settled counter after it."""

    expire: int  # points to expire now
    settled_after: int  # the member's ``settled`` once these lots are closed


def settle(due_points: int, consumed: int, settled: int, spendable: int) -> Settlement:
    """Close lots worth ``due_points`` whose last day has passed.

    What the closed lots still hold is the part of them not yet covered by consumption:
    ``settled + due_points − consumed`` (FIFO by expiry: spending used the soonest lots
    first). A member in points debt (consumption beyond every lot) loses nothing more.
    Points on hold at the shop's checkout are not expired (``spendable`` caps it); they
    stay unattributed and expire with the member's next settled lots if not captured.
    """
    settled_after = settled + due_points
    left = settled_after - consumed
    return Settlement(expire=max(0, min(left, spendable)), settled_after=settled_after)


class LotChange(Struct, frozen=True):
    """One lot moved to a later date by a goodwill extension."""

    key: str  # the lot's identity (its sort key)
    expires_on: date
    points: int  # what the lot holds before
    left: int  # what it holds once consumption is attributed to it
    new_expires_on: date  # == expires_on unless it is moved


class Extension(Struct, frozen=True):
    """The lots a goodwill extension moves, and the settled counter after it."""

    changes: tuple[LotChange, ...]  # only lots that change (shrink, close or move)
    settled_after: int

    @property
    def moved(self) -> tuple[LotChange, ...]:
        return tuple(c for c in self.changes if c.new_expires_on != c.expires_on and c.left)


def extend(
    lots: list[tuple[str, Lot]],
    consumed: int,
    settled: int,
    move: dict[str, date],
) -> Extension:
    """Goodwill: move what is left of some lots to a later date.

    Consumption so far is first attributed to the lots (FIFO by expiry), so that moving a lot
    moves exactly the points it still holds and no other lot's share changes: used-up lots
    close, partly used ones shrink to what is left, moved ones take their new date.
    ``move`` maps a lot's key to its new last day.
    """
    unattributed = max(consumed - settled, 0)
    changes: list[LotChange] = []
    closed_points = 0
    for key, lot in sorted(lots, key=lambda kv: (kv[1].expires_on, kv[0])):
        used = min(unattributed, lot.points)
        unattributed -= used
        left = lot.points - used
        new_date = move.get(key, lot.expires_on) if left else lot.expires_on
        if used or new_date != lot.expires_on:
            changes.append(LotChange(key, lot.expires_on, lot.points, left, new_date))
            closed_points += used
    return Extension(tuple(changes), settled + closed_points)
