from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from shared import clock, cursor_key, files, pii, programme
from shared.dynamodb import connection
from shared.jobs import background
from shared.settings import (
    ENV_CURSOR_HMAC_KEY,
    ENV_DYNAMODB_ENDPOINT,
    ENV_PII_HMAC_KEY,
    ENV_TABLE_NAME,
)
from shared.tables import TABLES, create_table_kwargs, local_name
from tests.support import Api

TEST_TABLE = "points-test"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name, value in {
        # Imports' and exports' jobs run inside the request (shared/jobs/background.py), their
        # files in this test's own directory (shared/files.py).
        background.ENV_MODE: "inline",
        files.ENV_FILES_DIR: str(tmp_path / "files"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        ENV_TABLE_NAME: TEST_TABLE,
        "POWERTOOLS_SERVICE_NAME": "loyalty-tests",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        # Business metrics on, as in AWS: handlers print their EMF lines (captured by pytest;
        # tests/unit/test_metrics*.py read them).
        "POWERTOOLS_METRICS_NAMESPACE": "LoyaltyPoints/tests",
        ENV_PII_HMAC_KEY: "tests-only-pii-hmac-key-0123456789abcdef",
        ENV_CURSOR_HMAC_KEY: "tests-only-cursor-hmac-key-0123456789abcdef",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(ENV_DYNAMODB_ENDPOINT, raising=False)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.delenv(files.ENV_FILES_BUCKET, raising=False)
    monkeypatch.delenv(background.ENV_FUNCTION, raising=False)
    connection.reset()
    programme.invalidate()  # each test starts from its own table's programme rules
    pii.reset()
    cursor_key.reset()
    yield
    connection.reset()
    programme.invalidate()
    pii.reset()


@pytest.fixture
def moto_tables(aws_env: None) -> Iterator[None]:
    """Fresh tables in moto's in-process mock (fast, single-threaded tests)."""
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for table in TABLES:
            client.create_table(**create_table_kwargs(table, local_name(table, TEST_TABLE)))
        connection.reset()
        yield
        connection.reset()


@pytest.fixture
def api(moto_tables: None) -> Api:
    return Api()


@pytest.fixture
def dynamodb_calls(api: Api) -> Iterator[Counter]:
    """DynamoDB API calls made while the test runs, by operation name."""
    calls: Counter = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = connection.connection().client.meta.events
    events.register("after-call.dynamodb", count)
    yield calls
    events.unregister("after-call.dynamodb", count)


@pytest.fixture(scope="session")
def ddb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """AWS's DynamoDB Local, in memory, once per test session (concurrency tests)."""
    from local.dynamodb_local import DynamoDBLocal

    log_path = tmp_path_factory.mktemp("dynamodb-local") / "java.log"
    with DynamoDBLocal.start(in_memory=True, log_path=log_path) as server:
        yield server


@pytest.fixture
def local_api(ddb_local: Any, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The real handlers against DynamoDB Local, on a fresh table of their own (deleted
    afterwards: the session's one DynamoDB Local keeps every table in one in-memory SQLite
    database, and a suite's worth of them slowed every later request several times over)."""
    from local.tables import drop_tables, ensure_tables

    name = f"points-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv(ENV_TABLE_NAME, name)
    monkeypatch.setenv(ENV_DYNAMODB_ENDPOINT, ddb_local.endpoint)
    ensure_tables(ddb_local.endpoint, name)
    connection.reset()
    yield Api()
    drop_tables(ddb_local.endpoint, name)


@pytest.fixture
def bus(local_api: Api) -> Any:
    """The local event bus over the local_api table's stream (what EventBridge would get)."""
    from local.bus import LocalBus, StreamTail
    from shared import clock, reports
    from shared.settings import settings

    cfg = settings()
    return LocalBus(
        StreamTail(cfg.dynamodb_endpoint, cfg.table_name),
        subscribers=[lambda found: reports.aggregate(found, clock.now())],
    )


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """Pin the shared clock to 2027-01-10 10:00 Asia/Shanghai; tests may move it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clock.pin(datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    yield
    clock.release()
