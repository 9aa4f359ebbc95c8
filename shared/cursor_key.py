"""The stage's key signing pagination cursors (shared/dynamodb/pages.py).

Its own generated secret (infra/constructs/cursor_key.py), not one derived from the PII key:
the functions that serve a paged list are many more than those that hash phone numbers, and
none of them should hold the PII key for it; and this key can be replaced at any time (only
the cursors in flight are refused, the client starts its list again) while the PII key
cannot (every contact lookup row is keyed by it). Read like every stage key
(shared/stage_keys.py): env ``CURSOR_SECRET_ID`` names the secret in AWS, env
``CURSOR_HMAC_KEY`` holds the key in local mode (``.local/cursor.key``) and tests.
"""

from __future__ import annotations

from functools import cache

from shared import stage_keys
from shared.settings import ENV_CURSOR_HMAC_KEY, ENV_CURSOR_SECRET_ID


@cache
def key() -> bytes:
    return stage_keys.stage_key(ENV_CURSOR_HMAC_KEY, ENV_CURSOR_SECRET_ID, "cursor signing key")


def reset() -> None:
    """Forget the cached key (tests that change it)."""
    key.cache_clear()
