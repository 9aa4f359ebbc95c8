"""Which DynamoDB partitions run hot at 10 000 requests/s (5 000/s of them a flash sale)?

Drives a mixed load through the real handlers (in process) on DynamoDB Local: registrations
(set-up), purchases, check-ins, ledger reads, a flash sale of one gift (default gift limits),
lottery draws (a points prize and a gift prize with stock), checkout holds (placed, then
captured or released), the reports consumer over every event the stream carries (as the
local bus and the stack's reports function do), and the expiry job over the lots due. Every
DynamoDB request of the shared client is recorded at the botocore boundary (the way
tests/key_recorder.py records keys), item by item: partition key (the table's ``pk``, or
the index's own key for an index), read or write, transactional or not, and its capacity:

- reads: what DynamoDB Local reports for GetItem and Query (``ReturnConsumedCapacity=
  INDEXES``, added here to those requests: 1 RCU per 4 KB strongly consistent, 0.5
  eventually); BatchGetItem 0.5 RCU per 4 KB per item, TransactGetItems 2 per 4 KB per item;
- writes, estimated from item sizes (DynamoDB Local reports a transaction's total size, not
  2 WCU per item): 1 WCU per KB of the item (the larger of the sizes seen: the request's
  item, read replies, the item's final size read once after the run), ×2 inside a
  transaction (a ConditionCheck as a write of that item; a refused or cancelled write is
  billed too); index upkeep adds 1 WCU per KB (1 on a keys-only index, written only when
  its keys change) on the index's partition — a global index's own key (from the request,
  else the item as last seen), a local index's on the item's own ``pk``.

Programme rules and catalog items are cached per process as in a warm Lambda, so their
reads appear once, not per request (at scale: per container and cache lifetime).

Each operation's profile (capacity per partition key per operation) is then projected to
the target mix (operations/s, below; 10 000/s in all): a partition key that two or more
operations of a kind share (an item's stock, a day's report counter, a configuration item)
gets rate × its capacity per operation; a key that names a sampled member, or that only one
operation touched (an order, a hold, an event's marker), is one of millions — shown per key
at one operation per second (a busy member), as "<id>". The expiry job's one run counts as
one operation per lot expired. The ten hottest partitions are printed against DynamoDB's
per-partition limits (1 000 WCU/s, 3 000 RCU/s).

    .venv/bin/python bench/hot_partitions.py [--members 200]
"""

from __future__ import annotations

import argparse
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from _support import call, local_stack

WCU_LIMIT, RCU_LIMIT = 1_000, 3_000
# The target mix, operations per second (10 000 in all); the reports consumer's work follows
# the events these operations cause, at the same rates.
FLASH = "flash sale (redeem one gift)"
MIX = {
    FLASH: 5_000,
    "purchase": 1_500,
    "ledger read": 1_500,
    "check-in": 1_000,
    "lottery draw": 500,
    "hold (place + capture/release)": 300,
    "expiry job (per lot)": 200,
}
JOB = "expiry job (per lot)"
FLASH_ITEM = "flash-gift"
PRIZE_ITEM = "prize-gift"
LOTTERY = "spring"
DAY = "2027-01-10"

_INDEXES: dict[str, str] = {}  # global index name -> its partition key attribute (main)
_KEYS_ONLY: set[str] = set()  # indexes projecting keys only
# Every index -> the attribute that puts an item in it (a global index's partition key, a
# local index's sort key: a local index lives in the item's own partition, on its pk).
_MEMBERSHIP: dict[str, str] = {}
_LOCAL: set[str] = set()


def _index_pk(index: str, attribute_value: dict[str, Any], pk: str) -> str:
    return pk if index in _LOCAL else _s(attribute_value)


