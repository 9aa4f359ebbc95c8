"""The stage's HMAC key of personal data (shared/pii.py): a generated Secrets Manager secret.

Phone numbers and e-mail addresses are looked up through ``CONTACT#<HMAC-SHA256>`` rows, so
the table alone cannot be searched for a known number; the key never leaves Secrets Manager
except into the functions granted ``secretsmanager:GetSecretValue`` on it (``pii_key`` in
infra/permissions.py), which read it once per cold start.
"""

from __future__ import annotations

from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra import nag
from infra.config import StageConfig

KEY_LENGTH = 64  # characters of [A-Za-z0-9]: ~380 bits, beyond HMAC-SHA256's 256


def pii_key(scope: Construct, config: StageConfig) -> secretsmanager.Secret:
    return hmac_key(
        scope,
        "PiiKey",
        config,
        name="pii-hmac-key",
        description="HMAC key of members' phone/e-mail lookup rows",
        not_rotated="every contact lookup row is keyed by an HMAC under this key, so a new key "
        "needs a re-keying of those rows (a planned migration, not a timer).",
    )


def hmac_key(
    scope: Construct,
    construct_id: str,
    config: StageConfig,
    *,
    name: str,
    description: str,
    not_rotated: str,
) -> secretsmanager.Secret:
    """A stage's generated HMAC key (``<project>-<stage>-<name>``), never in the template,
    not rotated on a timer (cdk-nag SMG4 acknowledged with ``not_rotated``: why)."""
    secret = secretsmanager.Secret(
        scope,
        construct_id,
        secret_name=config.name(name),
        description=f"{description} ({config.stage})",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=KEY_LENGTH, exclude_punctuation=True, include_space=False
        ),
        removal_policy=config.removal_policy,
    )
    nag.acknowledge(secret, "AwsSolutions-SMG4", f"Not rotated automatically: {not_rotated}")
    return secret
