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
    secret = secretsmanager.Secret(
        scope,
        "PiiKey",
        secret_name=config.name("pii-hmac-key"),
        description=f"HMAC key of members' phone/e-mail lookup rows ({config.stage})",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=KEY_LENGTH, exclude_punctuation=True, include_space=False
        ),
        removal_policy=config.removal_policy,
    )
    nag.acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "Not rotated automatically: every contact lookup row is keyed by an HMAC under this "
        "key, so a new key needs a re-keying of those rows (a planned migration, not a timer).",
    )
    return secret
