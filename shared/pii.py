"""Keyed hashes of personal data: the only form a phone number or e-mail address takes in a
key or an index (SPEC §9d).

``lookup_key(kind, normalized)`` is the hex HMAC-SHA256 of ``"<kind>:<normalized>"`` under the
stage's secret, so the same number always finds the same lookup row, while the table (or a
backup of it) alone cannot be searched for a known number. The secret comes from:

- AWS: the Secrets Manager secret the stack generates for the stage, named by env
  ``PII_SECRET_ID``, read once per cold start with Powertools parameters, granted only to the
  functions that register, look up or import members (infra/permissions.py);
- local mode and tests: env ``PII_HMAC_KEY`` (the local server generates one and keeps it in
  ``.local/pii.key``, so lookups survive a restart).

Without either, lookups fail closed (:class:`PiiKeyMissing`) rather than hash with a default.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Literal

from shared import stage_keys
from shared.settings import ENV_PII_HMAC_KEY, ENV_PII_SECRET_ID

Kind = Literal["phone", "email"]
KINDS: tuple[Kind, ...] = ("phone", "email")
MIN_KEY_LENGTH = stage_keys.MIN_KEY_LENGTH
PiiKeyMissing = stage_keys.KeyMissing  # no HMAC key configured (a deployment or set-up error)


def _secret(secret_id: str) -> str:
    return stage_keys.secret_string(secret_id)


@cache
def _key() -> bytes:
    return stage_keys.stage_key(ENV_PII_HMAC_KEY, ENV_PII_SECRET_ID, "PII HMAC key", _secret)


def reset() -> None:
    """Forget the cached key (tests that change it)."""
    _key.cache_clear()


def lookup_key(kind: Kind, normalized: str) -> str:
    """Hex HMAC-SHA256 of the normalised value (``shared/domain/contacts.py``) under the
    stage's key; ``kind`` keeps a phone and an e-mail of the same text apart."""
    if kind not in KINDS:
        raise ValueError(f"unknown contact kind {kind!r}")
    message = f"{kind}:{normalized}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
