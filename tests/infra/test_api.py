from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from shared.routes import ROUTES

pytestmark = pytest.mark.infra


def _routes(synth) -> dict[str, dict]:
    found = synth.template().find_resources("AWS::ApiGatewayV2::Route")
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in found.values()}


def _authorizer_id(synth) -> str:
    (authorizer_id,) = synth.template().find_resources(
        "AWS::ApiGatewayV2::Authorizer", {"Properties": {"AuthorizerType": "JWT"}}
    )
    return authorizer_id


def test_every_route_of_the_table_exists_and_nothing_else(synth) -> None:
    assert set(_routes(synth)) == {route.route_key for route in ROUTES}


def test_every_route_but_the_public_ones_needs_a_cognito_jwt(synth) -> None:
    routes = _routes(synth)
    authorizer = {"Ref": _authorizer_id(synth)}

    for route in ROUTES:
        props = routes[route.route_key]
        if route.public:
            assert props["AuthorizationType"] == "NONE", route.route_key
            assert "AuthorizerId" not in props
        else:
            assert props["AuthorizationType"] == "JWT", route.route_key
            assert props["AuthorizerId"] == authorizer, route.route_key


def test_only_health_and_the_api_description_are_public() -> None:
    public = [r.route_key for r in ROUTES if r.public]
    assert public == ["GET /v1/health", "GET /v1/openapi.json"]


def test_jwt_authorizer_trusts_the_user_pool_and_its_clients(synth) -> None:
    # The shop's systems (SRP), the member app and the operator console (hosted UI).
    synth.template().has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {
                "Audience": [
                    {"Ref": Match.string_like_regexp("AppClient")},
                    {"Ref": Match.string_like_regexp("MemberClient")},
                    {"Ref": Match.string_like_regexp("StaffClient")},
                ],
                "Issuer": Match.any_value(),
            },
        },
    )


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


def test_user_pool_has_the_role_groups(synth) -> None:
    groups = synth.template().find_resources("AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == [
        "operators",
        "systems",
    ]


def test_outputs_name_what_clients_and_operators_need(synth) -> None:
    outputs = synth.template().find_outputs("*")
    assert set(outputs) >= {
        "ApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "TableName",
        "EventBusName",
        "SiteUrl",
        "CognitoDomain",
        "MemberClientId",
        "StaffClientId",
    }


def test_event_bus_is_named_per_stage(synth) -> None:
    synth.template("dev").has_resource_properties(
        "AWS::Events::EventBus", {"Name": "loyalty-points-dev-events"}
    )
    synth.template("prod").has_resource_properties(
        "AWS::Events::EventBus", {"Name": "loyalty-points-prod-events"}
    )
