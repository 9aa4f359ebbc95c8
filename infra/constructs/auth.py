"""Cognito: the user pool whose JWTs the HTTP API accepts, its hosted UI domain, the app
clients (the shop's systems; the member app and the operator console), the role groups."""

from __future__ import annotations

from typing import cast

from aws_cdk import Aws, Duration, Fn
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra import nag
from infra.config import PROJECT, StageConfig

# cognito:groups values the handlers map to roles (shared/auth.py GROUP_ROLES); any other
# valid token is a member.
GROUPS: dict[str, str] = {
    "operators": "Programme operators: the admin console (/v1/admin/...)",
    "systems": "Trusted systems: the shop's purchase, refund and registration calls",
}

# The vite dev server (`make web-dev`): the dev stage's web clients also accept it, so a
# developer can run the apps locally against the dev stage's user pool.
DEV_SERVER_ORIGIN = "http://localhost:5173"
DEV_STAGE = "dev"
# The scopes the web apps ask for (web/src/common/auth.ts).
WEB_SCOPES = (cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE)
# Where each web app lives on the site; the callback is <origin><path>callback.
MEMBER_APP_PATH = "/"
CONSOLE_APP_PATH = "/console/"


def domain_prefix(stage: str) -> str:
    """``loyalty-points-<stage>-<8 hex>``: hosted UI prefixes are global per region, so the
    suffix is the first group of the stack's UUID (unique per deployed stack, and unlike
    the account id it tells an outsider nothing)."""
    stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    return f"{PROJECT}-{stage}-{Fn.select(0, Fn.split('-', stack_uuid))}"


class Auth(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=config.name("users"),
            self_sign_up_enabled=False,  # members are registered through POST /v1/members
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=config.is_prod,
            removal_policy=config.removal_policy,
        )
        self.client = self.user_pool.add_client(
            "AppClient",
            user_pool_client_name=config.name("app"),
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            disable_o_auth=True,  # no hosted UI: front ends use the SRP flow via the SDK
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
        self._config = config
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
            "MFA is OPTIONAL (TOTP, no SMS): members sign in from the shop's front ends where "
            "forced MFA is a product decision; operators and systems are expected to enrol.",
        )
        for name, description in GROUPS.items():
            cognito.CfnUserPoolGroup(
                self,
                f"Group-{name}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=name,
                description=description,
            )

    @property
    def hosted_ui_host(self) -> str:
        """``<prefix>.auth.<region>.amazoncognito.com``: sign-in pages and token endpoint."""
        return f"{self.domain.domain_name}.auth.{Aws.REGION}.amazoncognito.com"

    def add_web_clients(self, site_url: str) -> None:
        """One public client per web app (authorization code + PKCE through the hosted UI,
        no secret), calling back to ``site_url`` (and the vite dev server in dev)."""
        origins = [site_url] + ([DEV_SERVER_ORIGIN] if self._config.stage == DEV_STAGE else [])
        self.member_client = self._web_client(
            "MemberClient", "member-web", origins, MEMBER_APP_PATH, Duration.days(30)
        )
        # Operators sign in again each working day.
        self.staff_client = self._web_client(
            "StaffClient", "console-web", origins, CONSOLE_APP_PATH, Duration.hours(12)
        )

    def _web_client(
        self,
        construct_id: str,
        name: str,
        origins: list[str],
        app_path: str,
        refresh: Duration,
    ) -> cognito.UserPoolClient:
        client = self.user_pool.add_client(
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
