"""Shared set-up for the benchmark scripts: DynamoDB Local, tables, and an in-process API."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


@contextmanager
def local_stack(table: str = "loyalty-points-bench") -> Iterator[Any]:
    """DynamoDB Local in memory, tables created, handlers configured; yields a Gateway."""
    from local.dynamodb_local import DynamoDBLocal
    from local.gateway import Gateway
    from local.server import configure_environment
    from local.tables import ensure_tables
    from local.tokens import TokenSigner

    with DynamoDBLocal.start(in_memory=True) as ddb:
        configure_environment(ddb.endpoint, table)
        ensure_tables(ddb.endpoint, table)
        yield Gateway(TokenSigner("bench-secret-0123456789-0123456789"))


def call(
    gateway: Any,
    token: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    reply = gateway.handle(
        method,
        path,
        {"authorization": f"Bearer {token}", **(headers or {})},
        json.dumps(body).encode() if body is not None else b"",
    )
    return reply.status, json.loads(reply.body) if reply.body else None
