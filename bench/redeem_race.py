"""Flash sale: many members race over HTTP for the last units of one limited item.

Starts AWS's DynamoDB Local and the local server (its own free port, in memory), seeds
2 000 members straight into the table through the member repository (10 000 points each,
ledger entry and lot included), creates one gift with stock 100 through the API with an
operator token, then fires 10 000 redemptions from 64 concurrent HTTP clients (keep-alive
connections). Prints the outcome and checks it: exactly 100 × 201, the rest 409 sold_out,
stock 0, the sum of balances down by exactly 100 × price, exactly 100 ledger entries and
orders. With ``--shards K`` (default 8; 0 = the item's stock on the item itself) the item
is a hot item whose stock is spread over K shard items: the bench prints how many units
each shard gave and checks that every shard ends at 0, none below. Exit status 1 if any
check fails.

    .venv/bin/python bench/redeem_race.py [--members 2000] [--attempts 10000] [--clients 64]
        [--shards 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from _support import ROOT

TABLE = "loyalty-points-race"
ITEM_ID = "flash-phone"
PRICE = 1000
STOCK = 100
SEED_POINTS = 10_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        try:
            conn.request(method, path, body=data, headers=headers)
            reply = conn.getresponse()
            payload = reply.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            self.local.conn = None
            raise
        return reply.status, json.loads(payload) if payload else None

    def token(self, sub: str, *groups: str) -> str:
        status, body = self.call("POST", "/local/token", {"sub": sub, "groups": list(groups)})
        assert status == 200, body
        return body["token"]


def start_server(endpoint: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT": endpoint,
        "POWERTOOLS_LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "local.server", "--port", str(port), "--no-demo", "--table", TABLE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    client = Client(port)
    for _ in range(300):
        try:
            if client.call("GET", "/v1/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the local server did not start")


def seed_members(count: int) -> list[str]:
    """Members with SEED_POINTS each, written through the repository (one transaction each:
    profile, ledger entry and lot), in parallel."""
    from shared import clock
    from shared.clock import utc_iso
    from shared.domain import ledger as kinds
    from shared.domain.members import Member
    from shared.domain.rules import DEFAULT_RULES
    from shared.dynamodb import members as members_repo

    now = clock.now()
    ids = [f"racer-{i:05d}" for i in range(count)]

    def one(member_id: str) -> None:
        member = Member(member_id=member_id, registered_at=utc_iso(now))
        seed = kinds.credit(
            member_id,
            "registration",
            member_id,
            SEED_POINTS,
            "welcome",  # a registration seed: the welcome entry's text
            at=now,
            rules=DEFAULT_RULES,
        )
        members_repo.register(member, seed, DEFAULT_RULES)

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(one, ids))
    return ids


def table_figures(endpoint: str) -> dict[str, int]:
    """Sum of balances, redeem ledger entries, orders: counted from the table itself."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
    figures = Counter()
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        for row in page["Items"]:
            sk = row["sk"]["S"]
            if sk == "PROFILE":
                figures["balances"] += int(row["balance"]["N"])
                figures["members"] += 1
                figures["negative"] += int(row["balance"]["N"]) < 0
            elif sk.startswith("LEDGER#redeem#"):
                figures["redeem_entries"] += 1
            elif sk.startswith("ORDER#") and row.get("item_id", {}).get("S") == ITEM_ID:
                figures["orders"] += 1
                if "stock_shard" in row:
                    figures[f"taken#{int(row['stock_shard']['N']):02d}"] += 1
            elif sk == "STOCK" and row["pk"]["S"].startswith(f"ITEM#{ITEM_ID}#"):
                figures[f"left#{row['pk']['S'].rsplit('#', 1)[1]}"] += int(row["stock"]["N"])
    return dict(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()

    from local.dynamodb_local import DynamoDBLocal
    from local.server import configure_environment
    from local.tables import ensure_tables

    with DynamoDBLocal.start(in_memory=True) as ddb:
        configure_environment(ddb.endpoint, TABLE)
        ensure_tables(ddb.endpoint, TABLE)
        port = free_port()
        server = start_server(ddb.endpoint, port)
        try:
            started = time.perf_counter()
            members = seed_members(args.members)
            seeded = time.perf_counter() - started
            client = Client(port)
            operator = client.token("bench-operator", "operators")
            status, body = client.call(
                "PUT",
                f"/v1/admin/catalog/{ITEM_ID}",
                {
                    "name": "Flash-sale phone",
                    "kind": "gift",
                    "points": PRICE,
                    "stock": STOCK,
                    "per_member_limit": None,
                    **({"stock_shards": args.shards} if args.shards else {}),
                },
                operator,
            )
            assert status == 201, body
            tokens = [client.token(m) for m in members]
            before = table_figures(ddb.endpoint)
            delivery = {"method": "ship", "name": "Racer", "phone": "13800000000", "address": "X"}

            def attempt(i: int) -> tuple[int, str | None]:
                code, reply = client.call(
                    "POST",
                    "/v1/redemptions",
                    {"item_id": ITEM_ID, "delivery": delivery},
                    tokens[i % len(tokens)],
                )
                return code, (reply or {}).get("error", {}).get("code")

            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                outcomes = Counter(pool.map(attempt, range(args.attempts)))
            elapsed = time.perf_counter() - began

            _, item = client.call("GET", f"/v1/admin/catalog/{ITEM_ID}", None, operator)
            after = table_figures(ddb.endpoint)
        finally:
            server.terminate()
            server.wait(timeout=30)

    dropped = before["balances"] - after["balances"]
    print(f"members seeded              {args.members} in {seeded:.1f} s (repository)")
    print(f"attempts / clients          {args.attempts} / {args.clients} concurrent HTTP clients")
    for (code, error), n in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {code} {error or '':28} {n}")
    print(f"stock left                  {item['stock']} (sold {item['sold']})")
    print(f"sum of balances dropped by  {dropped} (expected {STOCK} × {PRICE} = {STOCK * PRICE})")
    print(f"redeem ledger entries       {after.get('redeem_entries', 0)}")
    print(f"orders                      {after.get('orders', 0)}")
    print(f"negative balances           {after.get('negative', 0)}")
    shards = [f"{k:02d}" for k in range(args.shards)]
    if shards:
        print(f"stock shards                {args.shards} (spread {STOCK} over them at the start)")
        taken = [after.get(f"taken#{k}", 0) for k in shards]
        left = [after.get(f"left#{k}", 0) for k in shards]
        print(f"  units taken per shard     {' '.join(f'{n:3d}' for n in taken)}")
        print(f"  stock left per shard      {' '.join(f'{n:3d}' for n in left)}")
    print(f"elapsed                     {elapsed:.1f} s ({args.attempts / elapsed:.0f} requests/s)")
    print(f"finished at                 {datetime.now(UTC).isoformat(timespec='seconds')}")

    checks = {
        f"exactly {STOCK} × 201": outcomes[(201, None)] == STOCK,
        "the rest 409 sold_out": outcomes[(409, "sold_out")] == args.attempts - STOCK,
        "stock 0": item["stock"] == 0,
        "balances dropped by stock × price": dropped == STOCK * PRICE,
        f"{STOCK} ledger entries": after.get("redeem_entries", 0) == STOCK,
        f"{STOCK} orders": after.get("orders", 0) == STOCK,
        "no negative balance": after.get("negative", 0) == 0,
    }
    if shards:
        checks["every shard at 0"] = all(after.get(f"left#{k}", 0) == 0 for k in shards)
        checks["takes add up to the stock"] = (
            sum(after.get(f"taken#{k}", 0) for k in shards) == STOCK
        )
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
