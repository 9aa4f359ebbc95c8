"""The web apps on AWS: web/dist in a private S3 bucket behind one CloudFront distribution.

- ``/`` serves the member app, ``/console/`` the operator console; a CloudFront Function
  sends every in-app route to its app's ``index.html`` (the two apps need two fallbacks,
  which error-response rewrites cannot express).
- ``/v1/*`` goes to the HTTP API, so the apps call their own origin: no CORS, and the CSP's
  ``connect-src`` is ``'self'`` plus the Cognito hosted UI (token endpoint) and the file
  store's bucket (the console PUTs an import to its presigned URL).
- ``/config.json`` is written per stage at deploy time (API base, Cognito domain and ids).
- Hashed bundles under ``assets/`` are cached for a year; pages and config.json are
  revalidated on every request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra import nag
from infra.config import StageConfig
from infra.csp import content_security_policy

API_PATH = "/v1/*"
ASSETS_DIR = "assets"  # vite's content-hashed bundles: a new build never reuses a name
CONFIG_OBJECT = "config.json"
CONSOLE_PREFIX = "/console"
HSTS_MAX_AGE = Duration.days(730)
DEPLOY_MEMORY_MB = 256
# The s3 action families (s3:<family>*) CDK's BucketDeployment grants its role.
DEPLOY_ACTION_FAMILIES = ("GetBucket", "GetObject", "List", "Abort", "DeleteObject")

LONG_CACHE = (
    s3deploy.CacheControl.set_public(),
    s3deploy.CacheControl.max_age(Duration.days(365)),
    s3deploy.CacheControl.immutable(),
)
NO_CACHE = (s3deploy.CacheControl.no_cache(),)


def static_paths(dist: Path) -> list[str]:
    """Request paths that are files to serve as they are: what the build put outside
    ``assets/`` (favicons, the two index pages) and the deploy-time ``config.json``.
    Hidden entries (vite's ``.vite/manifest.json``) are not deployed."""
    paths = {f"/{CONFIG_OBJECT}"}
    for path in dist.rglob("*"):
        relative = path.relative_to(dist)
        if path.is_file() and relative.parts[0] != ASSETS_DIR and not _hidden(relative):
            paths.add(f"/{relative.as_posix()}")
    return sorted(paths)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def routing_function_code(files: list[str]) -> str:
    """CloudFront Function (cloudfront-js-2.0, viewer request): known files and bundles pass
    through, ``/console`` gets its slash, ``/console/<route>`` becomes the console's
    index.html and every other path the member app's."""
    return f"""var FILES = {json.dumps(dict.fromkeys(files, True), sort_keys=True)};

function handler(event) {{
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/{ASSETS_DIR}/') === 0 || FILES[uri] === true) {{
    return request;
  }}
  if (uri === '{CONSOLE_PREFIX}') {{
    return {{
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: {{ location: {{ value: '{CONSOLE_PREFIX}/' }} }}
    }};
  }}
  var inConsole = uri.indexOf('{CONSOLE_PREFIX}/') === 0;
  request.uri = inConsole ? '{CONSOLE_PREFIX}/index.html' : '/index.html';
  return request;
}}
"""


def _private_bucket(scope: Construct, construct_id: str, **props: Any) -> s3.Bucket:
    """No public access, SSE-S3 encryption (CloudFront's OAC reads it without a KMS key
    policy), and a policy that denies every request made without TLS."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        **props,
    )


class Site(Construct):
    """Bucket, access-log bucket, distribution, headers policy and routing function. The
    stack then calls ``route_api`` (once the HTTP API exists) and ``deploy`` (once the
    Cognito app clients exist: config.json names them)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        dist: Path,
        auth_origin: str,
        file_store_origin: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._dist = dist
        self.logs = _private_bucket(
            self,
            "Logs",
            # Kept from CloudFront standard logging (it wrote with an ACL grant; now off).
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(365 if config.is_prod else 30))
            ],
            # Access logs outlive the stack (and a non-empty bucket cannot be deleted by
            # CloudFormation); the lifecycle rule empties it.
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.bucket = _private_bucket(
            self,
            "Bucket",
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/",
            removal_policy=config.removal_policy,
        )
        self.routing = cloudfront.Function(
            self,
            "Routing",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="SPA fallback: /console/* -> console/index.html, other routes -> index.html",
            code=cloudfront.FunctionCode.from_inline(routing_function_code(static_paths(dist))),
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment=f"loyalty points web apps ({config.stage}): CSP, HSTS, nosniff, no framing",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(auth_origin, file_store_origin),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy",
                        value="camera=(), microphone=(), geolocation=(), payment=()",
                        override=True,
                    )
                ]
            ),
        )
        # Honours the Cache-Control the deployment writes on each object (min TTL 0, so
        # "no-cache" pages are revalidated at the edge too).
        cache = cloudfront.CachePolicy(
            self,
            "StaticCache",
            comment="Origin Cache-Control: a year for assets/, revalidate pages and config.json",
            min_ttl=Duration.seconds(0),
            default_ttl=Duration.days(1),
            max_ttl=Duration.days(365),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"loyalty points web apps ({config.stage})",
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # No CloudFront standard logging: its legacy form writes every request's query
            # string (cs-uri-query), so an operator's member lookup by phone or e-mail
            # (GET /v1/admin/members?phone=...) would sit in the log bucket for a year, and it
            # has no field selection and no per-path switch. Requests are logged where we
            # choose the fields: the API's access log (route key, never the query string:
            # infra/constructs/api.py) and the site bucket's S3 access log (static files).
            enable_logging=False,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cache,
                response_headers_policy=self.headers,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.routing,
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
            ),
        )
        for rule, reason in (
            (
                "AwsSolutions-CFR4",
                "The distribution uses the default *.cloudfront.net certificate, for which "
                "CloudFront fixes the minimum viewer protocol (TLSv1); a custom domain with "
                "an ACM certificate and TLSv1.2_2021 lifts it.",
            ),
            (
                "AwsSolutions-CFR1",
                "No geo restriction: members and operators use the apps wherever they are; "
                "the API authorizes every call.",
            ),
            (
                "AwsSolutions-CFR3",
                "Standard logging off on purpose: the legacy log keeps every query string, "
                "members' phone numbers and e-mail addresses among them (GET "
                "/v1/admin/members?phone=); the API access log and the site bucket's S3 access "
                "log record the requests without them. Standard logging v2, whose field "
                "selection can leave cs-uri-query out, is the way to bring edge logs back.",
            ),
            (
                "AwsSolutions-CFR2",
                "No WAF web ACL yet (it must live in us-east-1, a second stack): the pages are "
                "static, and the API behind /v1/* has stage throttling and a JWT authorizer.",
            ),
        ):
            nag.acknowledge(self.distribution, rule, reason)

    @property
    def domain_name(self) -> str:
        return self.distribution.distribution_domain_name

    @property
    def url(self) -> str:
        return f"https://{self.domain_name}"

    def route_api(self, api: apigwv2.IHttpApi) -> None:
        """``/v1/*`` to the HTTP API: never cached, every viewer header (Authorization,
        Idempotency-Key, Accept-Language) and the query string forwarded, Host excepted."""
        origin = origins.HttpOrigin(
            Fn.parse_domain_name(api.api_endpoint),
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution.add_behavior(
            API_PATH,
            origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.headers,
        )

    def deploy(self, runtime_config: Mapping[str, Any]) -> None:
        """Upload web/dist and write ``config.json``: bundles first (kept across deploys, so
        a page loaded before a deploy still finds its chunks), then the pages and the config
        (pruned: a page removed from the build disappears)."""
        config = self._config
        log_group = config.log_group(self, "DeployLogs")
        role = iam.Role(
            self,
            "DeployRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Site deployment (CDK BucketDeployment): its log group + the buckets",
            inline_policies={
                # Instead of the managed AWSLambdaBasicExecutionRole (logs on every log group).
                "Logs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[log_group.log_group_arn],
                        )
                    ]
                )
            },
        )
        build = s3deploy.Source.asset(str(self._dist), exclude=[".*"])
        common: dict[str, Any] = {
            "destination_bucket": self.bucket,
            "role": role,
            "log_group": log_group,
            "memory_limit": DEPLOY_MEMORY_MB,
            # Outside prod, deleting the stack empties the bucket so it can be deleted too.
            "retain_on_delete": config.is_prod,
        }
        bundles = s3deploy.BucketDeployment(
            self,
            "DeployAssets",
            sources=[build],
            exclude=["*"],
            include=[f"{ASSETS_DIR}/*"],
            prune=False,
            cache_control=list(LONG_CACHE),
            **common,
        )
        pages = s3deploy.BucketDeployment(
            self,
            "DeployPages",
            sources=[build, s3deploy.Source.json_data(CONFIG_OBJECT, dict(runtime_config))],
            exclude=[f"{ASSETS_DIR}/*"],
            cache_control=list(NO_CACHE),
            **common,
        )
        pages.node.add_dependency(bundles)
        self.deployments = (bundles, pages)
        self._acknowledge_deployment(role)

    def _acknowledge_deployment(self, role: iam.Role) -> None:
        stack = Stack.of(self)
        bucket = stack.get_logical_id(cast(s3.CfnBucket, self.bucket.node.default_child))
        assets = (
            f"arn:<AWS::Partition>:s3:::cdk-{stack.synthesizer.bootstrap_qualifier}-assets-"
            "<AWS::AccountId>-<AWS::Region>"
        )
        reason = (
            "CDK's BucketDeployment grants itself read on the CDK asset bucket and read/write "
            "on the site bucket: it syncs whole folders (aws s3 sync), so it needs every "
            "object of the two buckets and the s3 action families CDK's grantRead / "
            "grantReadWrite name; no other bucket is reachable."
        )
        policy = role.node.find_child("DefaultPolicy")
        for finding in (
            *(f"Action::s3:{family}*" for family in DEPLOY_ACTION_FAMILIES),
            f"Resource::<{bucket}.Arn>/*",
            f"Resource::{assets}/*",
        ):
            nag.acknowledge(policy, f"AwsSolutions-IAM5[{finding}]", reason)
        for child in Stack.of(self).node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                nag.acknowledge(
                    child,
                    "AwsSolutions-L1",
                    "CDK's BucketDeployment handler: aws-cdk-lib chooses its runtime with "
                    "the bundled awscli layer; it moves when aws-cdk-lib is upgraded.",
                )
