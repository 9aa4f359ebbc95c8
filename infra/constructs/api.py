"""The HTTP API: one route per entry of shared.routes.ROUTES, a Cognito JWT authorizer on
every non-public route, one Lambda integration per function, access logs and throttling."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import nag
from infra.config import StageConfig
from shared.routes import Route

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
        user_pool: cognito.IUserPool,
        clients: Sequence[cognito.IUserPoolClient],
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
                rate_limit=config.throttle_rate, burst_limit=config.throttle_burst
            ),
        )
        self.authorizer = authorizers.HttpUserPoolAuthorizer(
            "CognitoAuthorizer", user_pool, user_pool_clients=list(clients)
        )
        integration = {
            name: integrations.HttpLambdaIntegration(f"{name}-integration", handler)
            for name, handler in handlers.items()
        }
        self.routes: dict[str, apigwv2.HttpRoute] = {}
        for route in routes:
            (added,) = self.api.add_routes(
                path=route.path,
                methods=[apigwv2.HttpMethod(route.method)],
                integration=integration[route.function],
                authorizer=apigwv2.HttpNoneAuthorizer() if route.public else self.authorizer,
            )
            self.routes[route.route_key] = added
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
