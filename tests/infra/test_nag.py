from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.infra


def test_synthesis_with_cdk_nag_leaves_no_unacknowledged_finding(synth) -> None:
    # The session fixture synthesized with the AwsSolutions pack on: an unacknowledged
    # error would have failed app.synth(). Warnings do not fail it, so check the report too.
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_aws_solutions_pack_reports_no_violation_at_all(synth) -> None:
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks().validate_scope(synth.app)

    assert [
        (v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations
    ] == []
    assert report.success
