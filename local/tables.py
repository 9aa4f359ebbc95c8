"""Create the tables (from shared/tables.py, the same definition the stack uses)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import boto3

from shared.tables import TABLES, create_table_kwargs, local_name


def ensure_tables(endpoint: str | None, table_name: str, region: str = "us-east-1") -> None:
    """Create the tables missing (a table kept from an earlier version gets what was added
    since: its new indexes, or a whole new table)."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    existing = set(client.list_tables().get("TableNames", []))
    for table in TABLES:
        name = local_name(table, table_name)
        if name not in existing:
            client.create_table(**create_table_kwargs(table, name))
            client.get_waiter("table_exists").wait(TableName=name)
        else:
            _add_missing_indexes(client, create_table_kwargs(table, name))


def drop_tables(endpoint: str | None, table_name: str, region: str = "us-east-1") -> None:
    """Delete every table of ``table_name``'s set that exists (tests' fresh tables)."""
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    for table in TABLES:
        with contextlib.suppress(client.exceptions.ResourceNotFoundException):
            client.delete_table(TableName=local_name(table, table_name))


def _add_missing_indexes(client: Any, wanted: dict[str, Any]) -> None:
    """A table kept from an earlier version (``.local/ddb``) gets the GSIs added since."""
    name = wanted["TableName"]
    have = {
        i["IndexName"]
        for i in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in wanted.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        keys = {k["AttributeName"] for k in index["KeySchema"]}
        client.update_table(
            TableName=name,
            AttributeDefinitions=[
                a for a in wanted["AttributeDefinitions"] if a["AttributeName"] in keys
            ],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        for _ in range(600):  # one index at a time; DynamoDB Local builds it quickly
            described = client.describe_table(TableName=name)["Table"]
            statuses = [i.get("IndexStatus") for i in described.get("GlobalSecondaryIndexes", [])]
            if all(s in (None, "ACTIVE") for s in statuses):
                break
            time.sleep(0.1)
