"""DynamoDB Local serialises racing transactions: no overselling, correct cancellation reasons.

This is the property the redemption hot path depends on (and the one moto's server breaks,
see TOOLING.md): conditional TransactWriteItems under 32 racing threads.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from local.dynamodb_local import DynamoDBLocal

pytestmark = pytest.mark.dynamodb_local

TABLE = "race-test"
STOCK = 20
ATTEMPTS = 200
THREADS = 32
MAX_CONFLICT_RETRIES = 50


@pytest.fixture(scope="module")
def client(ddb_local: DynamoDBLocal) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=ddb_local.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(max_pool_connections=THREADS, retries={"mode": "standard"}),
    )


@pytest.fixture(scope="module")
def table(client: Any) -> str:
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=TABLE)
    return TABLE


def test_endpoint_is_loopback(ddb_local: DynamoDBLocal, client: Any) -> None:
    assert ddb_local.endpoint == f"http://127.0.0.1:{ddb_local.port}"
    assert ddb_local.running()
    assert "TableNames" in client.list_tables()


def test_racing_transactions_never_oversell(client: Any, table: str) -> None:
    client.put_item(TableName=table, Item={"pk": {"S": "STOCK#widget"}, "stock": {"N": str(STOCK)}})
    start = threading.Barrier(THREADS)
    local = threading.local()

    def attempt(n: int) -> tuple[str, int]:
        """One purchase: returns (outcome, conflict retries)."""
        if not getattr(local, "waited", False):  # line all threads up for the first wave
            local.waited = True
            start.wait(timeout=60)
        for retry in range(MAX_CONFLICT_RETRIES + 1):
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": table,
                                "Key": {"pk": {"S": "STOCK#widget"}},
                                "UpdateExpression": "SET stock = stock - :one",
                                "ConditionExpression": "stock >= :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"pk": {"S": f"ORDER#{n:04d}"}, "qty": {"N": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
                return "ok", retry
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = [r.get("Code", "None") for r in exc.response["CancellationReasons"]]
                if "TransactionConflict" in codes:
                    time.sleep(0.005 * (retry + 1))
                    continue
                return "/".join(codes), retry
        return "conflict-retries-exhausted", MAX_CONFLICT_RETRIES

    began = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(attempt, range(ATTEMPTS)))
    elapsed = time.monotonic() - began

    outcomes = Counter(outcome for outcome, _ in results)
    retries = sum(retry for _, retry in results)
    print(
        f"\n{ATTEMPTS} transactions from {THREADS} threads in {elapsed:.2f}s "
        f"({ATTEMPTS / elapsed:.0f} tx/s); outcomes {dict(outcomes)}; conflict retries {retries}"
    )
    assert outcomes == {"ok": STOCK, "ConditionalCheckFailed/None": ATTEMPTS - STOCK}

    stock = client.get_item(TableName=table, Key={"pk": {"S": "STOCK#widget"}}, ConsistentRead=True)
    assert stock["Item"]["stock"] == {"N": "0"}

    orders = 0
    for page in client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(pk, :order)",
        ExpressionAttributeValues={":order": {"S": "ORDER#"}},
        ConsistentRead=True,
        Select="COUNT",
    ):
        orders += page["Count"]
    assert orders == STOCK