_SET = re.compile(r"(#?\w+)\s*=\s*(:\w+)")


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size (bytes): attribute names plus values, as the docs count them."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        return len(v.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind == "SS":
        return sum(len(x.encode()) for x in v)
    if kind == "NS":
        return sum(len(x) // 2 + 2 for x in v)
    return sum(len(x) for x in v)  # BS


def _s(value: dict[str, Any]) -> str:
    return next(iter(value.values())) if isinstance(value, dict) else str(value)


def item_key(key: dict[str, Any]) -> tuple[str, str]:
    return _s(key["pk"]), _s(key["sk"])


@dataclass
class Access:
    """One item of one request: read or write, where, and how it is billed."""

    op: str  # the business operation it belongs to
    action: str  # "read" | "write"
    resource: str  # "table" | "index/<name>"
    pk: str
    key: tuple[str, str] | None = None  # (pk, sk) of the item, for its size
    transactional: bool = False
    units: float | None = None  # known (reported or from the reply); else from the size
    index_keys: dict[str, str] = field(default_factory=dict)  # index -> its pk, writes only


class Recorder:
    """Every item every request of the shared client touches, with its capacity."""

    def __init__(self) -> None:
        self.op = "set-up"
        self.instance = 0  # the operation's sequence number within its kind
        self.instances: dict[str, int] = defaultdict(int)
        self.accesses: list[tuple[Access, int]] = []
        self.sizes: dict[tuple[str, str], int] = {}
        self.index_keys: dict[tuple[str, str], dict[str, str]] = {}
        self._undo: list[tuple[tuple[str, str], dict[str, str]]] = []

    def next_event(self, found: list[Any]) -> None:
        """A bus subscriber ahead of the reports consumer: each stream record's events are
        one instance of the consumer's work."""
        self.instance += 1

    def begin(self, op: str) -> None:
        self.op = op
        self.instances[op] += 1
        self.instance = self.instances[op]

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb", self.before)
        client.meta.events.register("after-call.dynamodb", self.after)

    def _seen(self, item: dict[str, Any]) -> None:
        if "pk" not in item or "sk" not in item:
            return
        key = item_key(item)
        self.sizes[key] = max(self.sizes.get(key, 0), item_size(item))
        # merged: a keys-only index's reply carries that index's keys, not the others'
        found = {i: _index_pk(i, item[a], key[0]) for i, a in _MEMBERSHIP.items() if a in item}
        self.index_keys[key] = {**self.index_keys.get(key, {}), **found}

    def _index_writes(self, kind: str, key: tuple[str, str], body: dict[str, Any]) -> dict:
        """The global indexes this write updates, each with its partition key: an item
        entering, leaving or moving in an index; on an index projecting ALL also any change
        to an item in it (a keys-only index is not written when its keys stay)."""
        before = self.index_keys.get(key, {})
        if kind == "ConditionCheck":
            return {}
        if kind == "Put":
            item = body["Item"]
            after = {i: _index_pk(i, item[a], key[0]) for i, a in _MEMBERSHIP.items() if a in item}
        elif kind == "Delete":
            after = {}
        else:
            after = dict(before)
            names = body.get("ExpressionAttributeNames", {})
            values = body.get("ExpressionAttributeValues", {})
            clauses = dict(
                re.findall(
                    r"\b(SET|REMOVE|ADD|DELETE)\b\s*(.*?)(?=\b(?:SET|REMOVE|ADD|DELETE)\b|$)",
                    body.get("UpdateExpression", ""),
                )
            )
            for name, placeholder in _SET.findall(clauses.get("SET", "")):
                for index, attribute in _MEMBERSHIP.items():
                    if names.get(name, name) == attribute and placeholder in values:
                        after[index] = _index_pk(index, values[placeholder], key[0])
            for name in clauses.get("REMOVE", "").split(","):
                for index, attribute in _MEMBERSHIP.items():
                    if names.get(name.strip(), name.strip()) == attribute:
                        after.pop(index, None)
        self._undo.append((key, before))
        self.index_keys[key] = after
        return {
            index: after.get(index) or before[index]
            for index in set(before) | set(after)
            if not (index in _KEYS_ONLY and before.get(index) == after.get(index))
        }

    def _write(self, kind: str, body: dict[str, Any], transactional: bool) -> Access:
        key = item_key(body["Item"] if kind == "Put" else body["Key"])
        index_keys = self._index_writes(kind, key, body)
        if kind == "Put":
            self._seen(body["Item"])
        return Access(
            self.op,
            "write",
            "table",
            key[0],
            key,
            transactional,
            index_keys=index_keys,
        )

    def before(self, params: dict[str, Any], model: Any, context: dict, **_: Any) -> None:
        name = model.name
        if name in ("GetItem", "Query"):
            params["ReturnConsumedCapacity"] = "INDEXES"
        found: list[Access] = []
        context["hot_undo"] = self._undo = []  # the index keys as they were, if refused
        if name in ("PutItem", "UpdateItem", "DeleteItem"):
            found.append(self._write(name.removesuffix("Item"), params, False))
        elif name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                found.append(self._write(kind, body, True))
        elif name == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                for r in requests:
                    kind = "Put" if "PutRequest" in r else "Delete"
                    body = r["PutRequest"] if kind == "Put" else r["DeleteRequest"]
                    found.append(self._write(kind, body, False))
        elif name == "GetItem":
            found.append(Access(self.op, "read", "table", _s(params["Key"]["pk"])))
        elif name == "Query":
            index = params.get("IndexName")
            attribute = _INDEXES.get(index, "pk") if index else "pk"
            names = params.get("ExpressionAttributeNames", {})
            values = params["ExpressionAttributeValues"]
            [pk] = [
                _s(values[p])
                for n, p in _SET.findall(params["KeyConditionExpression"])
                if names.get(n, n) == attribute
            ]
            resource = f"index/{index}" if index else "table"
            found.append(Access(self.op, "read", resource, pk))
        elif name == "Scan":
            found.append(Access(self.op, "read", "table", "SCAN"))
        elif name in ("BatchGetItem", "TransactGetItems"):
            keys = (
                [k for t in params["RequestItems"].values() for k in t["Keys"]]
                if name == "BatchGetItem"
                else [e["Get"]["Key"] for e in params["TransactItems"]]
            )
            for k in keys:
                found.append(
                    Access(
                        self.op,
                        "read",
                        "table",
                        _s(k["pk"]),
                        item_key(k),
                        transactional=name == "TransactGetItems",
                    )
                )
        context["hot_accesses"] = found

    def after(self, parsed: dict[str, Any], model: Any, context: dict, **_: Any) -> None:
        found: list[Access] = context.pop("hot_accesses", [])
        name = model.name
        for item in parsed.get("Items", []) or []:
            self._seen(item)
        if parsed.get("Item"):
            self._seen(parsed["Item"])
        for items in (parsed.get("Responses") or {}).values() if name == "BatchGetItem" else ():
            for item in items:
                self._seen(item)
        if name == "TransactGetItems":
            for response in parsed.get("Responses") or []:
                if response.get("Item"):
                    self._seen(response["Item"])
        if name in ("GetItem", "Query") and found:
            capacity = parsed.get("ConsumedCapacity") or {}
            found[0].units = float(capacity.get("CapacityUnits", 0.0))
        undo = context.pop("hot_undo", [])
        if "Error" in parsed:
            # A refused write (a failed condition, a cancelled transaction) is billed, but
            # writes nothing: no index upkeep, the items' index keys as they were.
            for key, previous in reversed(undo):
                self.index_keys[key] = previous
            for access in found:
                access.index_keys = {}
        self.accesses.extend((a, self.instance) for a in found)

    def sizes_from_table(self, client: Any, table: str) -> None:
        """The final size (and index keys) of every item written whose size is not known."""
        wanted = sorted(
            {a.key for a, _ in self.accesses if a.key is not None and a.key not in self.sizes}
        )
        for start in range(0, len(wanted), 100):
            keys = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in wanted[start : start + 100]]
            reply = client.batch_get_item(RequestItems={table: {"Keys": keys}})
            for item in reply["Responses"].get(table, []):
                self._seen(item)


