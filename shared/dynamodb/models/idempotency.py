"""Idempotency keys: the first response to an ``Idempotency-Key``."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from shared.dynamodb.models.base import Item


class IdempotencyItem(Item):
    """First response to an ``Idempotency-Key``, written in the transaction it answers."""

    fingerprint = UnicodeAttribute()  # sha256 of method, path and body
    status = NumberAttribute()
    response = UnicodeAttribute()  # JSON body
    at = UnicodeAttribute()
    ttl = NumberAttribute()  # epoch seconds; DynamoDB deletes it after 24 h
