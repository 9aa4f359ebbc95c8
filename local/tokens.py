"""Development tokens for local mode: HS256 JWTs the local gateway signs and verifies.

Shaped like the Cognito tokens the deployed API accepts (shared/auth.py), chosen by the
``groups`` asked for, so handlers see the same claims in local mode as behind API Gateway:

- ``operators`` → a staff-pool access token for the console's client, with the group;
- ``systems`` → an OAuth client-credentials access token of the staff pool: ``sub`` and
  ``client_id`` are the caller's name, ``scope`` every system scope (or the ``scopes``
  asked for, to test a narrower client); no user, no groups;
- anything else → a member-pool access token (its groups kept, and ignored by the API).

Never deployed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt

from local.keys import kept_secret
from shared.auth import LOCAL_MEMBER_ISSUER, LOCAL_STAFF_ISSUER, OPERATORS_GROUP
from shared.routes import system_scopes

ISSUER = LOCAL_MEMBER_ISSUER
ISSUERS = (LOCAL_MEMBER_ISSUER, LOCAL_STAFF_ISSUER)
MEMBER_CLIENT = "local-member"
CONSOLE_CLIENT = "local-console"
SYSTEMS_GROUP = "systems"
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
        self,
        sub: str,
        groups: list[str],
        ttl: int = TTL_SECONDS,
        now: float | None = None,
        scopes: list[str] | None = None,
    ) -> str:
        return self.sign_claims(token_claims(sub, groups, scopes), ttl, now)

    def sign_claims(
        self, claims: dict[str, Any], ttl: int = TTL_SECONDS, now: float | None = None
    ) -> str:
        """Any claims, timed (tests forge tokens no pool would issue with it)."""
        issued = int(now if now is not None else time.time())
        timed = {**claims, "iat": issued, "exp": issued + ttl}
        return jwt.encode(timed, self.secret, algorithm="HS256")

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=ISSUERS,
                options={"require": ["sub", "exp", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from None


def token_claims(sub: str, groups: list[str], scopes: list[str] | None = None) -> dict[str, Any]:
    """The claims (without times) of the token local mode mints for ``groups``."""
    if OPERATORS_GROUP in groups:
        return {
            "sub": sub,
            "username": sub,
            "cognito:groups": groups,
            "iss": LOCAL_STAFF_ISSUER,
            "client_id": CONSOLE_CLIENT,
            "token_use": "access",
            "scope": "openid email profile",
        }
    if SYSTEMS_GROUP in groups:
        granted = list(system_scopes()) if scopes is None else scopes
        return {
            "sub": sub,
            "iss": LOCAL_STAFF_ISSUER,
            "client_id": sub,
            "token_use": "access",
            "scope": " ".join(granted),
        }
    return {
        "sub": sub,
        "cognito:groups": groups,
        "iss": LOCAL_MEMBER_ISSUER,
        "client_id": MEMBER_CLIENT,
        "token_use": "access",
    }