def units_of(access: Access, sizes: dict[tuple[str, str], int]) -> float:
    if access.units is not None:
        return access.units
    size = sizes.get(access.key, 1) if access.key else 1
    if access.action == "read":
        blocks = math.ceil(size / 4096)
        return blocks * (2.0 if access.transactional else 0.5)
    return math.ceil(size / 1024) * (2.0 if access.transactional else 1.0)


@dataclass
class Partition:
    rate_wcu: float = 0.0
    rate_rcu: float = 0.0
    ops: set[str] = field(default_factory=set)


def project(recorder: Recorder, rates: dict[str, float], members: set[str]) -> dict[str, Partition]:
    """Projected WCU/s and RCU/s per partition key at the target rates.

    A key is one entity's (one of millions: a member, an order, a hold, an event) when it
    names one of the sampled members or only one operation touched it; else it is shared by
    the operations of its kind (the job's keys always are: its lots share its shards)."""
    # (op, resource, pk) -> capacity in the sample, and which operation instances touched it
    totals: dict[tuple[str, str, str, str], float] = defaultdict(float)
    touched: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for access, instance in recorder.accesses:
        units = units_of(access, recorder.sizes)
        totals[(access.op, access.resource, access.pk, access.action)] += units
        touched[(access.op, access.resource, access.pk)].add(instance)
        if access.action == "write":
            size = recorder.sizes.get(access.key, 1) if access.key else 1
            for index, index_pk in access.index_keys.items():
                entry = 1 if index in _KEYS_ONLY else math.ceil(size / 1024)
                resource = "table" if index in _LOCAL else f"index/{index}"
                totals[(access.op, resource, index_pk, "write")] += entry
                touched[(access.op, resource, index_pk)].add(instance)
    partitions: dict[str, Partition] = defaultdict(Partition)
    for (op, resource, pk, action), units in totals.items():
        if op not in rates:
            continue  # set-up
        done = recorder.instances[op]
        instances = touched[(op, resource, pk)]
        own = any(m in pk for m in members) or (op != JOB and len(instances) == 1)
        shared = not own
        label = (resource + " " if resource != "table" else "") + (pk if shared else _template(pk))
        # A shared key takes its share of every operation; one entity's key is shown at one
        # operation on it per second (a busy member).
        per_second = rates[op] * units / done if shared else units / len(instances)
        part = partitions[label]
        if shared:
            if action == "write":
                part.rate_wcu += per_second
            else:
                part.rate_rcu += per_second
        elif action == "write":
            part.rate_wcu = max(part.rate_wcu, per_second)
        else:
            part.rate_rcu = max(part.rate_rcu, per_second)
        part.ops.add(op)
    return partitions


