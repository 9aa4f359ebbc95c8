"""Reports: daily aggregates and presence markers."""

from __future__ import annotations

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection

from shared.dynamodb.connection import counted_table
from shared.dynamodb.models.base import Item


class ReportDayItem(Item):
    """Daily totals (``REPORTS`` / ``DAY#<date>``), or one counter of a day (``…#SOURCE#x``)."""

    issued = NumberAttribute(default=0)
    redeemed = NumberAttribute(default=0)
    expired = NumberAttribute(default=0)
    clawed_back = NumberAttribute(default=0)
    transferred = NumberAttribute(default=0)
    registered = NumberAttribute(default=0)
    active = NumberAttribute(default=0)
    n = NumberAttribute(default=0)  # counters of one source / item


class ReportTotalItem(Item):
    """A report shard's running all-time totals (``REPORTS#<k>#TOTAL`` / ``TOTAL``): ADDed in the
    transactions that add to its ``DAY#<date>#T`` items, ``version`` +1 each, ``since`` the
    first one's time. In ``REPORTS#00`` / ``BASE``: the totals of the days counted before
    the running totals, written once (``since``: when)."""

    issued = NumberAttribute(default=0)
    redeemed = NumberAttribute(default=0)
    expired = NumberAttribute(default=0)
    clawed_back = NumberAttribute(default=0)
    registered = NumberAttribute(default=0)
    version = NumberAttribute(default=0)
    since = UnicodeAttribute(null=True)


class ReportSketchItem(Item):
    """A day's active members in one report shard (``REPORTS#<k>`` / ``HLL#<date>``): a
    compressed HyperLogLog (shared/domain/sketch.py), replaced whole under ``version``."""

    registers = BinaryAttribute(legacy_encoding=False)
    version = NumberAttribute(default=0)


class MarkerItem(Item):
    """A presence marker in the points table, deleted by ``ttl``: members active on a day
    (before issue 23), events counted (``AGG#<event id>``, before the counted-events table;
    only read now)."""

    ttl = NumberAttribute(null=True)


class CountedItem(Item):
    """An event counted into the reports (``AGG#<event id>`` / ``AGG``), in the counted-events
    table (shared/tables.py ``COUNTED_TABLE``), deleted by ``ttl``."""

    ttl = NumberAttribute(null=True)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return counted_table()
