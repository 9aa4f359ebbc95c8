"""Opaque pagination cursors (docs/api.md, Lists: ``limit`` and ``cursor``) over DynamoDB keys."""

from __future__ import annotations

import base64
import json
from typing import Any

from shared.errors import Invalid


def encode(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode(cursor: str | None, partition: tuple[str, str] | None = None) -> dict[str, Any] | None:
    """The key a page starts after; ``partition`` = (attribute, value) it must belong to."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("S"), str) for v in key.values()
        ):
            raise ValueError
        if partition is not None and key[partition[0]]["S"] != partition[1]:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise Invalid("invalid cursor", details={"fields": {"cursor": "is not valid"}}) from None
    return key