def _template(pk: str) -> str:
    """One entity's key, its id replaced: MEMBER#m-0012 → MEMBER#<id>."""
    prefix, sep, _ = pk.partition("#")
    return f"{prefix}{sep}<id>" if sep else "<id>"


def drive(gateway: Any, recorder: Recorder, members: int) -> None:
    """The load, operation by operation (each kind ``members`` times, one member each);
    prints the answers' statuses."""
    from shared import clock
    from shared.domain.mall import shards_for_peak
    from tests.support import at, lottery_body, lottery_prize, points_prize

    system = gateway.signer.sign("bench", ["systems"])
    operator = gateway.signer.sign("bench-ops", ["operators"])
    ids = [f"m-{n:04d}" for n in range(members)]
    tokens = {m: gateway.signer.sign(m, []) for m in ids}
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def run(op: str, token: str, method: str, path: str, body: Any = None) -> Any:
        recorder.begin(op)
        status, reply = call(gateway, token, method, path, body)
        statuses[op][status] += 1
        return reply

    bus = reports_bus(recorder)

    def consume(op: str) -> None:
        """The reports consumer on the events the operations just caused, charged to them:
        the operations' rate × its capacity per operation."""
        recorder.op = f"reports ({op})"
        recorder.instances[recorder.op] = recorder.instances[op]
        recorder.instance = 0  # counted per stream record by recorder.next_event
        bus.drain()

    at(DAY)
    recorder.op = "set-up"
    for member_id in ids:
        call(gateway, system, "POST", "/v1/members", {"member_id": member_id})
    gift = {"kind": "gift", "points": 100, "stock": 1_000_000}  # default gift limits
    # The sale's gift is marked hot: its stock over as many shards as its peak needs.
    hot = {"name": "Flash", **gift, "stock_shards": shards_for_peak(MIX[FLASH])}
    call(gateway, operator, "PUT", f"/v1/admin/catalog/{FLASH_ITEM}", hot)
    call(gateway, operator, "PUT", f"/v1/admin/catalog/{PRIZE_ITEM}", {"name": "Prize", **gift})
    prizes = [
        points_prize(weight=8),
        lottery_prize("p-gift", "Gift", "gift", 2, item_id=PRIZE_ITEM, stock=1_000_000),
    ]
    body = lottery_body(prizes=prizes, cost=10, daily_limit=3)
    call(gateway, operator, "PUT", f"/v1/admin/lotteries/{LOTTERY}", body)
    bus.drain()  # the registrations' events: set-up too

    for n, member_id in enumerate(ids):
        order = {"order_id": f"o-{n}", "member_id": member_id, "amount": "300.00"}
        run("purchase", system, "POST", "/v1/purchases", order)
    consume("purchase")
    for member_id in ids:
        run("check-in", tokens[member_id], "POST", "/v1/me/checkins")
    consume("check-in")
    for member_id in ids:
        run("ledger read", tokens[member_id], "GET", "/v1/me/ledger?limit=20")
    ship = {"method": "ship", "name": "Bench", "phone": "13800000000", "address": "X road 1"}
    for member_id in ids:
        sale = {"item_id": FLASH_ITEM, "delivery": ship}
        run(FLASH, tokens[member_id], "POST", "/v1/redemptions", sale)
    consume(FLASH)
    for member_id in ids:
        run("lottery draw", tokens[member_id], "POST", f"/v1/lotteries/{LOTTERY}/draws", {})
    consume("lottery draw")
    for n, member_id in enumerate(ids):
        hold = {
            "hold_id": f"h-{n}",
            "member_id": member_id,
            "order_id": f"co-{n}",
            "order_amount": "100.00",
            "points": 100,
        }
        run("hold (place + capture/release)", system, "POST", "/v1/holds", hold)
        end = "capture" if n % 2 else "release"  # the same operation's second request
        status, _ = call(gateway, system, "POST", f"/v1/holds/h-{n}/{end}")
        statuses["hold (place + capture/release)"][status] += 1
    consume("hold (place + capture/release)")

    # The expiry job, the night after the lots' last valid day (earned today: 2027-07-10).
    clock.pin(clock.now().replace(year=2027, month=7, day=11, hour=3, minute=30))
    recorder.begin(JOB)
    status, reply = call(gateway, operator, "POST", "/v1/admin/jobs/expire/runs")
    statuses[JOB][status] += 1
    lots = int((reply or {}).get("lots") or 0)  # lots closed ("processed": members)
    recorder.instances[JOB] = max(lots, 1)  # the one run is `lots` operations of its kind
    consume(JOB)
    for op, counts in statuses.items():
        print(f"  {op:34} " + ", ".join(f"{s}×{c}" for s, c in sorted(counts.items())))
    print(f"  expiry job: {lots} lots closed, {(reply or {}).get('members')} members")


