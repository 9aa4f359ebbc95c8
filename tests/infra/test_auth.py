"""Cognito identities: members in their pool (unchanged), staff in a pool with MFA required,
trusted systems as client-credentials clients of the staff pool's resource server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.auth import ENV_NAMES
from shared.routes import RESOURCE_SERVER, functions, system_scopes

pytestmark = pytest.mark.infra


def _pools(synth, stage: str = "dev") -> dict[str, dict[str, Any]]:
    """User pool name suffix (users / staff) -> its properties."""
    found = synth.template(stage).find_resources("AWS::Cognito::UserPool")
    prefix = f"loyalty-points-{stage}-"
    return {
        p["Properties"]["UserPoolName"].removeprefix(prefix): p["Properties"]
        for p in found.values()
    }


def _logical_id(synth, kind: str, prefix: str, stage: str = "dev") -> str:
    (found,) = [i for i in synth.template(stage).find_resources(kind) if i.startswith(prefix)]
    return found


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_two_user_pools_and_only_members_may_skip_mfa(synth, stage: str) -> None:
    pools = _pools(synth, stage)
    assert set(pools) == {"users", "staff"}
    staff, members = pools["staff"], pools["users"]

    assert staff["MfaConfiguration"] == "ON"  # required
    assert staff["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # TOTP, no SMS
    assert staff["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert staff["UserPoolTier"] == "PLUS"
    assert staff["Policies"]["PasswordPolicy"]["MinimumLength"] >= 14
    # The member pool as it was: optional TOTP, no self sign-up.
    assert members["MfaConfiguration"] == "OPTIONAL"
    assert members["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_the_member_pool_keeps_its_logical_id(synth) -> None:
    # Replacing the member pool would lose every member's sign-in.
    assert _logical_id(synth, "AWS::Cognito::UserPool", "AuthUserPool")


def test_resource_server_declares_one_scope_per_system_route_family(synth) -> None:
    (server,) = synth.template().find_resources("AWS::Cognito::UserPoolResourceServer").values()
    props = server["Properties"]
    assert props["Identifier"] == RESOURCE_SERVER
    assert props["UserPoolId"] == {"Ref": _logical_id(synth, "AWS::Cognito::UserPool", "AuthStaff")}
    names = [f"{RESOURCE_SERVER}/{s['ScopeName']}" for s in props["Scopes"]]
    assert names == list(system_scopes())
    holds = next(s for s in props["Scopes"] if s["ScopeName"] == "holds")
    assert "POST /v1/holds/{hold_id}/capture" in holds["ScopeDescription"]


def test_systems_use_client_credentials_with_a_secret_and_no_user_flow(synth) -> None:
    clients = synth.template().find_resources("AWS::Cognito::UserPoolClient")
    (client,) = [
        c["Properties"]
        for c in clients.values()
        if c["Properties"]["ClientName"] == "loyalty-points-dev-system-shop"
    ]
    assert client["GenerateSecret"] is True
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    scopes = json.dumps(client["AllowedOAuthScopes"])
    for scope in system_scopes():
        assert scope.split("/")[1] in scopes
    assert client["UserPoolId"]["Ref"].startswith("AuthStaffPool")


def test_the_console_client_belongs_to_the_staff_pool(synth) -> None:
    clients = synth.template().find_resources("AWS::Cognito::UserPoolClient")
    pool_of = {
        c["Properties"]["ClientName"].removeprefix("loyalty-points-dev-"): c["Properties"][
            "UserPoolId"
        ]["Ref"]
        for c in clients.values()
    }
    assert pool_of["console-web"].startswith("AuthStaffPool")
    assert pool_of["member-web"].startswith("AuthUserPool")
    assert pool_of["app"].startswith("AuthUserPool")
    assert len(pool_of) == 4  # app, member-web, console-web, system-shop


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_each_pool_has_its_own_hosted_ui_domain(synth, stage: str) -> None:
    domains = synth.template(stage).find_resources("AWS::Cognito::UserPoolDomain")
    by_pool = {d["Properties"]["UserPoolId"]["Ref"]: d["Properties"] for d in domains.values()}
    assert sorted(ref.rstrip("0123456789ABCDEF") for ref in by_pool) == [
        "AuthStaffPool",
        "AuthUserPool",
    ]
    staff = next(p for ref, p in by_pool.items() if ref.startswith("AuthStaffPool"))
    prefix, suffix = staff["Domain"]["Fn::Join"][1]
    assert prefix == f"loyalty-points-{stage}-staff-"
    assert "AWS::StackId" in json.dumps(suffix)


def test_every_http_function_knows_which_issuers_and_clients_to_trust(synth) -> None:
    lambdas = synth.template().find_resources("AWS::Lambda::Function")
    env_of = {
        props["FunctionName"].removeprefix("loyalty-points-dev-"): props["Environment"]["Variables"]
        for props in (f["Properties"] for f in lambdas.values())
        if "FunctionName" in props
    }
    for name in functions():
        env = env_of[name]
        assert set(ENV_NAMES) <= set(env), name
        assert "AuthStaffPool" in json.dumps(env["AUTH_STAFF_ISSUER"])
        assert "AuthUserPool" in json.dumps(env["AUTH_MEMBER_ISSUER"])
        assert "SystemClientshop" in json.dumps(env["AUTH_SYSTEM_CLIENTS"])
        assert "StaffClient" in json.dumps(env["AUTH_STAFF_CLIENTS"])
        assert "StaffClient" not in json.dumps(env["AUTH_MEMBER_CLIENTS"])


def test_no_mfa_acknowledgement_is_left_for_the_staff_pool(synth) -> None:
    text = json.dumps(synth.raw())
    staff = _logical_id(synth, "AWS::Cognito::UserPool", "AuthStaffPool")
    metadata = json.dumps(synth.raw()["Resources"][staff].get("Metadata", {}))
    assert "COG2" not in metadata and "COG8" not in metadata
    assert text.count("AwsSolutions-COG2") <= 1  # the member pool's, if recorded at all
