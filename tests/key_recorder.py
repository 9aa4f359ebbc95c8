"""Records the partition keys each function's handler sends to DynamoDB.

``dynamodb:LeadingKeys`` (infra/permissions.py ``PREFIXES``) is evaluated by DynamoDB on the
partition key values of a request: the table's ``pk`` of every item a GetItem, PutItem,
UpdateItem, DeleteItem, BatchGetItem, BatchWriteItem or transaction names, and for a Query
the partition key of what it queries (the index's own partition key on a global secondary
index). The recorder reads the same values from the low-level request botocore is about to
send (``before-parameter-build``), so a test can check that each function only reaches the
partitions its role is granted. A Scan names no partition: it is recorded as ``SCAN``.
A request to the counted-events table (shared/tables.py ``COUNTED_TABLE``, known by its name
in the process's settings) is recorded on the resource ``counted``, the rest on ``table`` or
``index/<name>`` of the points table.

The function is known by wrapping every ``functions.<name>.handler.lambda_handler``: the
local gateway looks the handler up at each call, and tests invoke scheduled functions the
same way. Calls made outside any handler (a test's own set-up) are not attributed. The
programme's cached rules are forgotten at each call, as in a Lambda of its own.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import functions
from shared import programme
from shared.dynamodb import connection
from shared.settings import settings
from shared.tables import POINTS_TABLE

SCAN = "SCAN"
_INDEX_PK = {index.name: index.partition_key for index in POINTS_TABLE.indexes}
_EQUALS = re.compile(r"(#?\w+)\s*=\s*(:\w+)")


def function_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(functions.__path__) if m.ispkg)


def _s(value: dict[str, Any]) -> str:
    return value.get("S", str(value))


def _item_pk(item: dict[str, Any]) -> str:
    return _s(item[POINTS_TABLE.partition_key])


def _query(params: dict[str, Any], table: str) -> tuple[str, str]:
    """(resource, partition key value) of a Query: the index's own key on an index."""
    index = params.get("IndexName")
    attribute = _INDEX_PK[index] if index else POINTS_TABLE.partition_key
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    for name, placeholder in _EQUALS.findall(params["KeyConditionExpression"]):
        if names.get(name, name) == attribute:
            return (f"index/{index}" if index else table), _s(values[placeholder])
    raise AssertionError(f"no partition key condition in {params['KeyConditionExpression']!r}")


_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
_TRANSACT |= {"ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
# (IAM action, "table" | "index/<name>" | "counted", partition key value)
Request = tuple[str, str, str]


def requests(operation: str, params: dict[str, Any], counted_table: str = "") -> list[Request]:
    """What IAM authorizes for one DynamoDB call: each (action, resource, partition key value)
    ``dynamodb:LeadingKeys`` is evaluated on. A transaction or batch is one per item; an item
    of the table named ``counted_table`` is on the resource ``counted``."""

    def resource(table_name: str) -> str:
        return "counted" if counted_table and table_name == counted_table else "table"

    action = f"dynamodb:{operation}"
    if operation in ("GetItem", "UpdateItem", "DeleteItem"):
        return [(action, resource(params["TableName"]), _item_pk(params["Key"]))]
    if operation == "PutItem":
        return [(action, resource(params["TableName"]), _item_pk(params["Item"]))]
    if operation == "Query":
        return [(action, *_query(params, resource(params["TableName"])))]
    if operation == "Scan":
        index = params.get("IndexName")
        return [(action, f"index/{index}" if index else resource(params["TableName"]), SCAN)]
    if operation == "BatchGetItem":
        return [
            (action, resource(name), _item_pk(k))
            for name, table in params["RequestItems"].items()
            for k in table["Keys"]
        ]
    if operation == "BatchWriteItem":
        return [
            (
                action,
                resource(name),
                _item_pk(
                    r["PutRequest"]["Item"] if "PutRequest" in r else r["DeleteRequest"]["Key"]
                ),
            )
            for name, table in params["RequestItems"].items()
            for r in table
        ]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            key = _item_pk(body["Item"] if kind == "Put" else body["Key"])
            found.append((f"dynamodb:{_TRANSACT[kind]}", resource(body["TableName"]), key))
        return found
    return []  # DescribeTable and the like: no item


class KeyRecorder:
    """``keys[function]``: every request (action, resource, partition key value) the function's
    handler sent."""

    def __init__(self) -> None:
        self.keys: dict[str, set[Request]] = defaultdict(set)
        self.current: str | None = None

    def on_request(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self.current is None:
            return
        counted = settings().counted_table_name
        self.keys[self.current].update(requests(model.name, params, counted))

    def wrap(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(event: Any, context: Any) -> Any:
            # Each function runs in its own Lambda: none starts with another's cached rules.
            programme.invalidate()
            outer, self.current = self.current, name
            try:
                return handler(event, context)
            finally:
                self.current = outer

        return recorded


@contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyRecorder]:
    """Record while the block runs (moto or DynamoDB Local: the client is the same)."""
    recorder = KeyRecorder()
    for name in function_names():
        module = importlib.import_module(f"functions.{name}.handler")
        monkeypatch.setattr(module, "lambda_handler", recorder.wrap(name, module.lambda_handler))
    events = connection.connection().client.meta.events
    events.register("before-parameter-build.dynamodb", recorder.on_request)
    try:
        yield recorder
    finally:
        events.unregister("before-parameter-build.dynamodb", recorder.on_request)