def reports_bus(recorder: Recorder) -> Any:
    """The local bus with the reports consumer (as local/server.py wires it)."""
    from local.bus import LocalBus, StreamTail
    from shared import clock, reports
    from shared.settings import settings

    cfg = settings()
    # Batches of 100 events, not the queue's 1 000: an operation's few hundred events then
    # make several batches (its shard keys are seen shared, not one entity's), and the
    # per-batch writes (a sketch, a transaction's counters) are charged over fewer events
    # than in AWS at 10 000 events/s — an upper bound for the REPORTS#<k> shards.
    return LocalBus(
        StreamTail(cfg.dynamodb_endpoint, cfg.table_name),
        subscribers=[recorder.next_event, lambda found: reports.aggregate(found, clock.now())],
        batch=100,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200, help="operations of each kind")
    parser.add_argument("--top", type=int, default=10, help="partitions printed, hottest first")
    args = parser.parse_args()
    with local_stack("loyalty-points-hot") as gateway:
        import boto3

        from shared.dynamodb.connection import connection
        from shared.settings import settings
        from shared.tables import POINTS_TABLE

        _INDEXES.update({i.name: i.partition_key for i in POINTS_TABLE.indexes if not i.local})
        _KEYS_ONLY.update(i.name for i in POINTS_TABLE.indexes if i.projection == "KEYS_ONLY")
        _LOCAL.update(i.name for i in POINTS_TABLE.indexes if i.local)
        _MEMBERSHIP.update(
            {i.name: i.sort_key if i.local else i.partition_key for i in POINTS_TABLE.indexes}
        )
        recorder = Recorder()
        recorder.attach(connection().client)
        started = time.perf_counter()
        print(f"driving {args.members} operations of each kind through the handlers:")
        drive(gateway, recorder, args.members)
        cfg = settings()
        raw = boto3.client("dynamodb", endpoint_url=cfg.dynamodb_endpoint, region_name="us-east-1")
        recorder.sizes_from_table(raw, cfg.table_name)
        took = time.perf_counter() - started
        rates = {op: float(r) for op, r in MIX.items()}
        rates |= {f"reports ({op})": float(r) for op, r in MIX.items()}
        members = {f"m-{n:04d}" for n in range(args.members)}
        partitions = project(recorder, rates, members)
        print(
            f"\n{len(recorder.accesses)} item accesses recorded in {took:.0f} s. Target mix "
            f"(operations/s, {sum(MIX.values()):,} in all): "
            + ", ".join(f"{op} {r:,}" for op, r in MIX.items())
            + "; the reports consumer on every event they cause."
        )
        print_profile(recorder)
        print_table(partitions, args.top)


