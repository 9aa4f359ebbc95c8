"""Print DynamoDB round trips and write units per business operation.

Runs each operation through the real handler (in process) against DynamoDB Local and
counts, with botocore event hooks on the one shared client, every DynamoDB call and the
``ConsumedCapacity`` it reports (table and indexes apart). Usage: python bench/write_cost.py
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from _support import call, local_stack

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
CAPACITY_OPS = {
    "GetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "BatchWriteItem",
    "BatchGetItem",
}


@dataclass
class Meter:
    calls: Counter = field(default_factory=Counter)
    table_wcu: float = 0.0
    index_wcu: float = 0.0
    rcu: float = 0.0

    def reset(self) -> None:
        self.calls.clear()
        self.table_wcu = self.index_wcu = self.rcu = 0.0

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in CAPACITY_OPS:
            params["ReturnConsumedCapacity"] = "INDEXES"

    def after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        capacity = parsed.get("ConsumedCapacity") or []
        if isinstance(capacity, dict):
            capacity = [capacity]
        for entry in capacity:
            table = (entry.get("Table") or {}).get("CapacityUnits", entry.get("CapacityUnits", 0))
            indexes = sum(
                i.get("CapacityUnits", 0)
                for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes")
                for i in (entry.get(group) or {}).values()
            )
            if model.name in WRITE_OPS:
                self.table_wcu += table
                self.index_wcu += indexes
            else:
                self.rcu += table + indexes


def main() -> None:
    from shared.dynamodb.connection import connection

    with local_stack() as gateway:
        meter = Meter()
        events = connection().client.meta.events
        events.register("before-parameter-build.dynamodb", meter.before)
        events.register("after-call.dynamodb", meter.after)
        system = gateway.signer.sign("bench", ["systems"])
        member = gateway.signer.sign("m-bench", [])

        ops = [
            (
                "register member (welcome credit)",
                system,
                "POST",
                "/v1/members",
                {"member_id": "m-bench"},
            ),
            (
                "purchase (new order)",
                system,
                "POST",
                "/v1/purchases",
                {"order_id": "o-1", "member_id": "m-bench", "amount": "199.90"},
            ),
            (
                "purchase (retry, same order)",
                system,
                "POST",
                "/v1/purchases",
                {"order_id": "o-1", "member_id": "m-bench", "amount": "199.90"},
            ),
            (
                "refund (partial)",
                system,
                "POST",
                "/v1/refunds",
                {"refund_id": "r-1", "order_id": "o-1", "amount": "99.95"},
            ),
            (
                "refund (retry)",
                system,
                "POST",
                "/v1/refunds",
                {"refund_id": "r-1", "order_id": "o-1", "amount": "99.95"},
            ),
            ("GET /v1/me", member, "GET", "/v1/me", None),
            ("GET /v1/me/ledger", member, "GET", "/v1/me/ledger", None),
        ]
        print(
            f"{'operation':36} {'status':>6} {'round trips':>11} {'calls':<38} "
            f"{'table WCU':>9} {'index WCU':>9} {'RCU':>5}"
        )
        for name, token, method, path, body in ops:
            meter.reset()
            status, _ = call(gateway, token, method, path, body)
            trips = sum(meter.calls.values())
            calls = ", ".join(f"{k}×{v}" for k, v in sorted(meter.calls.items()))
            print(
                f"{name:36} {status:>6} {trips:>11} {calls:<38} {meter.table_wcu:>9.1f} "
                f"{meter.index_wcu:>9.1f} {meter.rcu:>5.1f}"
            )
        print(
            "\nTable WCU: transactional writes cost 2 WCU per item up to 1 KB. Index WCU: the"
            " LSI/GSI upkeep DynamoDB Local reports for the same write (at the transactional"
            " rate). A cancelled transaction (a replayed retry) reports no capacity here."
        )


if __name__ == "__main__":
    main()
