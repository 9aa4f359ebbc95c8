"""The pipeline's bootstrap stack (infra/bootstrap.py): only this repository's workflows, from
main (dev) or from the stage's GitHub environment (staging, prod), or a pull request (diff,
read-only), can assume the roles; the roles can only assume the CDK bootstrap roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.bootstrap import (
    AUDIENCE,
    OIDC_HOST,
    PLACEHOLDER_REPOSITORY,
    STACK_NAME,
    STAGES,
    GitHubSettings,
    create_bootstrap_app,
)
from infra.config import cdk_json_context

from .conftest import BOOTSTRAP_REPOSITORY, BootstrapSynth

pytestmark = pytest.mark.infra
ROOT = Path(__file__).resolve().parents[2]
EXPECTED_SUBJECTS = {
    "loyalty-points-dev-github-deploy": f"repo:{BOOTSTRAP_REPOSITORY}:ref:refs/heads/main",
    "loyalty-points-staging-github-deploy": f"repo:{BOOTSTRAP_REPOSITORY}:environment:staging",
    "loyalty-points-prod-github-deploy": f"repo:{BOOTSTRAP_REPOSITORY}:environment:prod",
    **{
        f"loyalty-points-{stage}-github-diff": f"repo:{BOOTSTRAP_REPOSITORY}:pull_request"
        for stage in STAGES
    },
}
CDK_ROLE = "cdk-hnb659fds-{}-role-"


def _roles(raw: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """role name -> (logical id, properties)."""
    return {
        res["Properties"]["RoleName"]: (logical_id, res["Properties"])
        for logical_id, res in raw["Resources"].items()
        if res["Type"] == "AWS::IAM::Role"
    }


def _statements_of(raw: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for res in raw["Resources"].values()
        if res["Type"] == "AWS::IAM::Policy" and {"Ref": logical_id} in res["Properties"]["Roles"]
        for statement in res["Properties"]["PolicyDocument"]["Statement"]
    ]


def _arn_text(value: Any) -> str:
    """An ARN built with Fn::Join, with the pseudo parameters written as ${...}."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "${" + p["Ref"] + "}" for p in parts)


def test_the_github_oidc_provider_issues_tokens_for_sts_only(
    bootstrap_synth: BootstrapSynth,
) -> None:
    bootstrap_synth.template.resource_count_is("AWS::IAM::OIDCProvider", 1)
    bootstrap_synth.template.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {"Url": f"https://{OIDC_HOST}", "ClientIdList": [AUDIENCE]},
    )


def test_each_role_trusts_exactly_this_repository_and_its_branch_or_environment(
    bootstrap_synth: BootstrapSynth,
) -> None:
    raw = bootstrap_synth.raw()
    provider_id = next(
        logical_id
        for logical_id, res in raw["Resources"].items()
        if res["Type"] == "AWS::IAM::OIDCProvider"
    )
    roles = _roles(raw)
    assert set(roles) == set(EXPECTED_SUBJECTS)
    for name, (_, props) in roles.items():
        (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"] == {"Federated": {"Ref": provider_id}}
        # Exact match on both claims: no StringLike, so no wildcard can widen the subject.
        assert statement["Condition"] == {
            "StringEquals": {
                f"{OIDC_HOST}:aud": AUDIENCE,
                f"{OIDC_HOST}:sub": EXPECTED_SUBJECTS[name],
            }
        }, name
        assert "*" not in json.dumps(statement), name
        assert "ManagedPolicyArns" not in props, name


def test_deploy_roles_may_only_assume_the_cdk_bootstrap_roles(
    bootstrap_synth: BootstrapSynth,
) -> None:
    raw = bootstrap_synth.raw()
    for stage in STAGES:
        logical_id, _ = _roles(raw)[f"loyalty-points-{stage}-github-deploy"]
        (statement,) = _statements_of(raw, logical_id)
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        assert sorted(_arn_text(arn) for arn in statement["Resource"]) == sorted(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
            + CDK_ROLE.format(kind)
            + "${AWS::AccountId}-${AWS::Region}"
            for kind in ("deploy", "file-publishing", "image-publishing", "lookup")
        )


def test_diff_roles_may_only_assume_the_read_only_lookup_role(
    bootstrap_synth: BootstrapSynth,
) -> None:
    raw = bootstrap_synth.raw()
    for stage in STAGES:
        logical_id, _ = _roles(raw)[f"loyalty-points-{stage}-github-diff"]
        (statement,) = _statements_of(raw, logical_id)
        assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        # One resource is written as the object itself, not a list of one.
        assert _arn_text(statement["Resource"]) == (
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
            "cdk-hnb659fds-lookup-role-${AWS::AccountId}-${AWS::Region}"
        )


def test_an_existing_provider_is_imported_by_arn_instead_of_created(tmp_path: Path) -> None:
    arn = f"arn:aws:iam::123456789012:oidc-provider/{OIDC_HOST}"
    app, _ = create_bootstrap_app(
        context={
            "nag": False,
            "github": {"repository": "acme/shop", "oidcProviderArn": arn, "stages": ["prod"]},
        },
        outdir=str(tmp_path),
    )
    raw = app.synth().get_stack_by_name(STACK_NAME).template
    assert not [r for r in raw["Resources"].values() if r["Type"] == "AWS::IAM::OIDCProvider"]
    roles = _roles(raw)
    assert set(roles) == {"loyalty-points-prod-github-deploy", "loyalty-points-prod-github-diff"}
    for _, props in roles.values():
        (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Federated": arn}


@pytest.mark.parametrize(
    "repository",
    ["acme", "acme/*", "*/*", "acme/shop/extra", "", "acme /shop", "-acme/shop", "acme/..", "a/b*"],
)
def test_a_malformed_repository_is_refused(repository: str) -> None:
    with pytest.raises(ValueError, match=r"github\.repository"):
        GitHubSettings.from_context({"repository": repository})


def test_other_malformed_settings_are_refused() -> None:
    with pytest.raises(ValueError, match='context "github"'):
        GitHubSettings.from_context(None)
    with pytest.raises(ValueError, match="unknown setting"):
        GitHubSettings.from_context({"repository": "acme/shop", "branch": "main"})
    with pytest.raises(ValueError, match="oidcProviderArn"):
        GitHubSettings.from_context(
            {"repository": "acme/shop", "oidcProviderArn": "arn:aws:iam::1:oidc-provider/x"}
        )
    with pytest.raises(ValueError, match=r"github\.stages"):
        GitHubSettings.from_context({"repository": "acme/shop", "stages": ["qa"]})


def test_the_entry_point_stops_with_a_clear_error_on_a_malformed_repository(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps({"github": {"repository": "acme/*"}}),
    }
    run = subprocess.run(
        [sys.executable, "-m", "infra.bootstrap"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "[bootstrap] github.repository 'acme/*' is not 'owner/name'" in run.stderr
    assert not (tmp_path / f"{STACK_NAME}.template.json").exists()


def test_cdk_json_names_a_well_formed_repository() -> None:
    settings = GitHubSettings.from_context(cdk_json_context().get("github"))
    assert settings.stages == STAGES
    # The placeholder synthesizes (with a warning) until the real repository is set.
    assert settings.repository == PLACEHOLDER_REPOSITORY or "example" not in settings.repository


def test_the_bootstrap_stack_synthesizes_with_cdk_nag_in_reasonable_time(
    bootstrap_synth: BootstrapSynth,
) -> None:
    # cdk-nag ran (nag=True in the fixture) and found nothing unacknowledged, or synth failed.
    assert bootstrap_synth.path.is_file()
    assert bootstrap_synth.seconds < 120
