"""cdk-nag 3 (AwsSolutions) wiring and the one helper every acknowledgement goes through."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def enable(app: App) -> None:
    """Run the AwsSolutions pack as a CDK policy-validation plugin during synthesis: any
    finding that is not acknowledged fails ``app.synth()``."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one finding (``AwsSolutions-IAM5[Resource::*]``) on ``scope``, with the
    reason it is acceptable. Keep the call next to the construct it is about."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
