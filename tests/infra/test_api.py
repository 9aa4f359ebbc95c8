from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match

from infra.constructs.api import authorizing_role
from shared.routes import ROUTES, Role

pytestmark = pytest.mark.infra


def _routes(synth) -> dict[str, dict]:
    found = synth.template().find_resources("AWS::ApiGatewayV2::Route")
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in found.values()}


def _authorizers(synth) -> dict[str, str]:
    """Authorizer logical id -> whose it is (member / operator / system), by its audience."""
    found = synth.template().find_resources(
        "AWS::ApiGatewayV2::Authorizer", {"Properties": {"AuthorizerType": "JWT"}}
    )
    kinds = {"MemberClient": "member", "StaffClient": "operator", "SystemClient": "system"}
    owners = {}
    for logical_id, authorizer in found.items():
        audience = json.dumps(authorizer["Properties"]["JwtConfiguration"]["Audience"])
        (kind,) = {v for k, v in kinds.items() if k in audience}
        owners[logical_id] = kind
    return owners


def test_every_route_of_the_table_exists_and_nothing_else(synth) -> None:
    assert set(_routes(synth)) == {route.route_key for route in ROUTES}


def test_every_route_but_the_public_ones_needs_a_cognito_jwt_of_its_pool(synth) -> None:
    routes = _routes(synth)
    by_kind = {kind: {"Ref": logical_id} for logical_id, kind in _authorizers(synth).items()}
    assert set(by_kind) == {"member", "operator", "system"}

    for route in ROUTES:
        props = routes[route.route_key]
        if route.public:
            assert props["AuthorizationType"] == "NONE", route.route_key
            assert "AuthorizerId" not in props
            continue
        assert props["AuthorizationType"] == "JWT", route.route_key
        assert props["AuthorizerId"] == by_kind[authorizing_role(route).value], route.route_key
        if Role.MEMBER in route.roles:
            assert props["AuthorizerId"] == by_kind["member"]


def test_system_routes_require_their_scope_and_no_other_route_asks_for_one(synth) -> None:
    routes = _routes(synth)
    for route in ROUTES:
        scopes = routes[route.route_key].get("AuthorizationScopes")
        if route.roles == {Role.SYSTEM}:
            assert scopes == list(route.scopes), route.route_key
            assert scopes and all(s.startswith("points/") for s in scopes)
        else:
            assert scopes is None, route.route_key
    assert "points/purchases" in routes["POST /v1/purchases"]["AuthorizationScopes"]
    assert routes["POST /v1/holds"]["AuthorizationScopes"] == ["points/holds"]


def test_only_health_and_the_api_description_are_public() -> None:
    public = [r.route_key for r in ROUTES if r.public]
    assert public == ["GET /v1/health", "GET /v1/openapi.json"]


@pytest.mark.parametrize(
    ("kind", "pool", "clients"),
    [
        # The shop's front ends (SRP) and the member app (hosted UI) ...
        ("member", "AuthUserPool", ["AppClient", "MemberClient"]),
        # ... the console (staff pool, hosted UI) and the systems (client credentials).
        ("operator", "AuthStaffPool", ["StaffClient"]),
        ("system", "AuthStaffPool", ["SystemClientshop"]),
    ],
)
def test_jwt_authorizers_trust_one_pool_and_its_clients(synth, kind, pool, clients) -> None:
    (logical_id,) = [i for i, k in _authorizers(synth).items() if k == kind]
    props = synth.template().find_resources("AWS::ApiGatewayV2::Authorizer")[logical_id][
        "Properties"
    ]
    config = props["JwtConfiguration"]
    assert props["IdentitySource"] == ["$request.header.Authorization"]
    audience = [ref["Ref"] for ref in config["Audience"]]
    assert len(audience) == len(clients)
    for ref, client in zip(audience, clients, strict=True):
        assert ref.startswith(f"{pool}{client}"), (ref, client)
    issuer = json.dumps(config["Issuer"])
    assert re.search(rf'"Ref": "{pool}[0-9A-F]{{8}}"', issuer), issuer
    assert "cognito-idp." in issuer


def test_one_lambda_integration_per_function(synth) -> None:
    integrations = synth.template().find_resources("AWS::ApiGatewayV2::Integration")
    assert len(integrations) == len({route.function for route in ROUTES})
    for integration in integrations.values():
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert integration["Properties"]["PayloadFormatVersion"] == "2.0"


def test_default_stage_has_access_logs_and_throttling(synth) -> None:
    synth.template().has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "AccessLogSettings": {
                "DestinationArn": {"Fn::GetAtt": [Match.string_like_regexp("AccessLogs"), "Arn"]},
                "Format": Match.string_like_regexp(r"\$context\.requestId"),
            },
            "DefaultRouteSettings": {
                "ThrottlingRateLimit": Match.any_value(),
                "ThrottlingBurstLimit": Match.any_value(),
            },
        },
    )


def test_only_the_staff_pool_has_a_group_operators(synth) -> None:
    groups = synth.template().find_resources("AWS::Cognito::UserPoolGroup")
    (group,) = [g["Properties"] for g in groups.values()]
    assert group["GroupName"] == "operators"
    assert group["UserPoolId"]["Ref"].startswith("AuthStaffPool")


def test_outputs_name_what_clients_and_operators_need(synth) -> None:
    outputs = synth.template().find_outputs("*")
    assert set(outputs) >= {
        "ApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "TableName",
        "CountedTableName",
        "EventBusName",
        "SiteUrl",
        "CognitoDomain",
        "MemberClientId",
        "StaffUserPoolId",
        "StaffCognitoDomain",
        "StaffClientId",
        "SystemClientIdShop",
    }


def test_event_bus_is_named_per_stage(synth) -> None:
    synth.template("dev").has_resource_properties(
        "AWS::Events::EventBus", {"Name": "loyalty-points-dev-events"}
    )
    synth.template("prod").has_resource_properties(
        "AWS::Events::EventBus", {"Name": "loyalty-points-prod-events"}
    )
