"""cfn-lint on what we deploy: the dev and prod stacks (the session synth) and the pipeline's
bootstrap stack. Errors fail; warnings are allowed and shown in pytest's summary."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from cfnlint.api import lint_file

from .conftest import BootstrapSynth, Synth

pytestmark = pytest.mark.infra


def _lint(template: Path) -> list[str]:
    """cfn-lint's errors as 'RULE path: message' (its default region, us-east-1: the stacks
    are region-agnostic); warnings go to pytest's warnings summary."""
    matches = lint_file(template)
    errors = [m for m in matches if m.rule.id.startswith("E")]
    warned = Counter(m.rule.id for m in matches if m.rule.id.startswith("W"))
    if warned:
        warnings.warn(f"cfn-lint {template.name}: {dict(warned)}", stacklevel=2)
    return [f"{m.rule.id} {m.path_string}: {m.message}" for m in errors]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_stage_template_has_no_cfn_lint_errors(synth: Synth, stage: str) -> None:
    errors = _lint(synth.outdir / f"LoyaltyPoints-{stage}.template.json")
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_nested_templates_have_no_cfn_lint_errors(synth: Synth, stage: str) -> None:
    """The monitoring stack (alarms, dashboard, topic) is deployed as a nested stack."""
    nested = sorted(synth.outdir.glob(f"LoyaltyPoints{stage}*.nested.template.json"))
    assert nested
    errors = [error for template in nested for error in _lint(template)]
    assert errors == [], "\n".join(errors)


def test_the_bootstrap_template_has_no_cfn_lint_findings(bootstrap_synth: BootstrapSynth) -> None:
    matches = lint_file(bootstrap_synth.path)
    assert [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches] == []


def test_cfn_lint_does_report_an_error(tmp_path: Path) -> None:
    """The check is live: a queue with a property SQS does not have is an error."""
    bad = tmp_path / "bad.template.json"
    bad.write_text(
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Colour": "red"}}}}'
    )
    assert any(error.startswith("E3002 ") for error in _lint(bad))
