"""The stage's HMAC keys: one generated secret each, read once per cold start.

- AWS: a Secrets Manager secret the stack generates for the stage, named to the function by
  an env var holding its id (granted only to the functions that need that key), read with
  Powertools parameters;
- local mode and tests: an env var holding the key itself (the local server generates one
  and keeps it under ``.local/``).

Without either, the key's users fail closed (:class:`KeyMissing`) rather than use a default.
Keys in use: personal data lookups (shared/pii.py) and pagination cursors
(shared/cursor_key.py), each its own secret.
"""

from __future__ import annotations

import os
from collections.abc import Callable

MIN_KEY_LENGTH = 32  # characters of the secret string


class KeyMissing(RuntimeError):
    """No usable key configured for this process (a deployment or set-up error)."""


def secret_string(secret_id: str) -> str:
    """The secret's string from Secrets Manager, cached for the execution environment's life."""
    from aws_lambda_powertools.utilities import parameters  # only where a key is needed

    # max_age: the whole life of the execution environment (one read per cold start)
    value = parameters.get_secret(secret_id, max_age=365 * 24 * 3600)
    return value if isinstance(value, str) else bytes(value).decode()


def stage_key(
    local_env: str, secret_env: str, what: str, read: Callable[[str], str] = secret_string
) -> bytes:
    """The key from env ``local_env`` (local mode, tests), else from the secret whose id env
    ``secret_env`` holds (AWS); ``what`` names it in the error."""
    value = os.environ.get(local_env)
    if not value:
        secret_id = os.environ.get(secret_env)
        if not secret_id:
            raise KeyMissing(f"no {what}: set {secret_env} (AWS) or {local_env} (local)")
        value = read(secret_id)
    if len(value) < MIN_KEY_LENGTH:
        raise KeyMissing(f"the {what} must be at least {MIN_KEY_LENGTH} characters")
    return value.encode()
