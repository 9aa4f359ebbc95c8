"""Test helpers: an HTTP-shaped client that drives the real handlers through the gateway,
and the builders that set a test's world up through it (members, purchases)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from local.gateway import Gateway
from local.tokens import TokenSigner

if TYPE_CHECKING:
    from shared.domain.rebates import RebateCampaign

SECRET = "test-secret-not-for-production-0123456789"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Result:
    status: int
    body: Any

    @property
    def code(self) -> str | None:
        return (
            (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None
        )


class Api:
    """Calls routes exactly as the local server does (token check, payload v2, handler)."""

    def __init__(self, gateway: Gateway | None = None):
        self.gateway = gateway or Gateway(TokenSigner(SECRET))

    def token(self, sub: str, *groups: str) -> str:
        return self.gateway.signer.sign(sub, list(groups))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Result:
        hdrs = dict(headers or {})
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        reply = self.gateway.handle(method, path, hdrs, data)
        if not reply.headers.get("content-type", "application/json").startswith("application/json"):
            return Result(reply.status, reply.body)  # a document, e.g. a text/csv export
        return Result(reply.status, json.loads(reply.body) if reply.body else None)

    # Callers by role.
    def system(self, method: str, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call(method, path, body, token=self.token("shop-orders", "systems"), **kw)

    def operator(self, method: str, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call(method, path, body, token=self.token("op-1", "operators"), **kw)

    def member(self, member_id: str, method: str, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call(method, path, body, token=self.token(member_id), **kw)


def new_key() -> dict[str, str]:
    """A fresh ``Idempotency-Key`` header: one per action, as the front ends send it
    (adjustments and transfers require one). A test of a retry reuses the same header."""
    return {"Idempotency-Key": uuid.uuid4().hex}


def transfer(api: Api, sender: str, body: dict[str, Any], key: str | None = None) -> Result:
    """``sender`` gives points (``body``: ``to_member_id``, ``points``, ``message``?) with an
    Idempotency-Key of its own (``key``: a retry's)."""
    headers = {"Idempotency-Key": key} if key else new_key()
    return api.member(sender, "POST", "/v1/me/transfers", body, headers=headers)


def adjust(api: Api, member_id: str, body: dict[str, Any], key: str | None = None) -> Result:
    """An operator adjusts ``member_id``'s points (``body``: ``points``, ``reason``...) with an
    Idempotency-Key of its own (``key``: a retry's)."""
    headers = {"Idempotency-Key": key} if key else new_key()
    return api.operator("POST", f"/v1/admin/members/{member_id}/adjustments", body, headers=headers)


def at(day: str, hour: int = 10, minute: int = 0) -> None:
    """Pin the shared clock to ``day`` (ISO date) at hour:minute, Asia/Shanghai time."""
    from shared import clock

    clock.pin(datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI))


def register(api: Api, member_id: str, **fields: Any) -> Result:
    """Ask to register ``member_id`` as the shop's system does; the answer, whatever it is."""
    return api.system("POST", "/v1/members", {"member_id": member_id, **fields})


def register_member(api: Api, member_id: str = "m-1", **fields: Any) -> str:
    """A registered ``member_id`` (with the welcome points); returns the id."""
    res = register(api, member_id, **fields)
    assert res.status == 201, res.body
    return member_id


def purchase(api: Api, member_id: str, order_id: str, amount: str, **fields: Any) -> Result:
    """Report a purchase of ``amount`` (a decimal string) as the shop's order system does."""
    body = {"order_id": order_id, "member_id": member_id, "amount": amount, **fields}
    return api.system("POST", "/v1/purchases", body)


def refund(api: Api, refund_id: str, order_id: str, amount: str, **fields: Any) -> Result:
    """Report a refund of ``amount`` of order ``order_id`` as the shop's order system does."""
    body = {"refund_id": refund_id, "order_id": order_id, "amount": amount, **fields}
    return api.system("POST", "/v1/refunds", body)


def member_with_points(api: Api, member_id: str = "m-1", points: int = 1_000) -> str:
    """A registered member holding ``points`` (the 100 welcome points + a purchase of the
    rest at the default rate, order ``o-<member_id>``)."""
    register_member(api, member_id)
    if points > 100:
        assert purchase(api, member_id, f"o-{member_id}", str(points - 100)).status == 201
    return member_id


def lottery_prize(prize_id: str, name: str, kind: str, weight: int = 1, **fields: Any) -> dict:
    """One prize of a lottery's pool (``item_id``, ``stock``, ``cash``... as ``fields``)."""
    return {"prize_id": prize_id, "name": name, "kind": kind, "weight": weight, **fields}


