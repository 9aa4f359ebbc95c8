"""Who is calling: the JWT claims API Gateway verified, mapped to roles.

In AWS the HTTP API's JWT authorizers (Cognito) validate the token and put its claims in
``requestContext.authorizer.jwt.claims``; the local server does the same with tokens it
signs itself. The role comes from WHICH pool issued the token and for which client, never
from a group alone:

- **member**: a token of the member pool (``iss``) for one of its app clients; its
  ``cognito:groups`` are ignored. The member id is ``sub``.
- **operator**: a token of the staff pool (MFA required) for the console's client, with the
  ``operators`` group. The subject is the staff user's ``sub``.
- **trusted system**: an OAuth client-credentials access token of the staff pool
  (``token_use: access``) for a system app client. It names no user: the subject is the
  app client id (``client_id``, which Cognito also puts in ``sub``), and a route of the
  system family needs one of its ``scopes`` (``points/purchases`` ...) in ``scope``.

The issuers and client ids come from the environment (``AUTH_*``, set by the stack on every
HTTP function; required in Lambda). Outside Lambda they default to local mode's issuers and
any client (local/tokens.py mints the equivalent tokens).
"""

from __future__ import annotations

import os
from typing import Any

from msgspec import Struct

from shared.errors import Forbidden, Unauthorized
from shared.routes import Role, Route

OPERATORS_GROUP = "operators"
# Local mode's issuers (local/tokens.py signs with them): the defaults outside Lambda.
LOCAL_MEMBER_ISSUER = "loyalty-points-local"
LOCAL_STAFF_ISSUER = "loyalty-points-local-staff"

ENV_MEMBER_ISSUER = "AUTH_MEMBER_ISSUER"
ENV_STAFF_ISSUER = "AUTH_STAFF_ISSUER"
ENV_MEMBER_CLIENTS = "AUTH_MEMBER_CLIENTS"  # comma-separated app client ids
ENV_STAFF_CLIENTS = "AUTH_STAFF_CLIENTS"
ENV_SYSTEM_CLIENTS = "AUTH_SYSTEM_CLIENTS"
ENV_NAMES = (
    ENV_MEMBER_ISSUER,
    ENV_STAFF_ISSUER,
    ENV_MEMBER_CLIENTS,
    ENV_STAFF_CLIENTS,
    ENV_SYSTEM_CLIENTS,
)


class Trust(Struct, frozen=True):
    """The issuers and clients tokens are accepted from (``None`` clients: any, local only)."""

    member_issuer: str
    staff_issuer: str
    member_clients: frozenset[str] | None
    staff_clients: frozenset[str] | None
    system_clients: frozenset[str] | None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Trust:
        env = dict(os.environ if env is None else env)
        if env.get("AWS_LAMBDA_FUNCTION_NAME"):
            missing = [name for name in ENV_NAMES if not env.get(name)]
            if missing:  # fail at cold start, never fall back to local mode's issuers
                raise RuntimeError(f"missing environment: {', '.join(missing)}")

        def clients(name: str) -> frozenset[str] | None:
            value = env.get(name)
            return None if value is None else frozenset(c for c in value.split(",") if c)

        return cls(
            member_issuer=env.get(ENV_MEMBER_ISSUER) or LOCAL_MEMBER_ISSUER,
            staff_issuer=env.get(ENV_STAFF_ISSUER) or LOCAL_STAFF_ISSUER,
            member_clients=clients(ENV_MEMBER_CLIENTS),
            staff_clients=clients(ENV_STAFF_CLIENTS),
            system_clients=clients(ENV_SYSTEM_CLIENTS),
        )


TRUST = Trust.from_env()


class Principal(Struct, frozen=True):
    """Who is calling: the token's subject, roles and (trusted systems) OAuth scopes."""

    subject: str
    roles: frozenset[Role]
    scopes: frozenset[str] = frozenset()

    @property
    def member_id(self) -> str:
        return self.subject


def parse_groups(value: Any) -> list[str]:
    """``cognito:groups`` arrives as a list, or flattened by API Gateway as "[a b]"."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [g for g in text.replace(",", " ").split() if g]


def _client(claims: dict[str, Any]) -> str:
    """The app client a token was issued to: ``client_id`` (access) or ``aud`` (ID token)."""
    if claims.get("token_use") == "access":
        return str(claims.get("client_id") or "")
    audience = parse_groups(claims.get("aud"))
    return audience[0] if len(audience) == 1 else ""


def _allowed(client: str, clients: frozenset[str] | None) -> bool:
    return bool(client) and (clients is None or client in clients)


def _client_credentials(claims: dict[str, Any], client: str) -> bool:
    """An OAuth client-credentials access token: issued to an app client, for no user."""
    return (
        claims.get("token_use") == "access"
        and str(claims.get("sub")) == client
        and not claims.get("username")
    )


def principal(event: dict[str, Any], trust: Trust | None = None) -> Principal | None:
    """The caller the token names, or ``None`` when it names no caller we trust (→ 401).
    A trusted token for no role of ours gives a principal without roles (→ 403)."""
    trust = trust or TRUST
    claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get(
        "claims"
    )
    if not claims or not claims.get("sub") or claims.get("token_use") not in ("id", "access"):
        return None
    issuer, client = claims.get("iss"), _client(claims)
    if issuer == trust.member_issuer:
        if not _allowed(client, trust.member_clients):
            return None
        return Principal(subject=str(claims["sub"]), roles=frozenset({Role.MEMBER}))
    if issuer != trust.staff_issuer:
        return None
    if _client_credentials(claims, client) and _allowed(client, trust.system_clients):
        scopes = frozenset(str(claims.get("scope") or "").split())
        return Principal(subject=client, roles=frozenset({Role.SYSTEM}), scopes=scopes)
    if not _allowed(client, trust.staff_clients):
        return None
    groups = parse_groups(claims.get("cognito:groups"))
    roles = frozenset({Role.OPERATOR}) if OPERATORS_GROUP in groups else frozenset()
    return Principal(subject=str(claims["sub"]), roles=roles)


def authorize(route: Route, event: dict[str, Any]) -> Principal | None:
    """The one authorization check, driven by the route table."""
    if route.public:
        return None
    caller = principal(event)
    if caller is None:
        raise Unauthorized("a valid bearer token is required")
    if not caller.roles & route.roles:
        raise Forbidden(f"this route is for {', '.join(sorted(route.roles))} only")
    if Role.SYSTEM in caller.roles and route.scopes and not caller.scopes & set(route.scopes):
        raise Forbidden(f"this route needs the scope {' or '.join(route.scopes)}")
    return caller
