"""Idempotency-Key records (docs/api.md "Retries and idempotency"), written INSIDE the
business transaction.

The same key from the same caller within 24 h gets the first response back (same status and
body) without the work being done again; the same key with another request is refused
(409 ``idempotency_key_reused``). The record is one more item of the transaction it answers,
conditional on no live record existing, so two racing copies of a request cannot both
commit: the loser's cancellation reason carries the winner's record (``ALL_OLD``), which is
replayed without a second read. DynamoDB's TTL deletes records after 24 h; until it does,
an expired record is treated as absent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from msgspec import Struct

from shared.dynamodb import keys
from shared.dynamodb.models.idempotency import IdempotencyItem
from shared.dynamodb.tx import Cancelled, Tx, image
from shared.dynamodb.values import row_at
from shared.errors import IdempotencyKeyReused

SK = "RESPONSE"
LIFETIME = timedelta(hours=24)
LABEL = "idempotency"


class Key(Struct, frozen=True):
    """A client's Idempotency-Key, scoped to its caller, with the request's fingerprint."""

    caller: str  # the token's subject
    key: str  # the Idempotency-Key header
    fingerprint: str  # of the request (see :func:`fingerprint`)


class Replay(Struct, frozen=True):
    """The first response to a repeated request."""

    status: int
    body: Any


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def fingerprint(method: str, path: str, body: Any) -> str:
    """sha256 of the method, path and body (keys sorted), as stored on the record."""
    canonical = json.dumps(
        [method, path, body], sort_keys=True, separators=(",", ":"), default=_json_default
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def add_record(
    tx: Tx, key: Key, status: int, body: Any, now: datetime, *, label: str = LABEL
) -> None:
    """Add the record of this first response to ``tx`` (cancelled if a live one exists)."""
    item = IdempotencyItem(
        pk=keys.idempotency_pk(key.caller, key.key),
        sk=SK,
        fingerprint=key.fingerprint,
        status=status,
        response=json.dumps(body, separators=(",", ":"), default=_json_default),
        at=now.isoformat(),
        ttl=_epoch(now + LIFETIME),
    )
    live = IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.ttl < _epoch(now))
    tx.put(label, item, condition=live)


def commit(tx: Tx, key: Key | None, status: int, body: Any, now: datetime) -> Replay | None:
    """Commit ``tx``, with the record of its first response when the request has a ``key``.

    Returns the first response when the key was used before (the record's condition failed,
    so nothing was written); any other cancellation is re-raised for the caller to explain.
    """
    if key is not None:
        add_record(tx, key, status, body, now)
    try:
        tx.commit()
    except Cancelled as cancelled:
        if key is not None and LABEL in cancelled:
            return replay_from(cancelled.failed[LABEL], key)
        raise
    return None


def replay_of(record: IdempotencyItem, key: Key) -> Replay:
    if record.fingerprint != key.fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
    return Replay(int(record.status), json.loads(record.response))


def replay_from(raw: dict[str, Any] | None, key: Key) -> Replay:
    """The first response, from the record's old image in a cancellation reason."""
    record = image(raw, IdempotencyItem)
    if record is None:  # pragma: no cover - a failed condition always has an image
        raise IdempotencyKeyReused("this Idempotency-Key is in use")
    return replay_of(record, key)


def find(key: Key, now: datetime) -> Replay | None:
    """The first response to ``key`` if a live record exists (a consistent read)."""
    record = row_at(IdempotencyItem, keys.idempotency_pk(key.caller, key.key), SK)
    if record is None or int(record.ttl) < _epoch(now):
        return None
    return replay_of(record, key)
