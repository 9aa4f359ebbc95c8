"""Cognito: the user pool whose JWTs the HTTP API accepts, one app client, the role groups."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra import nag
from infra.config import StageConfig

# cognito:groups values the handlers map to roles (shared/auth.py GROUP_ROLES); any other
# valid token is a member.
GROUPS: dict[str, str] = {
    "operators": "Programme operators: the admin console (/v1/admin/...)",
    "systems": "Trusted systems: the shop's purchase, refund and registration calls",
}


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
