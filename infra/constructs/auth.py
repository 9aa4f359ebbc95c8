"""Cognito: two user pools whose JWTs the HTTP API accepts (shared/auth.py decides roles).

- The **member pool** (unchanged): members, registered through POST /v1/members (no
  self-sign-up), MFA optional; its app clients are the shop's SRP front ends and the member
  web app. Its tokens are members' whatever groups they claim.
- The **staff pool**: operators, MFA required (TOTP), no self-sign-up, the ``operators``
  group, the console's web client; and the trusted systems, as OAuth client-credentials app
  clients on the ``points`` resource server, one scope per system route family (the route
  table's ``scopes``). Each pool has its own hosted UI domain (the staff one is also the
  systems' token endpoint, ``/oauth2/token``).
"""

from __future__ import annotations

from typing import Any, cast

from aws_cdk import Aws, Duration, Fn
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra import nag
from infra.config import PROJECT, StageConfig
from shared.auth import (
    ENV_MEMBER_CLIENTS,
    ENV_MEMBER_ISSUER,
    ENV_STAFF_CLIENTS,
    ENV_STAFF_ISSUER,
    ENV_SYSTEM_CLIENTS,
    OPERATORS_GROUP,
)
from shared.routes import RESOURCE_SERVER, ROUTES, system_scopes

# Groups of the staff pool (shared/auth.py: operator = staff pool + this group).
STAFF_GROUPS: dict[str, str] = {
    OPERATORS_GROUP: "Programme operators: the admin console (/v1/admin/...)",
}
# Trusted systems' app clients (client credentials) and the scopes each may ask for. One
# client for the shop's systems today; give a new system its own client with only the
# scopes it needs (its client id is how the API names it: shared/auth.py).
SYSTEM_CLIENTS: dict[str, tuple[str, ...]] = {"shop": system_scopes()}

# The vite dev server (`make web-dev`): the dev stage's web clients also accept it, so a
# developer can run the apps locally against the dev stage's user pool.
DEV_SERVER_ORIGIN = "http://localhost:5173"
DEV_STAGE = "dev"
# The scopes the web apps ask for (web/src/common/auth.ts).
WEB_SCOPES = (cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE)
# Where each web app lives on the site; the callback is <origin><path>callback.
MEMBER_APP_PATH = "/"
CONSOLE_APP_PATH = "/console/"


def domain_prefix(stage: str, pool: str = "") -> str:
    """``loyalty-points-<stage>[-<pool>]-<8 hex>``: hosted UI prefixes are global per region,
    so the suffix is the first group of the stack's UUID (unique per deployed stack, and
    unlike the account id it tells an outsider nothing)."""
    stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    name = f"{PROJECT}-{stage}" + (f"-{pool}" if pool else "")
    return f"{name}-{Fn.select(0, Fn.split('-', stack_uuid))}"


def issuer(pool: cognito.IUserPool) -> str:
    """The ``iss`` of the pool's tokens (what API Gateway's JWT authorizer checks)."""
    return f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{pool.user_pool_id}"


def scope_description(scope: str) -> str:
    """The routes a scope opens, e.g. ``POST /v1/refunds`` (Cognito shows it to admins)."""
    return "; ".join(r.route_key for r in ROUTES if scope in r.scopes)[:256]


