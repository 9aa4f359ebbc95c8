"""`make synth` prints what a stage contains (infra/summary.py), read from the synthesized
templates: the figures must be the templates' own, nested monitoring stack included."""

from __future__ import annotations

import pytest

from infra.summary import counts, report, templates


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_summary_counts_the_stage_and_its_nested_stacks(synth, stage: str) -> None:
    found = templates(synth.outdir, stage)
    figures = counts(found)

    assert any(name.endswith(".nested.template.json") for name in found)
    assert figures["dashboards"] == 1
    assert figures["event archives"] == 1
    assert figures["alarms"] >= 2 * figures["functions"]  # errors and throttles each
    assert figures["per-route throttles"] == figures["routes"] > 0
    assert figures["on-failure destinations"] > 0
    assert figures["reserved concurrency"] == (3 if stage == "prod" else 0)
    assert "resources of 500" in report(synth.outdir, stage)


def test_a_stage_not_synthesized_is_named(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="make synth STAGE=qa"):
        templates(tmp_path, "qa")
