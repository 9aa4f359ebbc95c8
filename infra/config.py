"""Per-stage settings, read once from CDK context (``-c stage=prod``) into a typed object."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "loyalty-points"  # prefix of physical names: loyalty-points-<stage>-<thing>
STACK_PREFIX = "LoyaltyPoints"  # stack name: LoyaltyPoints-<stage>
METRICS_NAMESPACE = "LoyaltyPoints"
PROD = "prod"
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class StageConfig:
    stage: str
    log_level: str = "INFO"
    throttle_rate: float = 50  # steady requests per second, whole stage
    throttle_burst: int = 100

    @property
    def is_prod(self) -> bool:
        return self.stage == PROD

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Stateful resources survive a stack deletion in prod only."""
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.THREE_MONTHS if self.is_prod else logs.RetentionDays.TWO_WEEKS

    @property
    def stack_name(self) -> str:
        return f"{STACK_PREFIX}-{self.stage}"

    def log_group(self, scope: Construct, construct_id: str, **props: Any) -> logs.LogGroup:
        """A log group kept for this stage's retention, deleted with the stack outside prod."""
        return logs.LogGroup(
            scope,
            construct_id,
            retention=self.log_retention,
            removal_policy=self.removal_policy,
            **props,
        )

    def name(self, suffix: str) -> str:
        """Physical name of a resource of this stage, e.g. ``loyalty-points-dev-earn``."""
        return f"{PROJECT}-{self.stage}-{suffix}"


_STAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    PROD: {"throttle_rate": 500, "throttle_burst": 1000},
}


def stage_config(context: dict[str, Any] | None = None) -> StageConfig:
    """The stage from context ``stage`` (else env ``STAGE``, else ``dev``) and its defaults."""
    context = context or {}
    stage = str(context.get("stage") or os.environ.get("STAGE") or "dev")
    return StageConfig(stage=stage, **_STAGE_DEFAULTS.get(stage, {}))


def flag(value: object, default: bool) -> bool:
    """A boolean context value; the CLI passes ``-c nag=false`` as the string ``"false"``."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in _FALSE


def cdk_json_context() -> dict[str, Any]:
    """The ``context`` of cdk.json (feature flags), so ``python infra/app.py`` and the tests
    synthesize with the same flags as the CDK CLI."""
    path = ROOT / "cdk.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text()).get("context", {}))
