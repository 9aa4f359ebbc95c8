"""Create the tables (from shared/tables.py, the same definition the stack uses)."""

from __future__ import annotations

import boto3

from shared.tables import TABLES, create_table_kwargs


def ensure_tables(endpoint: str | None, table_name: str, region: str = "us-east-1") -> None:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    existing = set(client.list_tables().get("TableNames", []))
    for table in TABLES:
        if table_name not in existing:
            client.create_table(**create_table_kwargs(table, table_name))
            client.get_waiter("table_exists").wait(TableName=table_name)