class Auth(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        # The member pool keeps its construct id: replacing it would lose every member. No
        # self sign-up: members are registered through POST /v1/members.
        self.user_pool = self._pool(
            "UserPool", "users", 12, cognito.Mfa.OPTIONAL, cognito.FeaturePlan.ESSENTIALS
        )
        self.client = self.user_pool.add_client(
            "AppClient",
            user_pool_client_name=config.name("app"),
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            disable_o_auth=True,  # no hosted UI: the shop's front ends use SRP via the SDK
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
        )
        self.domain = self.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix(config.stage)),
        )
        nag.acknowledge(
            self.user_pool,
            "AwsSolutions-COG8",
            "Plus feature plan (threat protection) is billed per monthly active user, and the "
            "member base is large; a member token reaches only that member's own points. "
            "Revisit if account takeover shows up in fraud reports.",
        )
        nag.acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "Members only (staff and systems have their own pool): MFA is OPTIONAL (TOTP, no "
            "SMS) because members sign in from the shop's front ends where forced MFA is a "
            "product decision; a member token reaches only that member's own points.",
        )

        # Staff: an administrator creates each operator; a handful of users holding the
        # programme's keys, so threat protection (the Plus plan) is cheap.
        self.staff_pool = self._pool(
            "StaffPool",
            "staff",
            14,
            cognito.Mfa.REQUIRED,
            cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        )
        self.staff_domain = self.staff_pool.add_domain(
            "StaffHostedUi",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=domain_prefix(config.stage, "staff")
            ),
        )
        for name, description in STAFF_GROUPS.items():
            cognito.CfnUserPoolGroup(
                self,
                f"StaffGroup-{name}",
                user_pool_id=self.staff_pool.user_pool_id,
                group_name=name,
                description=description,
            )
        self.resource_server_scopes = {
            scope: cognito.ResourceServerScope(
                scope_name=scope.removeprefix(f"{RESOURCE_SERVER}/"),
                scope_description=scope_description(scope),
            )
            for scope in system_scopes()
        }
        self.resource_server = self.staff_pool.add_resource_server(
            "ResourceServer",
            identifier=RESOURCE_SERVER,
            user_pool_resource_server_name=config.name("points-api"),
            scopes=list(self.resource_server_scopes.values()),
        )
        self.system_clients = {
            name: self._system_client(name, scopes) for name, scopes in SYSTEM_CLIENTS.items()
        }

    def _pool(
        self,
        construct_id: str,
        name: str,
        password_length: int,
        mfa: cognito.Mfa,
        plan: cognito.FeaturePlan,
        **options: Any,
    ) -> cognito.UserPool:
        """A user pool with e-mail sign-in, no self sign-up and TOTP (never SMS) MFA."""
        return cognito.UserPool(
            self,
            construct_id,
            user_pool_name=self._config.name(name),
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=password_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=mfa,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=plan,
            deletion_protection=self._config.is_prod,
            removal_policy=self._config.removal_policy,
            **options,
        )

    def _system_client(self, name: str, scopes: tuple[str, ...]) -> cognito.UserPoolClient:
        """A trusted system: client credentials (id + secret) for an access token with
        ``scopes`` from the staff pool's token endpoint; no user can sign in through it."""
        client = self.staff_pool.add_client(
            f"SystemClient-{name}",
            user_pool_client_name=self._config.name(f"system-{name}"),
            generate_secret=True,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[
                    cognito.OAuthScope.resource_server(
                        self.resource_server, self.resource_server_scopes[scope]
                    )
                    for scope in scopes
                ],
            ),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            enable_token_revocation=True,
        )
        cfn = cast(cognito.CfnUserPoolClient, client.node.default_child)
        cfn.explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]  # no user sign-in flow
        return client

    @property
    def member_clients(self) -> list[cognito.IUserPoolClient]:
        return [self.client, self.member_client]

    @property
    def staff_clients(self) -> list[cognito.IUserPoolClient]:
        return [self.staff_client]

    def environment(self) -> dict[str, str]:
        """What shared/auth.py trusts (every HTTP function's environment)."""

        def ids(clients: list[cognito.IUserPoolClient]) -> str:
            return Fn.join(",", [c.user_pool_client_id for c in clients])

        return {
            ENV_MEMBER_ISSUER: issuer(self.user_pool),
            ENV_STAFF_ISSUER: issuer(self.staff_pool),
            ENV_MEMBER_CLIENTS: ids(self.member_clients),
            ENV_STAFF_CLIENTS: ids(self.staff_clients),
            ENV_SYSTEM_CLIENTS: ids(list(self.system_clients.values())),
        }

    @property
    def hosted_ui_host(self) -> str:
        """``<prefix>.auth.<region>.amazoncognito.com``: members' sign-in pages and tokens."""
        return f"{self.domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com"

    @property
    def staff_hosted_ui_host(self) -> str:
        """The staff pool's: operators' sign-in pages, and the systems' token endpoint."""
        return f"{self.staff_domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com"

    def add_web_clients(self, site_url: str) -> None:
        """One public client per web app (authorization code + PKCE through the hosted UI,
        no secret), calling back to ``site_url`` (and the vite dev server in dev)."""
        origins = [site_url] + ([DEV_SERVER_ORIGIN] if self._config.stage == DEV_STAGE else [])
        self.member_client = self._web_client(
            self.user_pool,
            "MemberClient",
            "member-web",
            origins,
            MEMBER_APP_PATH,
            Duration.days(30),
        )
        # Operators sign in (to the staff pool, with their TOTP) again each working day.
        self.staff_client = self._web_client(
            self.staff_pool,
            "StaffClient",
            "console-web",
            origins,
            CONSOLE_APP_PATH,
            Duration.hours(12),
        )

    def _web_client(
        self,
        pool: cognito.UserPool,
        construct_id: str,
        name: str,
        origins: list[str],
        app_path: str,
        refresh: Duration,
    ) -> cognito.UserPoolClient:
        client = pool.add_client(
            construct_id,
            user_pool_client_name=self._config.name(name),
            generate_secret=False,  # a browser cannot keep a secret: PKCE instead
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=list(WEB_SCOPES),
                callback_urls=[f"{origin}{app_path}callback" for origin in origins],
                logout_urls=[f"{origin}{app_path}" for origin in origins],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=refresh,
            enable_token_revocation=True,
        )
        # Sign-in happens in the hosted UI; the app itself may only refresh its tokens (CDK
        # would otherwise leave Cognito's default SRP and custom flows on).
        cfn = cast(cognito.CfnUserPoolClient, client.node.default_child)
        cfn.explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]
        return client
