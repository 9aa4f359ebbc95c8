"""What a synthesized stage contains, counted from cdk.out (`make synth` prints it):

    python -m infra.summary [cdk.out] [stage]

The stage's template and its nested templates (the monitoring stack) are read as JSON, so
the figures are those CloudFormation receives: resources against its 500 per stack, alarms,
dashboards, on-failure destinations, the bus archive, per-route throttles, reserved
concurrency.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

RESOURCE_LIMIT = 500  # CloudFormation's resources per stack (a nested stack has its own)


def templates(outdir: Path, stage: str) -> dict[str, dict[str, Any]]:
    """The stage's template and its nested ones, by file name."""
    stack = f"LoyaltyPoints-{stage}"
    main = outdir / f"{stack}.template.json"
    if not main.is_file():
        raise FileNotFoundError(f"{main} is missing: run `make synth STAGE={stage}` first")
    nested = sorted(outdir.glob(f"LoyaltyPoints{stage}*.nested.template.json"))
    return {path.name: json.loads(path.read_text()) for path in (main, *nested)}


def counts(found: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The figures of one stage over all its templates."""
    resources = [r for template in found.values() for r in template["Resources"].values()]
    types = Counter(r["Type"] for r in resources)
    props = [(r["Type"], r.get("Properties", {})) for r in resources]
    route_settings = sum(
        len(p.get("RouteSettings") or {}) for t, p in props if t == "AWS::ApiGatewayV2::Stage"
    )
    return {
        "alarms": types["AWS::CloudWatch::Alarm"],
        "dashboards": types["AWS::CloudWatch::Dashboard"],
        "on-failure destinations": sum(
            1
            for t, p in props
            if t == "AWS::Lambda::EventInvokeConfig"
            and "OnFailure" in (p.get("DestinationConfig") or {})
        )
        + sum(
            1
            for t, p in props
            if t == "AWS::Lambda::EventSourceMapping"
            and "OnFailure" in (p.get("DestinationConfig") or {})
        ),
        "event archives": types["AWS::Events::Archive"],
        "routes": types["AWS::ApiGatewayV2::Route"],
        "per-route throttles": route_settings,
        "reserved concurrency": sum(
            1
            for t, p in props
            if t == "AWS::Lambda::Function" and "ReservedConcurrentExecutions" in p
        ),
        "functions": types["AWS::Lambda::Function"],
        "queues": types["AWS::SQS::Queue"],
    }


def report(outdir: Path, stage: str) -> str:
    found = templates(outdir, stage)
    lines = [f"LoyaltyPoints-{stage}:"]
    for name, template in found.items():
        size = len(template["Resources"])
        lines.append(f"  {name}: {size} resources of {RESOURCE_LIMIT}")
    lines += [f"  {label}: {value}" for label, value in counts(found).items()]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    outdir = Path(argv[0]) if argv else Path("cdk.out")
    stage = argv[1] if len(argv) > 1 else "dev"
    try:
        print(report(outdir, stage))
    except FileNotFoundError as missing:
        sys.exit(f"[summary] {missing}")


if __name__ == "__main__":
    main(sys.argv[1:])
