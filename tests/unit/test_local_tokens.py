"""Local mode's tokens: ``POST /local/token`` mints what the deployed pools would issue, so
``shared/auth.py`` sees the same callers locally as in AWS (docs/security.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.gateway import Gateway
from local.server import LocalApp
from local.tokens import TokenSigner
from shared.auth import LOCAL_MEMBER_ISSUER, LOCAL_STAFF_ISSUER, principal
from shared.routes import Role, system_scopes

SIGNER = TokenSigner("test-secret-0123456789-abcdefghij")


def mint(body: Any) -> tuple[int, dict[str, Any]]:
    app = LocalApp(Gateway(SIGNER))
    status, _, reply = app.handle("POST", "/local/token", {}, json.dumps(body).encode())
    return status, json.loads(reply)


def claims_of(body: dict[str, Any]) -> dict[str, Any]:
    status, reply = mint(body)
    assert status == 200, reply
    return SIGNER.verify(reply["token"])


def caller(claims: dict[str, Any]):
    return principal({"requestContext": {"authorizer": {"jwt": {"claims": claims}}}})


def test_groups_choose_the_pool_and_kind_of_token() -> None:
    member = claims_of({"sub": "m-alice", "groups": []})
    operator = claims_of({"sub": "ops", "groups": ["operators"]})
    system = claims_of({"sub": "shop", "groups": ["systems"]})

    assert (member["iss"], member["token_use"]) == (LOCAL_MEMBER_ISSUER, "access")
    assert (operator["iss"], operator["cognito:groups"]) == (LOCAL_STAFF_ISSUER, ["operators"])
    assert system["iss"] == LOCAL_STAFF_ISSUER
    assert system["sub"] == system["client_id"] == "shop"  # client credentials: no user
    assert "cognito:groups" not in system and "username" not in system
    assert system["scope"].split() == list(system_scopes())

    assert caller(member).roles == {Role.MEMBER}
    assert caller(operator).roles == {Role.OPERATOR}
    assert (caller(system).roles, caller(system).subject) == ({Role.SYSTEM}, "shop")


def test_scopes_narrow_a_systems_token() -> None:
    pos = claims_of({"sub": "pos", "groups": ["systems"], "scopes": ["points/holds"]})
    assert pos["scope"] == "points/holds"
    assert caller(pos).scopes == {"points/holds"}
    none = claims_of({"sub": "pos", "groups": ["systems"], "scopes": []})
    assert caller(none).scopes == frozenset()


def test_a_member_token_stays_a_members_whatever_it_asks_for() -> None:
    # "scopes" without the systems group grants nothing: still a member's token.
    claims = claims_of({"sub": "m-bob", "groups": ["auditors"], "scopes": ["points/purchases"]})
    assert claims["iss"] == LOCAL_MEMBER_ISSUER and "scope" not in claims
    assert caller(claims).roles == {Role.MEMBER}


@pytest.mark.parametrize(
    "body",
    [
        {"sub": "pos", "groups": ["systems"], "scopes": "points/holds"},
        {"sub": "pos", "groups": ["systems"], "scopes": [1]},
        {"sub": "", "groups": []},
    ],
)
def test_malformed_token_requests_are_422(body: dict[str, Any]) -> None:
    status, reply = mint(body)
    assert status == 422 and reply["error"]["code"] == "validation_error"
