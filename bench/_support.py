"""Shared set-up for the benchmark scripts: DynamoDB Local, tables, and an in-process API."""

from __future__ import annotations

import json
import os
import sys
import time
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


class OpTimer:
    """Count and time every DynamoDB call of the shared client (to explain the figures)."""

    def __init__(self, client) -> None:
        self.started: dict[int, float] = {}
        self.totals: dict[str, list[float]] = {}
        client.meta.events.register("before-call.dynamodb", self.before)
        client.meta.events.register("after-call.dynamodb", self.after)

    def before(self, model, context, **_) -> None:
        context["bench_t0"] = time.perf_counter()

    def after(self, model, context, **_) -> None:
        spent = time.perf_counter() - context.get("bench_t0", time.perf_counter())
        self.totals.setdefault(model.name, []).append(spent)

    def summary(self) -> str:
        return "; ".join(
            f"{name} ×{len(t)} avg {1000 * sum(t) / len(t):.1f} ms"
            for name, t in sorted(self.totals.items())
        )
