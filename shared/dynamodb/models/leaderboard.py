"""The leaderboard's snapshot: one item per period (``LEADERBOARD#<period>#<key>``)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class BoardItem(Item):
    """A period's top rows and points distribution, as the snapshot job last saw them; the
    rows and levels are one compact JSON document (``shared.domain.leaderboard.Board``)."""

    period = UnicodeAttribute()  # month | year
    period_key = UnicodeAttribute()  # 2026-11 | 2026
    as_of = UnicodeAttribute()  # UTC ISO-8601
    closed = BooleanAttribute(default=False)  # taken after the period ended: final
    board = UnicodeAttribute()  # JSON of the Board
