"""Environment variable names and the typed settings every function reads once."""

from __future__ import annotations

import os
from functools import cache

from msgspec import Struct

# Names shared with infra/ (the stack sets them) and local/ (the server sets them).
ENV_TABLE_NAME = "TABLE_NAME"
ENV_DYNAMODB_ENDPOINT = "DYNAMODB_ENDPOINT"  # local mode / tests only
ENV_EVENT_BUS_NAME = "EVENT_BUS_NAME"
ENV_STAGE = "STAGE"
ENV_REGION = "AWS_REGION"
# The stage's HMAC key of personal data (shared/pii.py): the secret's id (AWS) or the key itself
# (local mode and tests).
ENV_PII_SECRET_ID = "PII_SECRET_ID"
ENV_PII_HMAC_KEY = "PII_HMAC_KEY"
# The file store (shared/files.py): the stage's S3 bucket on AWS, a directory locally.
ENV_FILES_BUCKET = "FILES_BUCKET"
ENV_FILES_DIR = "FILES_DIR"


class Settings(Struct, frozen=True):
    """The process's configuration, from its environment."""

    table_name: str
    region: str
    dynamodb_endpoint: str | None
    event_bus_name: str
    stage: str


@cache
def settings() -> Settings:
    return Settings(
        table_name=os.environ.get(ENV_TABLE_NAME, "loyalty-points-local"),
        region=os.environ.get(ENV_REGION) or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint=os.environ.get(ENV_DYNAMODB_ENDPOINT) or None,
        event_bus_name=os.environ.get(ENV_EVENT_BUS_NAME, "default"),
        stage=os.environ.get(ENV_STAGE, "local"),
    )
