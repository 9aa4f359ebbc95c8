"""Synthesize the CDK app ONCE per session: the dev and prod stacks in one app, with the
cdk-nag AwsSolutions pack on (synthesis fails on any unacknowledged finding).

The site is synthesized from a small stand-in for web/dist (``WEB_DIST_FILES``, through the
``webDist`` context), so these tests neither need nor wait for a vite build and know exactly
which files the deployment must carry. `make synth` uses the real web/dist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STAGES = ("dev", "prod")
# Member channels: prod sends SMS and e-mail, dev in-app only (infra/config.py Notifications).
NOTIFICATIONS = {
    "prod": {
        "sms": True,
        "email_from": "no-reply@mail.example.com",
        "email_identity": "mail.example.com",
    }
}
# A vite build in miniature: the two pages, a hashed bundle, a public file, vite's manifest.
WEB_DIST_FILES = {
    "index.html": '<script type="module" src="/assets/member-Ab12Cd34.js"></script>',
    "console/index.html": '<script type="module" src="/assets/console-Ef56Gh78.js"></script>',
    "assets/member-Ab12Cd34.js": "export {}",
    "assets/console-Ef56Gh78.js": "export {}",
    "favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    ".vite/manifest.json": "{}",
}


@dataclass(frozen=True)
class Synth:
    app: Any  # aws_cdk.App (imported lazily: jsii starts a node process)
    outdir: Path
    web_dist: Path
    templates: dict[str, Any]  # stage -> aws_cdk.assertions.Template

    def template(self, stage: str = "dev") -> Any:
        return self.templates[stage]

    def raw(self, stage: str = "dev") -> dict[str, Any]:
        return json.loads((self.outdir / f"LoyaltyPoints-{stage}.template.json").read_text())


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    from aws_cdk.assertions import Template

    from infra.stack import create_app

    web_dist = tmp_path_factory.mktemp("web-dist")
    for name, text in WEB_DIST_FILES.items():
        (web_dist / name).parent.mkdir(parents=True, exist_ok=True)
        (web_dist / name).write_text(text)
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = create_app(
        context={"nag": True, "webDist": str(web_dist), "notifications": NOTIFICATIONS},
        outdir=str(outdir),
        stages=STAGES,
    )
    assembly = app.synth()
    templates = {
        stage: Template.from_json(assembly.get_stack_by_name(f"LoyaltyPoints-{stage}").template)
        for stage in STAGES
    }
    yield Synth(app=app, outdir=outdir, web_dist=web_dist, templates=templates)


# The pipeline's bootstrap stack (infra/bootstrap.py), synthesized once with cdk-nag on for a
# repository that is not cdk.json's placeholder.
BOOTSTRAP_REPOSITORY = "acme-shop/loyalty-points"


@dataclass(frozen=True)
class BootstrapSynth:
    template: Any  # aws_cdk.assertions.Template
    path: Path  # the template file (for cfn-lint)
    seconds: float  # wall time of create + synth

    def raw(self) -> dict[str, Any]:
        return json.loads(self.path.read_text())


@pytest.fixture(scope="session")
def bootstrap_synth(tmp_path_factory: pytest.TempPathFactory) -> BootstrapSynth:
    import time

    from aws_cdk.assertions import Template

    from infra.bootstrap import STACK_NAME, create_bootstrap_app

    outdir = tmp_path_factory.mktemp("bootstrap.out")
    started = time.perf_counter()
    app, _ = create_bootstrap_app(
        context={"nag": True, "github": {"repository": BOOTSTRAP_REPOSITORY}}, outdir=str(outdir)
    )
    assembly = app.synth()
    seconds = time.perf_counter() - started
    stack = assembly.get_stack_by_name(STACK_NAME)
    return BootstrapSynth(
        template=Template.from_json(stack.template),
        path=outdir / f"{STACK_NAME}.template.json",
        seconds=seconds,
    )
