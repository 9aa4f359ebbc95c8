"""The authorization matrix, derived from the route table (docs/product.md §10, invariant 6).

Every route is called by nine callers — no token, a token with a bad signature, an expired
token, the owning member, another member, a member-pool token claiming the ``operators``
group, an operator (staff pool), a trusted system (client credentials with every scope) and
a trusted system holding every scope but the route's — with its
documented example body and path parameters from a small world of data
(``tests/security/world.py``). What each caller must get follows from ``route.roles``
alone, so a route added to the table is covered without editing this file:

* no / forged / expired token → 401 ``unauthorized`` (public routes: served), nothing changes;
* a role the route does not allow → 403 ``forbidden``, nothing changes (a member-pool token
  is a member whatever groups it claims; a staff token is no member; a system without the
  route's scope is refused everywhere);
* another member on a route naming something the owner owns (an order ...) → 403/404, and the
  owner's data is unchanged; on any other member route, never a byte of the owner's data;
* an allowed role → anything but 401/403/5xx (a 404/409/422 is a fine answer to a
  placeholder), and every response is documented and conforms to the OpenAPI document.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from local.tokens import TokenSigner, token_claims
from shared.routes import ROUTES, Role, Route, system_scopes
from shared.schemas import operation_of
from tests.security import conformance
from tests.security.world import MEMBER_OWNED, OTHER, OWNER, World, build
from tests.support import Api, Result, table_items

pytestmark = pytest.mark.usefixtures("frozen_clock")

BAD_TOKENS = ("no token", "bad signature", "expired token")
# Callers in the order they call: refusals first, the owner last (it may change things).
IMPOSTOR = "member claiming operators"
UNSCOPED = "system lacking the scope"
CALLERS = (
    *BAD_TOKENS,
    "member (other)",
    IMPOSTOR,
    UNSCOPED,
    "operator",
    "system",
    "member (owner)",
)
# Members that are not the owner (the BOLA checks apply to them).
OTHERS = ("member (other)", IMPOSTOR)
ROLE_OF = {
    "member (owner)": Role.MEMBER,
    "member (other)": Role.MEMBER,
    IMPOSTOR: Role.MEMBER,
    "operator": Role.OPERATOR,
    "system": Role.SYSTEM,
}


def token_of(api: Api, caller: str, route: Route) -> str | None:
    if caller == IMPOSTOR:  # a member-pool token whose groups say operators
        claims = token_claims(OTHER, []) | {"cognito:groups": ["operators", "systems"]}
        return api.gateway.signer.sign_claims(claims)
    if caller == UNSCOPED:
        scopes = [s for s in system_scopes() if s not in route.scopes]
        return api.gateway.signer.sign("shop-narrow", ["systems"], scopes=scopes)
    return {
        "no token": None,
        "bad signature": TokenSigner("not-the-secret-0123456789-abcdefgh").sign(OWNER, []),
        "expired token": api.gateway.signer.sign(OWNER, [], ttl=-60),
        "member (owner)": api.token(OWNER),
        "member (other)": api.token(OTHER),
        "operator": api.token("op-matrix", "operators"),
        "system": api.token("shop-matrix", "systems"),
    }[caller]


def refused(route: Route, caller: str) -> bool:
    """The route table refuses this caller (401 or 403)."""
    if route.public:
        return False
    return caller in BAD_TOKENS or caller == UNSCOPED or ROLE_OF[caller] not in route.roles


def owners_items(items: list[dict[str, Any]], world: World) -> list[dict[str, Any]]:
    """The owner's partition and every item keyed by something the owner owns."""
    return [
        item
        for item in items
        if item["pk"]["S"] == f"MEMBER#{OWNER}" or any(s in item["pk"]["S"] for s in world.secrets)
    ]


def owned_parameters(route: Route) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", route.path)) & MEMBER_OWNED


def judge(route: Route, caller: str, res: Result, world: World) -> list[str]:
    """What is wrong with ``res`` for this caller ([] when it is as the route table says)."""
    wrong: list[str] = []
    if res.status >= 500:
        return [f"{res.status} {res.body}"]
    if caller in BAD_TOKENS:
        if route.public:
            if res.status in (401, 403):
                wrong.append(f"public route refused: {res.status}")
        elif (res.status, res.code) != (401, "unauthorized"):
            wrong.append(f"expected 401 unauthorized, got {res.status} {res.code}")
    elif refused(route, caller):
        if (res.status, res.code) != (403, "forbidden"):
            wrong.append(f"expected 403 forbidden, got {res.status} {res.code}")
    elif caller in OTHERS and owned_parameters(route):
        if res.status not in (403, 404):
            wrong.append(f"BOLA: another member's {owned_parameters(route)} -> {res.status}")
    elif res.status in (401, 403):
        wrong.append(f"an allowed role was refused: {res.status} {res.body}")
    if caller in OTHERS and not route.public and res.status < 300:
        leaked = [s for s in world.secrets if s in json.dumps(res.body)]
        if leaked:
            wrong.append(f"BOLA: another member saw {leaked}")
    wrong += conformance.problems(route, res.status, res.body)
    return wrong


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route_key)
def test_every_caller_gets_what_the_route_table_allows(api: Api, route: Route) -> None:
    world = build(api)
    world.secrets.add(world.params.get("hold_id", OWNER))
    op = operation_of(route)
    body = op.example if op is not None and op.request is not None else None
    headers = {"Idempotency-Key": "matrix-1"} if op is not None and op.idempotency_key else None
    path = world.path(route.path)
    failures = []
    before = table_items()
    for caller in CALLERS:
        token = token_of(api, caller, route)
        res = api.call(route.method, path, body, token=token, headers=headers)
        after = table_items()
        wrong = judge(route, caller, res, world)
        if refused(route, caller) and after != before:
            wrong.append("a refused request changed the table")
        if caller in OTHERS and owners_items(after, world) != owners_items(before, world):
            wrong.append("BOLA: another member's request changed the owner's data")
        failures += [f"{caller}: {w}" for w in wrong]
        before = after
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_route_of_the_table() -> None:
    """The matrix is parametrized by the table itself; every route has an expectation."""
    covered = {r.route_key for r in ROUTES}
    assert len(covered) == len(ROUTES), "a route key appears twice in the table"
    for route in ROUTES:
        assert route.public or route.roles <= set(Role), route.route_key
        assert operation_of(route) is not None, f"{route.route_key} has no schema"
