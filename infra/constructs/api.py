"""The HTTP API: one route per entry of shared.routes.ROUTES, a Cognito JWT authorizer on
every non-public route, one Lambda integration per function, access logs and a throttle
per route (infra/traffic.py).

Authorizers (infra/constructs/auth.py has the pools): member routes trust the member pool
and its app clients; operator routes the staff pool for the console's client; system routes
the staff pool for the systems' clients AND require the route's OAuth scope
(``authorizationScopes``), so a client-credentials token without it never reaches a Lambda.
shared/auth.py checks the same again (issuer, client, ``token_use``, group, scope)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import cast

import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import nag
from infra.config import StageConfig
from infra.constructs.auth import Auth
from shared.routes import Role, Route

# HTTP API $context variables, one JSON object per request.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "sub": "$context.authorizer.claims.sub",
}


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        routes: tuple[Route, ...],
        handlers: Mapping[str, lambda_.IFunction],
        auth: Auth,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=config.name("api"),
            description=f"Loyalty points HTTP API ({config.stage})",
            create_default_stage=False,
        )
        self.access_logs = config.log_group(self, "AccessLogs")
        self.stage = self.api.add_stage(
            "DefaultStage",
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_AccessLogs(self.access_logs),
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.traffic.default.rate, burst_limit=config.traffic.default.burst
            ),
        )
        # The member authorizer keeps the old construct id (the deployed authorizer stays).
        self.authorizers: dict[Role, authorizers.HttpUserPoolAuthorizer] = {
            Role.MEMBER: authorizers.HttpUserPoolAuthorizer(
                "CognitoAuthorizer", auth.user_pool, user_pool_clients=auth.member_clients
            ),
            Role.OPERATOR: authorizers.HttpUserPoolAuthorizer(
                "StaffAuthorizer", auth.staff_pool, user_pool_clients=auth.staff_clients
            ),
            Role.SYSTEM: authorizers.HttpUserPoolAuthorizer(
                "SystemsAuthorizer",
                auth.staff_pool,
                user_pool_clients=list(auth.system_clients.values()),
            ),
        }
        integration = {
            name: integrations.HttpLambdaIntegration(f"{name}-integration", handler)
            for name, handler in handlers.items()
        }
        # Each route its own throttle (infra/traffic.py): the L2 stage sets only the default.
        cfn_stage = cast(apigwv2.CfnStage, self.stage.node.default_child)
        cfn_stage.route_settings = {
            key: {"ThrottlingRateLimit": t.rate, "ThrottlingBurstLimit": t.burst}
            for key, t in config.traffic.plan(routes).items()
        }
        self.routes: dict[str, apigwv2.HttpRoute] = {}
        for route in routes:
            (added,) = self.api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod(route.method)],
                integration=integration[route.function],
                authorizer=apigwv2.HttpNoneAuthorizer()
                if route.public
                else self.authorizers[authorizing_role(route)],
                authorization_scopes=list(route.scopes) or None,
            )
            self.routes[route.route_key] = added
            # The stage's route settings name the route: created after it (else "Unable to
            # find Route by key" on the stack's first deployment).
            cfn_stage.add_resource_dependency(cast(apigwv2.CfnRoute, added.node.default_child))
            if route.public:
                nag.acknowledge(
                    added,
                    "AwsSolutions-APIG4",
                    f"{route.route_key} is public by design (load balancer / uptime probe; "
                    "returns no data). Every other route has the Cognito JWT authorizer.",
                )

    @property
    def url(self) -> str:
        return self.stage.url


def authorizing_role(route: Route) -> Role:
    """Whose authorizer guards ``route``: an HTTP API route has one authorizer, so one issuer.
    A route open to members and operators (``GET /v1/catalog``...) takes the member pool's:
    in AWS a staff token is refused there by API Gateway (401) although shared/auth.py and
    local mode accept it; an operators' copy of such a route under /v1/admin/ closes that."""
    for role in (Role.MEMBER, Role.OPERATOR, Role.SYSTEM):
        if role in route.roles:
            return role
    raise ValueError(f"{route.route_key} names no role")


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogs:
    """The stage's access logs: one JSON line per request into ``log_group``."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)
        self._format = apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT))

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return self._format
