"""shared/auth.py: which pool, client and scopes a token needs for each role (no AWS).

Claims are shaped like Cognito's (as API Gateway's JWT authorizer hands them on: arrays
flattened to "[a b]"), with the trust configured as the stack configures it in Lambda.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared import errors
from shared.auth import ENV_NAMES, Trust, authorize, principal
from shared.routes import ROUTES, Role, Route

MEMBER_POOL = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_members"
STAFF_POOL = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_staff"
TRUST = Trust.from_env(
    {
        "AWS_LAMBDA_FUNCTION_NAME": "loyalty-points-dev-earn",
        "AUTH_MEMBER_ISSUER": MEMBER_POOL,
        "AUTH_STAFF_ISSUER": STAFF_POOL,
        "AUTH_MEMBER_CLIENTS": "member-srp,member-web",
        "AUTH_STAFF_CLIENTS": "console-web",
        "AUTH_SYSTEM_CLIENTS": "shop-system",
    }
)


def event(claims: dict[str, Any]) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims}}}}


def member(**extra: Any) -> dict[str, Any]:
    claims = {"sub": "m-1", "iss": MEMBER_POOL, "token_use": "access", "client_id": "member-web"}
    return {**claims, **extra}


def operator(**extra: Any) -> dict[str, Any]:
    claims = {
        "sub": "u-7",
        "username": "ops@example.com",
        "iss": STAFF_POOL,
        "token_use": "access",
        "client_id": "console-web",
        "cognito:groups": "[operators]",
        "scope": "openid email profile",
    }
    return {**claims, **extra}


def system(scope: str = "points/purchases points/refunds", **extra: Any) -> dict[str, Any]:
    claims = {
        "sub": "shop-system",
        "iss": STAFF_POOL,
        "token_use": "access",
        "client_id": "shop-system",
        "scope": scope,
    }
    return {**claims, **extra}


def roles(claims: dict[str, Any]) -> frozenset[Role] | None:
    caller = principal(event(claims), TRUST)
    return None if caller is None else caller.roles


def test_member_pool_tokens_are_members_whatever_groups_they_claim() -> None:
    assert roles(member()) == {Role.MEMBER}
    # ID tokens (the shop's SRP front ends) name their client in aud.
    assert roles(member(token_use="id", client_id=None, aud="member-srp")) == {Role.MEMBER}
    assert roles(member(**{"cognito:groups": "[operators systems]"})) == {Role.MEMBER}


def test_operators_are_staff_pool_users_of_the_console_in_the_operators_group() -> None:
    assert roles(operator()) == {Role.OPERATOR}
    assert principal(event(operator()), TRUST).subject == "u-7"
    assert roles(operator(**{"cognito:groups": "[auditors]"})) == frozenset()  # → 403
    assert roles(operator(**{"cognito:groups": None})) == frozenset()


def test_a_system_is_named_by_its_client_id_and_carries_its_scopes() -> None:
    caller = principal(event(system()), TRUST)
    assert caller is not None
    assert caller.roles == {Role.SYSTEM}
    assert caller.subject == "shop-system"
    assert caller.scopes == {"points/purchases", "points/refunds"}


@pytest.mark.parametrize(
    "claims",
    [
        member(iss="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"),
        member(client_id="someone-elses-client"),
        member(token_use="refresh"),
        member(sub=""),
        operator(client_id="shop-system"),  # a user's token for the system client
        operator(client_id="member-web"),
        system(client_id="unknown-client", sub="unknown-client"),
        {**system(), "iss": MEMBER_POOL},
    ],
)
def test_tokens_of_other_issuers_clients_or_kinds_name_no_caller(claims: dict) -> None:
    assert principal(event(claims), TRUST) is None


def test_a_system_token_needs_no_groups_and_a_user_token_is_never_a_system() -> None:
    # sub == client_id and no username: client credentials. A user's access token for the
    # system client (sub = the user) is refused.
    assert roles(system(**{"cognito:groups": "[operators]"})) == {Role.SYSTEM}
    assert roles(system(sub="u-7")) is None
    assert roles(system(username="u-7")) is None


def route(key: str) -> Route:
    return next(r for r in ROUTES if r.route_key == key)


@pytest.fixture(autouse=True)
def aws_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.auth.TRUST", TRUST)


def call(key: str, claims: dict[str, Any] | None) -> None:
    authorize(route(key), event(claims) if claims is not None else {"requestContext": {}})


def test_system_routes_need_the_routes_scope() -> None:
    call("POST /v1/purchases", system("points/purchases"))
    call("POST /v1/refunds", system("points/purchases points/refunds"))
    with pytest.raises(errors.Forbidden, match="points/holds"):
        call("POST /v1/holds", system("points/purchases points/refunds"))
    with pytest.raises(errors.Forbidden):
        call("POST /v1/purchases", system(""))


def test_wrong_pool_or_role_is_forbidden_and_no_token_unauthorized() -> None:
    with pytest.raises(errors.Unauthorized):
        call("GET /v1/me", None)
    with pytest.raises(errors.Forbidden):  # a member claiming the operators group
        call("GET /v1/admin/rules", member(**{"cognito:groups": "[operators]"}))
    with pytest.raises(errors.Forbidden):  # staff are not members
        call("GET /v1/me", operator())
    with pytest.raises(errors.Forbidden):  # a system is no operator, whatever its scopes
        call("GET /v1/admin/rules", system())
    with pytest.raises(errors.Forbidden):
        call("POST /v1/purchases", operator())
    call("GET /v1/catalog", operator())  # the console browses the catalog
    call("GET /v1/catalog", member())


def test_lambda_refuses_to_start_without_its_trust_settings() -> None:
    for name in ENV_NAMES:
        env = {n: "x" for n in ENV_NAMES if n != name} | {"AWS_LAMBDA_FUNCTION_NAME": "f"}
        with pytest.raises(RuntimeError, match=name):
            Trust.from_env(env)
    local = Trust.from_env({})  # outside Lambda: local mode's issuers, any client
    assert local.member_clients is None
    assert local.system_clients is None
