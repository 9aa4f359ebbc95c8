"""The publisher's business metrics from the table's real stream (DynamoDB Local): the
committed writes of a day in the programme, fed to the real publisher handler in batches
as the event source mapping delivers them, come out as EMF lines whose sums are what
happened — also when PutEvents fails part of a batch and the mapping retries from there."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from functions.publisher import handler as publisher
from local.gateway import LambdaContext
from shared.metrics import (
    DRAWS,
    HOLDS_CAPTURED,
    HOLDS_RELEASED,
    POINTS_EXPIRED,
    POINTS_ISSUED,
    POINTS_REDEEMED,
    REDEMPTIONS,
)
from tests.support import Api, at, emf_lines, lottery_body, member_with_points

pytestmark = pytest.mark.dynamodb_local
SHIP = {"method": "ship", "name": "A", "phone": "13800000000", "address": "X road 1"}
BATCH = 100  # the stack's event source mapping (infra/stack.py)


class EventBridge:
    """PutEvents answering as AWS does; the ``fail_once`` entries (numbered from 1 over all
    calls) fail the first time they are sent."""

    def __init__(self, fail_once: frozenset[int] = frozenset()):
        self.fail_once, self.sent = set(fail_once), 0

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # boto3's name
        results = []
        for _ in Entries:
            self.sent += 1
            failing = self.sent in self.fail_once
            self.fail_once.discard(self.sent)
            results.append({"ErrorCode": "InternalFailure"} if failing else {"EventId": "x"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def a_day_in_the_programme(api: Api) -> dict[str, int]:
    """m-1 earns 1 000 and spends in the mall, on a draw and at checkout; m-2 earns 1 000
    and has a hold released; then everything left expires. Returns the balances expired."""
    at("2027-01-10")
    member_with_points(api, "m-1", 1_000)  # 100 welcome + 900 for a purchase
    member_with_points(api, "m-2", 1_000)
    cup = {"name": "Cup", "kind": "gift", "points": 120, "stock": 5}
    assert api.operator("PUT", "/v1/admin/catalog/cup", cup).status in (200, 201)
    body = {"item_id": "cup", "quantity": 1, "delivery": SHIP}
    assert api.member("m-1", "POST", "/v1/redemptions", body).status == 201
    assert api.operator("PUT", "/v1/admin/lotteries/spring", lottery_body()).status in (200, 201)
    assert api.member("m-1", "POST", "/v1/lotteries/spring/draws").status == 201  # −50, +10
    for hold_id, member, points in (("h-1", "m-1", 600), ("h-2", "m-2", 200)):
        hold = {
            "hold_id": hold_id,
            "member_id": member,
            "order_id": f"order-{hold_id}",
            "order_amount": "100.00",
            "points": points,
        }
        assert api.system("POST", "/v1/holds", hold).status == 201
    assert api.system("POST", "/v1/holds/h-1/capture").status == 200
    assert api.system("POST", "/v1/holds/h-2/release").status == 200
    left = {m: api.member(m, "GET", "/v1/me").body["balance"] for m in ("m-1", "m-2")}
    at("2027-07-12", hour=3)
    assert api.operator("POST", "/v1/admin/jobs/expire/runs").status == 200
    return left


def deliver(records: list[dict[str, Any]], bus: EventBridge) -> int:
    """Run the publisher over ``records`` as the mapping does: batches of 100, a batch
    retried from its reported failure. Returns the number of invocations."""
    publisher._client = bus
    invocations, start = 0, 0
    while start < len(records):
        batch = records[start : start + BATCH]
        invocations += 1
        answer = publisher.lambda_handler({"Records": batch}, LambdaContext("publisher", "r"))
        failures = [f["itemIdentifier"] for f in answer["batchItemFailures"]]
        sequences = [r["dynamodb"]["SequenceNumber"] for r in batch]
        start += sequences.index(failures[0]) if failures else len(batch)
    return invocations


def summed(output: str) -> Counter[str]:
    total: Counter[str] = Counter()
    for line in emf_lines(output):
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert (directive["Namespace"], line["service"]) == ("LoyaltyPoints/dev", "publisher")
        for metric in directive["Metrics"]:
            total[metric["Name"]] += int(sum(line[metric["Name"]]))
    return total


@pytest.fixture
def stream(local_api: Api, monkeypatch: pytest.MonkeyPatch) -> Any:
    from local.bus import StreamTail
    from shared.settings import settings

    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "publisher")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "LoyaltyPoints/dev")
    monkeypatch.setattr(publisher, "_client", None)
    cfg = settings()
    return StreamTail(cfg.dynamodb_endpoint, cfg.table_name)


def test_the_publisher_counts_what_the_day_committed(
    local_api: Api, stream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    expired = a_day_in_the_programme(local_api)
    records = stream.poll()
    capsys.readouterr()

    deliver(records, EventBridge())

    assert summed(capsys.readouterr().out) == {
        POINTS_ISSUED: 2 * 1_000 + 10,  # welcome + purchase each, the draw's 10-points prize
        POINTS_REDEEMED: 120 + 50 + 600,  # the cup, the draw, the captured hold
        REDEMPTIONS: 1,
        DRAWS: 1,
        HOLDS_CAPTURED: 1,
        HOLDS_RELEASED: 1,
        POINTS_EXPIRED: expired["m-1"] + expired["m-2"],
    }
    assert expired == {"m-1": 1_000 + 10 - 120 - 50 - 600, "m-2": 1_000}


def test_a_batch_retried_after_a_failed_put_counts_each_record_once(
    local_api: Api, stream: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    a_day_in_the_programme(local_api)
    records = stream.poll()
    capsys.readouterr()
    deliver(records, EventBridge())
    once = summed(capsys.readouterr().out)

    invocations = deliver(records, EventBridge(fail_once=frozenset({3, 9, 12})))

    assert invocations > 1 + len(records) // BATCH  # the failures were retried
    assert summed(capsys.readouterr().out) == once
