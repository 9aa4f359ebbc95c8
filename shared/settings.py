"""Environment variable names and the typed settings every function reads once.

Outside Lambda (local mode, tests, scripts) a missing variable takes its local default. In
Lambda (``AWS_LAMBDA_FUNCTION_NAME`` is set) the stack sets every one of ``REQUIRED_IN_LAMBDA``
on every function, so a missing one is a deployment error: importing this module raises
:class:`SettingsMissing` naming them, and the function fails its cold start (an init error
in its log) instead of talking to a default table or bus.
"""

from __future__ import annotations

import os
from functools import cache

from msgspec import Struct

from shared.tables import COUNTED_TABLE, local_name

# Names shared with infra/ (the stack sets them) and local/ (the server sets them).
ENV_TABLE_NAME = "TABLE_NAME"
# The counted-events table (shared/tables.py COUNTED_TABLE): set by the stack on the functions
# granted it (the reports consumer); elsewhere ``<TABLE_NAME>-counted``.
ENV_COUNTED_TABLE_NAME = "COUNTED_TABLE_NAME"
ENV_DYNAMODB_ENDPOINT = "DYNAMODB_ENDPOINT"  # local mode / tests only
ENV_EVENT_BUS_NAME = "EVENT_BUS_NAME"
ENV_STAGE = "STAGE"
ENV_REGION = "AWS_REGION"
# The stage's HMAC key of personal data (shared/pii.py): the secret's id (AWS) or the key itself
# (local mode and tests).
ENV_PII_SECRET_ID = "PII_SECRET_ID"
ENV_PII_HMAC_KEY = "PII_HMAC_KEY"
# The stage's key signing pagination cursors (shared/cursor_key.py): the secret's id (AWS,
# functions serving a paged list only) or the key itself (local mode and tests).
ENV_CURSOR_SECRET_ID = "CURSOR_SECRET_ID"
ENV_CURSOR_HMAC_KEY = "CURSOR_HMAC_KEY"
# The file store (shared/files.py): the stage's S3 bucket on AWS, a directory locally.
ENV_FILES_BUCKET = "FILES_BUCKET"
ENV_FILES_DIR = "FILES_DIR"
# Set by the Lambda runtime in every execution environment (and nowhere else we run).
ENV_LAMBDA_FUNCTION = "AWS_LAMBDA_FUNCTION_NAME"
REQUIRED_IN_LAMBDA = (ENV_TABLE_NAME, ENV_EVENT_BUS_NAME, ENV_STAGE, ENV_REGION)


class SettingsMissing(RuntimeError):
    """A variable the stack sets on every function is missing in Lambda (deployment error)."""


class Settings(Struct, frozen=True):
    """The process's configuration, from its environment."""

    table_name: str
    counted_table_name: str
    region: str
    dynamodb_endpoint: str | None
    event_bus_name: str
    stage: str


def in_lambda() -> bool:
    return bool(os.environ.get(ENV_LAMBDA_FUNCTION))


def check() -> None:
    """In Lambda, raise :class:`SettingsMissing` naming every required variable not set."""
    if not in_lambda():
        return
    missing = [name for name in REQUIRED_IN_LAMBDA if not os.environ.get(name)]
    if missing:
        raise SettingsMissing(
            f"{', '.join(missing)} not set in Lambda function "
            f"{os.environ.get(ENV_LAMBDA_FUNCTION)}: the stack sets them on every function "
            "(infra/constructs/function.py); no local default is used in AWS"
        )


@cache
def settings() -> Settings:
    check()
    table_name = os.environ.get(ENV_TABLE_NAME, "loyalty-points-local")
    return Settings(
        table_name=table_name,
        # In Lambda no default: only the functions granted the table get its name.
        counted_table_name=os.environ.get(ENV_COUNTED_TABLE_NAME)
        or ("" if in_lambda() else local_name(COUNTED_TABLE, table_name)),
        region=os.environ.get(ENV_REGION) or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=os.environ.get(ENV_DYNAMODB_ENDPOINT) or None,
        event_bus_name=os.environ.get(ENV_EVENT_BUS_NAME, "default"),
        stage=os.environ.get(ENV_STAGE, "local"),
    )


check()  # at import: a Lambda function without its settings fails its cold start
