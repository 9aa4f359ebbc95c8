"""The pipeline's bootstrap stack: who may deploy from GitHub Actions, and with what.

``python -m infra.bootstrap`` synthesizes ``LoyaltyPointsPipeline`` into ``build/bootstrap.out``
(``make bootstrap`` also deploys it, once per account, with an administrator's credentials).

It holds the GitHub OIDC provider (``token.actions.githubusercontent.com``, audience
``sts.amazonaws.com``; or an existing one imported by ARN, since an account has one provider
per URL) and, per stage, two roles that only this repository's workflows can assume:

- ``loyalty-points-<stage>-github-deploy``: trusted for ``ref:refs/heads/main`` (dev) or
  ``environment:<stage>`` (staging, prod: jobs behind the protected GitHub environment);
  it may only assume the CDK bootstrap roles (deploy, file/image publishing, lookup), which
  hold the actual permissions: the least-privilege model CDK itself uses.
- ``loyalty-points-<stage>-github-diff``: trusted for ``pull_request``; it may only assume
  the CDK lookup role (read-only), which is all ``cdk diff --method=template`` needs.

Context ``github`` (cdk.json): ``{"repository": "owner/name", "oidcProviderArn": "arn:..."
(optional), "stages": [...] (optional, default dev/staging/prod)}``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Annotations, App, CfnOutput, Environment, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import nag
from infra.config import PROJECT, cdk_json_context, flag

STACK_NAME = "LoyaltyPointsPipeline"
OUTDIR = "build/bootstrap.out"
STAGES = ("dev", "staging", "prod")
OIDC_HOST = "token.actions.githubusercontent.com"
AUDIENCE = "sts.amazonaws.com"
PLACEHOLDER_REPOSITORY = "example-org/loyalty-points"
# The CDK bootstrap's default qualifier (`cdk bootstrap` without --qualifier).
CDK_QUALIFIER = "hnb659fds"
CDK_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")
# The branch that deploys dev; the other stages deploy from their GitHub environment.
MAIN_REF = "ref:refs/heads/main"
# GitHub: owner 1-39 characters (letters, digits, inner hyphens), name 1-100 of [A-Za-z0-9._-].
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}")
_PROVIDER_ARN = re.compile(rf"arn:aws[a-z-]*:iam::\d{{12}}:oidc-provider/{re.escape(OIDC_HOST)}")


@dataclass(frozen=True, slots=True)
class GitHubSettings:
    """Context ``github``, checked: a malformed repository would widen or break the trust."""

    repository: str
    oidc_provider_arn: str | None = None
    stages: tuple[str, ...] = STAGES

    def __post_init__(self) -> None:
        if not _REPOSITORY.fullmatch(self.repository) or self.repository.split("/")[1] in {
            ".",
            "..",
        }:
            raise ValueError(
                f"github.repository {self.repository!r} is not 'owner/name' (no wildcards): "
                'set it in cdk.json context, e.g. "github": {"repository": "acme/loyalty"}'
            )
        if self.oidc_provider_arn is not None and not _PROVIDER_ARN.fullmatch(
            self.oidc_provider_arn
        ):
            raise ValueError(
                f"github.oidcProviderArn {self.oidc_provider_arn!r} is not the ARN of an "
                f"IAM OIDC provider for {OIDC_HOST}"
            )
        unknown = set(self.stages) - set(STAGES)
        if unknown or not self.stages:
            raise ValueError(f"github.stages: expected some of {list(STAGES)}, got {self.stages}")

    @classmethod
    def from_context(cls, value: object) -> GitHubSettings:
        if isinstance(value, str) and value.lstrip().startswith("{"):  # -c 'github={...}'
            value = json.loads(value)
        if not isinstance(value, dict) or "repository" not in value:
            raise ValueError(
                'context "github" must be an object with "repository": "owner/name" (cdk.json)'
            )
        unknown = set(value) - {"repository", "oidcProviderArn", "stages"}
        if unknown:
            raise ValueError(f"github: unknown setting(s) {sorted(unknown)}")
        stages = value.get("stages", STAGES)
        return cls(
            repository=str(value["repository"]),
            oidc_provider_arn=value.get("oidcProviderArn"),
            stages=tuple(stages) if isinstance(stages, list | tuple) else (str(stages),),
        )

    def subject(self, claim: str) -> str:
        """The exact ``sub`` of this repository's token for a claim such as ``pull_request``."""
        return f"repo:{self.repository}:{claim}"


