"""Transfers: the per-sender daily counter."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from shared.dynamodb.models.base import Item


class TransferDayItem(Item):
    """How many transfers, and how many points, a member sent on one day."""

    count = NumberAttribute(default=0)
    points = NumberAttribute(default=0)
    ttl = NumberAttribute(null=True)
