"""Per-stage settings, read once from CDK context (``-c stage=prod``) into a typed object."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.traffic import PROD as PROD_TRAFFIC
from infra.traffic import SMALL, Traffic

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "loyalty-points"  # prefix of physical names: loyalty-points-<stage>-<thing>
STACK_PREFIX = "LoyaltyPoints"  # stack name: LoyaltyPoints-<stage>
METRICS_NAMESPACE = "LoyaltyPoints"  # + "/<stage>": one namespace per stage (same account ok)
PROD = "prod"
_FALSE = {"0", "false", "no", "off"}
# A plain e-mail address (SES's ses:FromAddress condition compares the address alone, so no
# display name) and a domain name.
_ADDRESS = re.compile(r"[^@\s<>\"]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True, slots=True)
class Notifications:
    """The member channels a stage sends on besides the in-app inbox (always on).

    ``sms``: SMS through SNS (direct publish to the member's phone). ``email_from``: the
    address e-mail is sent from (SES v2); ``email_identity``: the verified SES identity it
    belongs to (the address itself or its domain; default: the address's domain). A stage
    without them sends in-app only, and its functions get no SNS or SES grant at all."""

    sms: bool = False
    email_from: str | None = None
    email_identity: str | None = None

    def __post_init__(self) -> None:
        if self.email_from is None:
            if self.email_identity is not None:
                raise ValueError("notifications: email_identity without email_from")
            return
        address = _ADDRESS.fullmatch(self.email_from)
        if address is None:
            raise ValueError(
                f"notifications: email_from {self.email_from!r} is not a plain e-mail address"
            )
        identity = self.email_identity
        if identity is None:
            object.__setattr__(self, "email_identity", address.group(1).lower())
        elif not (
            identity.lower() == self.email_from.lower()
            or (
                _DOMAIN.fullmatch(identity)
                and f".{address.group(1).lower()}".endswith(f".{identity.lower()}")
            )
        ):
            raise ValueError(
                f"notifications: {self.email_from!r} does not belong to the SES identity "
                f"{identity!r} (the address itself, its domain or a parent domain)"
            )

    @property
    def email(self) -> bool:
        return self.email_from is not None

    @classmethod
    def from_context(cls, value: object) -> Notifications:
        """One stage's settings: ``{"sms": true, "email_from": "...", "email_identity": "..."}``
        (keys optional; ``sms`` also as a string, as ``-c`` passes it)."""
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ValueError(f"notifications: expected an object, got {value!r}")
        unknown = set(value) - {"sms", "email_from", "email_identity"}
        if unknown:
            raise ValueError(f"notifications: unknown setting(s) {sorted(unknown)}")
        return cls(
            sms=flag(value.get("sms"), default=False),
            email_from=value.get("email_from") or None,
            email_identity=value.get("email_identity") or None,
        )


@dataclass(frozen=True, slots=True)
class StageConfig:
    stage: str
    log_level: str = "INFO"
    # API throttles per route and reserved concurrency (infra/traffic.py): small outside prod
    traffic: Traffic = SMALL
    notifications: Notifications = Notifications()  # in-app only unless configured

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

    @property
    def metrics_namespace(self) -> str:
        """Where this stage's functions put their business metrics (Powertools Metrics, EMF):
        ``LoyaltyPoints/<stage>``, so two stages in one account never mix their figures."""
        return f"{METRICS_NAMESPACE}/{self.stage}"

    def name(self, suffix: str) -> str:
        """Physical name of a resource of this stage, e.g. ``loyalty-points-dev-earn``."""
        return f"{PROJECT}-{self.stage}-{suffix}"

    @property
    def alarms(self) -> AlarmThresholds:
        """What this stage's alarms call trouble (infra/constructs/monitoring.py)."""
        return _ALARM_THRESHOLDS.get(self.stage, AlarmThresholds())


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    """The alarms' thresholds of one stage (infra/constructs/monitoring.py, docs/operations.md).
    The API's rate and p99 are judged only over 5 minutes with ``api_min_requests`` requests
    or more: a handful of requests makes one error a 20 % rate and one cold start the p99."""

    api_5xx_percent: float = 1.0  # of the requests in 5 minutes
    api_min_requests: int = 20  # in 5 minutes, for the 5xx rate and the p99 to count
    api_p99_latency_ms: int = 3000  # dev: little traffic, so cold starts weigh in the p99
    iterator_age_s: int = 900  # stream consumers: age of the last record read
    queue_age_s: int = 1800  # work queues: oldest message (beyond a hold the queue intends)


_ALARM_THRESHOLDS: dict[str, AlarmThresholds] = {
    PROD: AlarmThresholds(
        api_min_requests=50, api_p99_latency_ms=1500, iterator_age_s=300, queue_age_s=900
    ),
}


_STAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    PROD: {"traffic": PROD_TRAFFIC},
}


def stage_config(context: dict[str, Any] | None = None) -> StageConfig:
    """The stage from context ``stage`` (else env ``STAGE``, else ``dev``) and its defaults;
    its member channels from context ``notifications``: an object of stage -> settings
    (``Notifications.from_context``), or that object as a JSON string (``-c`` on the CLI);
    its reserved concurrency, in place of the stage's default, from context
    ``reserved_concurrency`` alike: stage -> {function: executions} (``{}``: none)."""
    context = context or {}
    stage = str(context.get("stage") or os.environ.get("STAGE") or "dev")
    defaults = dict(_STAGE_DEFAULTS.get(stage, {}))
    reserved = _per_stage(context, "reserved_concurrency").get(stage)
    if reserved is not None:
        traffic = defaults.get("traffic", SMALL)
        defaults["traffic"] = replace(
            traffic, reserved_concurrency={str(k): int(v) for k, v in dict(reserved).items()}
        )
    return StageConfig(
        stage=stage,
        notifications=Notifications.from_context(_per_stage(context, "notifications").get(stage)),
        **defaults,
    )


def _per_stage(context: dict[str, Any], key: str) -> dict[str, Any]:
    """Context ``key``: an object of stage -> settings, or that object as a JSON string."""
    per_stage = context.get(key) or {}
    if isinstance(per_stage, str):
        per_stage = json.loads(per_stage)
    if not isinstance(per_stage, dict):
        raise ValueError(f"{key}: expected an object of stages, got {per_stage!r}")
    return per_stage


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