def deploy_claim(stage: str) -> str:
    """What a deploy job of ``stage`` presents: dev deploys from main, the others from their
    protected GitHub environment (the tag workflow's jobs with ``environment: <stage>``)."""
    return MAIN_REF if stage == "dev" else f"environment:{stage}"


def role_name(stage: str, kind: str) -> str:
    return f"{PROJECT}-{stage}-github-{kind}"


class PipelineBootstrapStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, github: GitHubSettings, **kw: Any):
        super().__init__(
            scope,
            construct_id,
            description="GitHub Actions OIDC trust and deploy/diff roles (infra/bootstrap.py)",
            **kw,
        )
        if github.repository == PLACEHOLDER_REPOSITORY:
            Annotations.of(self).add_warning_v2(
                "loyalty:placeholder-repository",
                f"github.repository is the placeholder {PLACEHOLDER_REPOSITORY!r}: set the "
                "real 'owner/name' in cdk.json before deploying (docs/deploy.md, Pipeline)",
            )
        if github.oidc_provider_arn:
            provider_arn = github.oidc_provider_arn
        else:
            provider = iam.OidcProviderNative(
                self, "GitHubOidc", url=f"https://{OIDC_HOST}", client_ids=[AUDIENCE]
            )
            provider_arn = provider.oidc_provider_arn
        for stage in github.stages:
            self._role(
                stage, "deploy", provider_arn, github.subject(deploy_claim(stage)), CDK_ROLES
            )
            self._role(stage, "diff", provider_arn, github.subject("pull_request"), ("lookup",))

    def _role(
        self, stage: str, kind: str, provider_arn: str, subject: str, cdk_roles: Sequence[str]
    ) -> iam.Role:
        name = role_name(stage, kind)
        principal = iam.WebIdentityPrincipal(
            provider_arn,
            conditions={
                "StringEquals": {f"{OIDC_HOST}:aud": AUDIENCE, f"{OIDC_HOST}:sub": subject}
            },
        )
        role = iam.Role(
            self,
            f"{stage.capitalize()}{kind.capitalize()}Role",
            role_name=name,
            assumed_by=principal,
            description=f"GitHub Actions {kind} for {stage}: {subject}",
        )
        # The CLI assumes the bootstrap roles with session tags (their trust allows both).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole", "sts:TagSession"],
                resources=[
                    f"arn:{self.partition}:iam::{self.account}:role/"
                    f"cdk-{CDK_QUALIFIER}-{cdk_role}-role-{self.account}-{self.region}"
                    for cdk_role in cdk_roles
                ],
            )
        )
        CfnOutput(self, f"{stage.capitalize()}{kind.capitalize()}RoleArn", value=role.role_arn)
        return role


def create_bootstrap_app(
    context: dict[str, Any] | None = None, outdir: str | None = None
) -> tuple[App, PipelineBootstrapStack]:
    """The bootstrap app: cdk.json's context (feature flags, ``github``) with ``context`` on
    top; cdk-nag on unless context ``nag`` is false. Raises ValueError on a bad ``github``."""
    app = App(context={**cdk_json_context(), **(context or {})}, outdir=outdir)
    github = GitHubSettings.from_context(app.node.try_get_context("github"))
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    region = os.environ.get("CDK_DEFAULT_REGION")
    env = Environment(account=account, region=region) if account and region else None
    stack = PipelineBootstrapStack(app, STACK_NAME, github=github, env=env)
    if flag(app.node.try_get_context("nag"), default=True):
        nag.enable(app)
    return app, stack


def main() -> None:
    try:
        app, _ = create_bootstrap_app(outdir=os.environ.get("CDK_OUTDIR", OUTDIR))
    except ValueError as bad:
        sys.exit(f"[bootstrap] {bad}")
    app.synth()


if __name__ == "__main__":
    main()
