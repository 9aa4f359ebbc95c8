"""Opaque pagination cursors (docs/api.md, Lists: ``limit`` and ``cursor``), signed.

A cursor is ``<payload>.<tag>``: the payload is the base64url JSON of where the next page
starts (DynamoDB's last evaluated key; the ledger adds its running balance and locale), the
tag the first 16 bytes of HMAC-SHA256 under the stage's cursor key (shared/cursor_key.py)
over ``"cursor/v1/<kind>\\0" + payload``. Only this service can make one, so a client cannot
start a query at a key of its choosing (another partition, attribute names the table does
not have) nor change a value the cursor carries (the ledger's balance). ``kind`` keeps a
ledger cursor from being taken for a list's and back.

Anything else — not ours, edited, of another kind, of another list, or not of the shape we
write — is refused as 400 ``invalid_cursor`` (:class:`InvalidCursor`), naming nothing of
what was sent. Not 422: there is no field value the client could correct; it drops the
cursor and reads the list from its start (docs/decisions.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from shared import cursor_key
from shared.errors import InvalidCursor

VERSION = "cursor/v1"
TAG_BYTES = 16  # HMAC-SHA256 truncated to 128 bits
PAGE = "page"  # a DynamoDB key: the lists of pages.encode/decode


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(kind: str, payload: str) -> bytes:
    message = f"{VERSION}/{kind}\0{payload}".encode()
    return hmac.new(cursor_key.key(), message, hashlib.sha256).digest()[:TAG_BYTES]


def invalid() -> InvalidCursor:
    return InvalidCursor("the cursor is not valid for this list; read it again from the start")


def sign(content: dict[str, Any], kind: str) -> str:
    """``content`` as a cursor of ``kind`` only this stage can make."""
    payload = _b64(json.dumps(content, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_b64(_tag(kind, payload))}"


def verify(cursor: str, kind: str) -> dict[str, Any]:
    """What :func:`sign` put in ``cursor`` for ``kind``; :class:`InvalidCursor` otherwise."""
    payload, dot, tag = cursor.partition(".")
    try:
        if not dot or not payload.isascii() or not tag.isascii():
            raise ValueError
        if not hmac.compare_digest(_unb64(tag), _tag(kind, payload)):
            raise ValueError
        content = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise invalid() from None
    if not isinstance(content, dict):
        raise invalid()
    return content


def is_key(value: Any) -> bool:
    """A DynamoDB key as we write them: attribute name → ``{"S": str}``, nothing else."""
    return (
        isinstance(value, dict)
        and 0 < len(value) <= 4  # table key + an index's key at most
        and all(
            isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str)
            for v in value.values()
        )
    )


def encode(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return sign(last_key, PAGE)


def status_page(
    index: Any, partition: str, limit: int, cursor: str | None, *, forward: bool = True
) -> tuple[list[Any], str | None]:
    """One page of the rows of a GSI ``by_status`` partition (``st_pk`` = ``partition``; its
    cursor is good for that partition only), in ``st_sk`` order (``forward``) or reversed."""
    result = index.query(
        partition,
        scan_index_forward=forward,
        limit=limit,
        last_evaluated_key=decode(cursor, ("st_pk", partition)),
    )
    return list(result), encode(result.last_evaluated_key)


def decode(cursor: str | None, partition: tuple[str, str] | None = None) -> dict[str, Any] | None:
    """The key a page starts after; ``partition`` = (attribute, value) it must belong to."""
    if not cursor:
        return None
    key = verify(cursor, PAGE)
    if not is_key(key):
        raise invalid()
    if partition is not None and key.get(partition[0]) != {"S": partition[1]}:
        raise invalid()
    return key