def print_profile(recorder: Recorder) -> None:
    """Capacity per operation (the sample's mean), the reports consumer's work apart."""
    wcu: dict[str, float] = defaultdict(float)
    rcu: dict[str, float] = defaultdict(float)
    for access, _ in recorder.accesses:
        units = units_of(access, recorder.sizes)
        if access.action == "write":
            size = recorder.sizes.get(access.key, 1) if access.key else 1
            units += sum(
                1 if index in _KEYS_ONLY else math.ceil(size / 1024) for index in access.index_keys
            )
            wcu[access.op] += units
        else:
            rcu[access.op] += units
    print(f"\n{'per operation (mean)':34} {'WCU':>6} {'RCU':>6} {'reports WCU':>11}")
    for op in MIX:
        done = recorder.instances[op]
        consumer = f"reports ({op})"
        print(
            f"{op:34} {wcu[op] / done:>6.1f} {rcu[op] / done:>6.1f} {wcu[consumer] / done:>11.1f}"
        )


def print_table(partitions: dict[str, Partition], top: int = 10) -> None:
    def heat(item: tuple[str, Partition]) -> float:
        p = item[1]
        return max(p.rate_wcu / WCU_LIMIT, p.rate_rcu / RCU_LIMIT)

    hottest = sorted(partitions.items(), key=heat, reverse=True)[:top]
    print(
        f"\n{'partition key':44} {'WCU/s':>9} {'of 1 000':>8} {'RCU/s':>9} {'of 3 000':>8}"
        "  operations"
    )
    for label, p in hottest:
        over = " OVER" if p.rate_wcu > WCU_LIMIT or p.rate_rcu > RCU_LIMIT else ""
        print(
            f"{label[:44]:44} {p.rate_wcu:>9,.0f} {p.rate_wcu / WCU_LIMIT:>8.0%} "
            f"{p.rate_rcu:>9,.0f} {p.rate_rcu / RCU_LIMIT:>8.0%}  "
            + ", ".join(sorted(p.ops))
            + over
        )
    own = [item for item in partitions.items() if "<id>" in item[0]]
    label, p = max(own, key=heat)
    print(
        f"\nhottest key of one entity (one operation on it per second): {label} "
        f"{p.rate_wcu:.0f} WCU/s, {p.rate_rcu:.1f} RCU/s"
    )
    above = sum(1 for p in partitions.values() if p.rate_wcu > WCU_LIMIT or p.rate_rcu > RCU_LIMIT)
    print(f"\npartitions above a limit: {above}")


if __name__ == "__main__":
    main()
