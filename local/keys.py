"""Secrets local mode keeps between runs under .local/ (never deployed)."""

from __future__ import annotations

import secrets
from pathlib import Path


def kept_secret(path: Path, nbytes: int = 32) -> str:
    """The secret kept in ``path``, or a new random one written there (owner-only), so
    what it protects (signed tokens, contact lookup rows) survives restarts."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(nbytes)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
