"""Synthesize the CDK app ONCE per session: the dev and prod stacks in one app, with the
cdk-nag AwsSolutions pack on (synthesis fails on any unacknowledged finding)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STAGES = ("dev", "prod")


@dataclass(frozen=True)
class Synth:
    app: Any  # aws_cdk.App (imported lazily: jsii starts a node process)
    outdir: Path
    templates: dict[str, Any]  # stage -> aws_cdk.assertions.Template

    def template(self, stage: str = "dev") -> Any:
        return self.templates[stage]

    def raw(self, stage: str = "dev") -> dict[str, Any]:
        return json.loads((self.outdir / f"LoyaltyPoints-{stage}.template.json").read_text())


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    from aws_cdk.assertions import Template

    from infra.stack import create_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app = create_app(context={"nag": True}, outdir=str(outdir), stages=STAGES)
    assembly = app.synth()
    templates = {
        stage: Template.from_json(assembly.get_stack_by_name(f"LoyaltyPoints-{stage}").template)
        for stage in STAGES
    }
    yield Synth(app=app, outdir=outdir, templates=templates)