def points_prize(prize_id: str = "p-10", weight: int = 1, points: int = 10, **kw: Any) -> dict:
    """A prize of ``points`` points, named "<points> points"; ``kw`` adds or replaces fields."""
    return {**lottery_prize(prize_id, f"{points} points", "points", weight, points=points), **kw}


def lottery_body(**fields: Any) -> dict:
    """A lottery definition as operators PUT it: "Spring draw", 50 points a draw, 3 a day,
    open through January 2027, one 10-points prize; ``fields`` replace any of these."""
    return {
        "name": "Spring draw",
        "cost": 50,
        "daily_limit": 3,
        "starts_at": "2027-01-01T00:00:00+08:00",
        "ends_at": "2027-02-01T00:00:00+08:00",
        "prizes": [points_prize()],
        **fields,
    }


def rebate_body(**fields: Any) -> dict:
    """A rebate campaign as operators PUT it: December 2026 (Shanghai time), points payout,
    spend ladder >=1 000 -> 2 %, >=5 000 -> 3 %, >=10 000 -> 5 %, referral 1 %; ``fields``
    replace any of these."""
    return {
        "name": "Year-end rebate",
        "starts_at": "2026-12-01T00:00:00+08:00",
        "ends_at": "2027-01-01T00:00:00+08:00",
        "payout": "points",
        "spend_ladder": [
            {"min_amount": "1000", "rate": "2"},
            {"min_amount": "5000", "rate": "3"},
            {"min_amount": "10000", "rate": "5"},
        ],
        "referral_rate": "1",
        **fields,
    }


def december_campaign(campaign_id: str = "ye", **rules: Any) -> RebateCampaign:
    """A rebate campaign as the domain holds it: December 2026 (UTC), points payout, named
    "Year-end"; ``rules`` give its ladders, SKUs, bundles, referral rate (and may rename it)."""
    from shared.domain.rebates import RebateCampaign

    fields = {
        "name": "Year-end",
        "starts_at": datetime(2026, 12, 1, tzinfo=UTC),
        "ends_at": datetime(2027, 1, 1, tzinfo=UTC),
        "payout": "points",
        **rules,
    }
    return RebateCampaign(campaign_id=campaign_id, **fields)


def spend(member_id: str, points: int, ref: str) -> None:
    """Set-up helper: spend points the way every spending path does (one transaction with
    the guarded debit), for tests of features that only need *a* spend to have happened."""
    from shared import clock
    from shared.domain.ledger import Debit
    from shared.dynamodb import ledger
    from shared.dynamodb.tx import Tx

    tx = Tx()
    debit = Debit(member_id, "redeem", "test", ref, points, clock.now(), "test spend")
    ledger.add_debit(tx, debit)
    tx.commit()


def table_items() -> list[dict[str, Any]]:
    """Every item of the tests' table, in key order (DynamoDB JSON): compare two of these to
    show that a refused request changed nothing."""
    from shared.dynamodb import connection
    from shared.settings import settings

    client = connection.connection().client  # the handlers' own client
    items, kwargs = [], {"TableName": settings().table_name}
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def load_demo(api: Api) -> None:
    """Load local mode's demo data (``local/demo.py``) as the local server does: a systems
    and an operator caller; any error but a GET's 404 fails the test."""
    from local.demo import load

    def caller(token: str) -> Any:
        def call(method: str, path: str, body: Any = None) -> int:
            res = api.call(method, path, body, token=token)
            assert res.status < 400 or (method, res.status) == ("GET", 404), res
            return res.status

        return call

    load(caller(api.token("demo", "systems")), caller(api.token("demo", "operators")))


def emf_lines(output: str) -> list[dict[str, Any]]:
    """The CloudWatch embedded-metric-format lines in printed ``output`` (the business
    metrics a handler flushed, shared/metrics.py), parsed."""
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    return [line for line in lines if "CloudWatchMetrics" in line["_aws"]]


@contextmanager
def conflicting(times: int = 1) -> Iterator[list[str]]:
    """The next ``times`` TransactWriteItems of the handlers' client are cancelled as DynamoDB
    cancels one that meets another transaction in progress on its item (TransactionConflict),
    before it is sent: nothing written. Yields the operations refused so far."""
    from botocore.awsrequest import AWSResponse

    from shared.dynamodb import connection

    refused: list[str] = []
    parsed = {
        "Error": {"Code": "TransactionCanceledException", "Message": "[TransactionConflict]"},
        "CancellationReasons": [{"Code": "TransactionConflict", "Message": "ongoing"}],
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }

    def cancel(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if len(refused) >= times:
            return None
        refused.append("TransactWriteItems")
        return AWSResponse("http://127.0.0.1", 400, {}, None), parsed

    events = connection.connection().client.meta.events
    event = "before-call.dynamodb.TransactWriteItems"
    events.register_first(event, cancel)
    try:
        yield refused
    finally:
        events.unregister(event, cancel)
