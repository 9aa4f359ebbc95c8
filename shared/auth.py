"""Who is calling: the JWT claims API Gateway verified, mapped to roles.

In AWS the HTTP API's JWT authorizer (Cognito) validates the token and puts its claims in
``requestContext.authorizer.jwt.claims``; the local server does the same with tokens it
signs itself. Roles come from ``cognito:groups``: ``operators`` → operator, ``systems`` →
trusted system; any other valid token is a member whose id is ``sub``.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from shared.errors import Forbidden, Unauthorized
from shared.routes import Role, Route

GROUP_ROLES = {"operators": Role.OPERATOR, "systems": Role.SYSTEM}


class Principal(Struct, frozen=True):
    """Who is calling: the token's subject and roles."""

    subject: str
    roles: frozenset[Role]

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


def principal(event: dict[str, Any]) -> Principal | None:
    claims = (((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}).get(
        "claims"
    )
    if not claims or not claims.get("sub"):
        return None
    roles = {GROUP_ROLES[g] for g in parse_groups(claims.get("cognito:groups")) if g in GROUP_ROLES}
    return Principal(subject=str(claims["sub"]), roles=frozenset(roles or {Role.MEMBER}))


def authorize(route: Route, event: dict[str, Any]) -> Principal | None:
    """The one authorization check, driven by the route table."""
    if route.public:
        return None
    caller = principal(event)
    if caller is None:
        raise Unauthorized("a valid bearer token is required")
    if not caller.roles & route.roles:
        raise Forbidden(f"this route is for {', '.join(sorted(route.roles))} only")
    return caller
