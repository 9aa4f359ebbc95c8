"""Print what the leaderboard costs on DynamoDB Local: a credit's upkeep, the snapshot, the read.

Registers members and reports purchases through the real handlers (in process), runs the
snapshot job as operators do (``POST /v1/admin/jobs/leaderboard/runs``), then reads
``GET /v1/leaderboard`` as a member, counting every DynamoDB call and the capacity
DynamoDB Local reports (the meter of bench/write_cost.py). Usage:
python bench/leaderboard_cost.py [members]   (default 500)
"""

from __future__ import annotations

import sys
import time
from typing import Any

from _support import call, local_stack
from write_cost import Meter


def main(members: int) -> None:
    with local_stack() as gateway:
        meter = Meter().attach()
        system = gateway.signer.sign("bench", ["systems"])
        operator = gateway.signer.sign("bench-operator", ["operators"])
        print(
            f"{'operation':44} {'status':>6} {'requests':>8} {'calls':<44} "
            f"{'table WCU':>9} {'index WCU':>9} {'RCU':>6}"
        )

        def measure(name: str, token: str, method: str, path: str, body: Any = None) -> Any:
            meter.reset()
            started = time.perf_counter()
            status, reply = call(gateway, token, method, path, body)
            spent = time.perf_counter() - started
            calls = ", ".join(f"{k}×{v}" for k, v in sorted(meter.calls.items()))
            print(
                f"{name:44} {status:>6} {sum(meter.calls.values()):>8} {calls:<44} "
                f"{meter.table_wcu:>9.1f} {meter.index_wcu:>9.1f} {meter.rcu:>6.1f}"
                f"  ({spent * 1000:.0f} ms)"
            )
            return reply

        started = time.perf_counter()
        for i in range(members):  # set-up, not measured: totals 1..250, many ties
            member_id = f"m-{i:05d}"
            call(gateway, system, "POST", "/v1/members", {"member_id": member_id})
            amount = str(1 + (i * 7) % 250)
            body = {"order_id": f"o-{i}", "member_id": member_id, "amount": amount}
            call(gateway, system, "POST", "/v1/purchases", body)
        spent = time.perf_counter() - started
        print(f"(set-up: {members} members with one purchase each, {spent:.1f} s)")

        one = {"member_id": "m-00001", "amount": "10.00"}
        measure(
            "purchase (member already on this month's board)",
            system,
            "POST",
            "/v1/purchases",
            {"order_id": "o-again-1", **one},
        )
        measure(
            "check-in (member already on the board)",
            gateway.signer.sign("m-00001", []),
            "POST",
            "/v1/me/checkins",
        )
        call(gateway, system, "POST", "/v1/members", {"member_id": "m-new"})
        measure(
            "purchase (member's first counted credit)",
            system,
            "POST",
            "/v1/purchases",
            {"order_id": "o-new", "member_id": "m-new", "amount": "10.00"},
        )
        run = measure(
            f"snapshot job ({members + 1} earners)",
            operator,
            "POST",
            "/v1/admin/jobs/leaderboard/runs",
        )
        print(f"  job answer: processed {run['processed']}, boards {run['boards']}")
        member = gateway.signer.sign("m-00042", [])
        for period in ("month", "year"):
            reply = measure(
                f"GET /v1/leaderboard?period={period}",
                member,
                "GET",
                f"/v1/leaderboard?period={period}",
            )
        reply = measure("GET /v1/leaderboard (again)", member, "GET", "/v1/leaderboard")
        reads = sum(meter.calls.values())
        print(
            f"\nLeaderboard read: {reads} DynamoDB request(s) ({', '.join(meter.calls)}): the "
            f"snapshot and the caller's profile in one BatchGetItem; the first read of a cold "
            f"function adds the programme rules' Query (≤ 2)."
        )
        print(
            f"  top {len(reply['items'])} of {reply['ranked']} ranked; me {reply['me']}; "
            f"first rows {reply['items'][:3]}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
