"""Print p50/p99 duration per function for its main routes and jobs (timeouts and memory).

Drives the real handlers in process (``local.gateway``: the payload-v2 event API Gateway
sends) against DynamoDB Local, the way tests/integration do, ``ROUNDS`` requests per
operation, warm (the first call of each function, its import and client, is left out).
Beside wall time it prints the CPU time a call spends in this process: the share Lambda's
memory setting scales (CPU is proportional to memory: 1 vCPU at 1 769 MB, ~0.29 at 512).
The publisher gets its batches from the table's stream (as Lambda would) and a PutEvents
that answers at once, so its figure is the translation alone. infra/catalog.py chooses the
timeouts and memory from these figures. Usage: python bench/function_durations.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _support import call, local_stack

# per operation: ~500 calls in all, about a minute on a shared 2-core machine
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


class Recorder:
    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def time(self, name: str, action: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        self.wall.setdefault(name, []).append(time.perf_counter() - wall)
        self.cpu.setdefault(name, []).append(time.process_time() - cpu)
        return result

    def report(self) -> None:
        print(f"{'function.operation':36} {'n':>3} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>7}")
        by_function: dict[str, list[float]] = {}
        for name, walls in self.wall.items():
            cpu = statistics.mean(self.cpu[name])
            print(
                f"{name:36} {len(walls):>3} {1000 * percentile(walls, 50):>7.1f} "
                f"{1000 * percentile(walls, 99):>7.1f} {1000 * cpu:>7.1f}"
            )
            by_function.setdefault(name.split(".")[0], []).extend(walls)
        print(f"\n{'function (all its operations)':36} {'n':>3} {'p50 ms':>7} {'p99 ms':>7}")
        for function, walls in sorted(by_function.items()):
            print(
                f"{function:36} {len(walls):>3} {1000 * percentile(walls, 50):>7.1f} "
                f"{1000 * percentile(walls, 99):>7.1f}"
            )


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: with 30 values p99 is the slowest one (honest for a small sample)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def checked(expected: int, reply: tuple[int, Any]) -> Any:
    status, body = reply
    if status != expected:
        raise SystemExit(f"expected {expected}, got {status}: {body}")
    return body


def main() -> None:
    with local_stack() as gateway:
        rec = Recorder()
        signer = gateway.signer
        system = signer.sign("bench-shop", ["systems"])
        operator = signer.sign("bench-operator", ["operators"])
        ids = [f"m-dur-{i}" for i in range(ROUNDS)]
        members = {m: signer.sign(m, []) for m in ids}

        def http(
            name: str, token: str, method: str, path: str, body: Any = None, ok: int = 200, **h: str
        ) -> Any:
            return checked(ok, rec.time(name, lambda: call(gateway, token, method, path, body, h)))

        # Warm every function once (import, client, rules cache) and DynamoDB Local's JIT:
        # cold starts are bench/cold_start.py's business, not these figures.
        warm = "m-dur-warm"
        checked(201, call(gateway, system, "POST", "/v1/members", {"member_id": warm}))
        for i in range(20):
            body = {"order_id": f"o-warm-{i}", "member_id": warm, "amount": "10.00"}
            checked(201, call(gateway, system, "POST", "/v1/purchases", body))
        for method, path in (("GET", "/v1/me"), ("GET", "/v1/catalog"), ("GET", "/v1/me/messages")):
            call(gateway, signer.sign(warm, []), method, path)
        item = {"name": "Bench coupon", "kind": "coupon", "points": 10}
        checked(201, call(gateway, operator, "PUT", "/v1/admin/catalog/bench-coupon", item))

        for m in ids:
            http("earn.register_member", system, "POST", "/v1/members", {"member_id": m}, 201)
        for m in ids:
            body = {"order_id": f"o-{m}", "member_id": m, "amount": "1000.00"}
            http("earn.record_purchase", system, "POST", "/v1/purchases", body, 201)
        for m in ids:
            body = {"refund_id": f"r-{m}", "order_id": f"o-{m}", "amount": "100.00"}
            http("earn.record_refund", system, "POST", "/v1/refunds", body, 201)
        for i, m in enumerate(ids):
            hold = {
                "hold_id": f"h-{m}",
                "member_id": m,
                "order_id": f"oh-{m}",
                "order_amount": "100.00",
                "points": 100,
            }
            http("checkout.place_hold", system, "POST", "/v1/holds", hold, 201)
            settle = "capture" if i % 2 else "release"
            http(f"checkout.{settle}_hold", system, "POST", f"/v1/holds/h-{m}/{settle}")
        for i, m in enumerate(ids):
            to = ids[(i + 1) % len(ids)]
            body, key = {"to_member_id": to, "points": 5}, {"idempotency-key": f"t-{m}"}
            http(
                "transfers.send_transfer", members[m], "POST", "/v1/me/transfers", body, 201, **key
            )
        for m in ids:
            body = {"item_id": "bench-coupon"}
            http("redeem.redeem", members[m], "POST", "/v1/redemptions", body, 201)
            http("redeem.list_catalog", members[m], "GET", "/v1/catalog")
        for m in ids:
            http("activity.check_in", members[m], "POST", "/v1/me/checkins", None, 201)
        for m in ids:
            http("account.get_me", members[m], "GET", "/v1/me")
            http("account.list_my_ledger", members[m], "GET", "/v1/me/ledger")
            http("inbox.list_my_messages", members[m], "GET", "/v1/me/messages")
            http("admin.get_member", operator, "GET", f"/v1/admin/members/{m}")
        publisher_batches(gateway, rec)
        rec.report()


def publisher_batches(gateway: Any, rec: Recorder) -> None:
    """Everything written above, from the table's stream, in batches of 100 (the event source
    mapping's batch size) through the publisher, PutEvents answering at once."""
    import functions.publisher.handler as publisher
    from local.bus import StreamTail
    from local.gateway import LambdaContext
    from shared.settings import settings

    class Events:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {"FailedEntryCount": 0, "Entries": [{"EventId": "e"} for _ in Entries]}

    cfg = settings()
    records = StreamTail(cfg.dynamodb_endpoint, cfg.table_name, cfg.region).poll()
    publisher._client = Events()
    context = LambdaContext(function_name="publisher", aws_request_id="bench")
    for start in range(0, len(records), 100):
        batch = {"Records": records[start : start + 100]}
        rec.time("publisher.batch_of_100", lambda b=batch: publisher.lambda_handler(b, context))
    print(f"publisher: {len(records)} stream records")


if __name__ == "__main__":
    main()
