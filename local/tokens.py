"""Development tokens for local mode: HS256 JWTs the local gateway signs and verifies.

Shaped like Cognito ID tokens (``sub``, ``cognito:groups``), so handlers see the same claims
in local mode as behind the API Gateway JWT authorizer. Never deployed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt

from local.keys import kept_secret

ISSUER = "loyalty-points-local"
TTL_SECONDS = 12 * 3600


class TokenError(Exception):
    pass


class TokenSigner:
    def __init__(self, secret: str):
        self.secret = secret

    @classmethod
    def from_file(cls, path: Path) -> TokenSigner:
        """Reuse the secret kept in ``path`` (so tokens survive restarts), or create it."""
        return cls(kept_secret(path))

    def sign(
        self, sub: str, groups: list[str], ttl: int = TTL_SECONDS, now: float | None = None
    ) -> str:
        issued = int(now if now is not None else time.time())
        claims = {
            "sub": sub,
            "cognito:groups": groups,
            "iss": ISSUER,
            "iat": issued,
            "exp": issued + ttl,
            "token_use": "id",
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from None
