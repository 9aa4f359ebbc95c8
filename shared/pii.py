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
import os
from functools import cache
from typing import Literal

from shared.settings import ENV_PII_HMAC_KEY, ENV_PII_SECRET_ID

Kind = Literal["phone", "email"]
KINDS: tuple[Kind, ...] = ("phone", "email")
MIN_KEY_LENGTH = 32  # characters of the secret string


class PiiKeyMissing(RuntimeError):
    """No HMAC key configured for this process (a deployment or set-up error)."""


def _secret(secret_id: str) -> str:
    from aws_lambda_powertools.utilities import parameters  # only where the key is needed

    # max_age: the whole life of the execution environment (one read per cold start)
    value = parameters.get_secret(secret_id, max_age=365 * 24 * 3600)
    return value if isinstance(value, str) else bytes(value).decode()


@cache
def _key() -> bytes:
    value = os.environ.get(ENV_PII_HMAC_KEY)
    if not value:
        secret_id = os.environ.get(ENV_PII_SECRET_ID)
        if not secret_id:
            raise PiiKeyMissing(f"set {ENV_PII_SECRET_ID} (AWS) or {ENV_PII_HMAC_KEY} (local)")
        value = _secret(secret_id)
    if len(value) < MIN_KEY_LENGTH:
        raise PiiKeyMissing(f"the PII HMAC key must be at least {MIN_KEY_LENGTH} characters")
    return value.encode()


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
