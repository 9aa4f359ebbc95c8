from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from shared import clock
from shared.dynamodb import connection
from shared.settings import ENV_DYNAMODB_ENDPOINT, ENV_TABLE_NAME
from shared.tables import TABLES, create_table_kwargs
from tests.support import Api

TEST_TABLE = "points-test"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        ENV_TABLE_NAME: TEST_TABLE,
        "POWERTOOLS_SERVICE_NAME": "loyalty-tests",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(ENV_DYNAMODB_ENDPOINT, raising=False)
    connection.reset()
    yield
    connection.reset()


@pytest.fixture
def moto_tables(aws_env: None) -> Iterator[None]:
    """Fresh tables in moto's in-process mock (fast, single-threaded tests)."""
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for table in TABLES:
            client.create_table(**create_table_kwargs(table, TEST_TABLE))
        connection.reset()
        yield
        connection.reset()


@pytest.fixture
def api(moto_tables: None) -> Api:
    return Api()


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """Pin the shared clock to 2027-01-10 10:00 Asia/Shanghai; tests may move it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    yield
    clock.release()
