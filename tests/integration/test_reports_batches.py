"""The reports consumer fed in batches (the ``reports`` queue), through the real handler:
each event counted once whatever the deliveries, a failed part of a batch reported and
counted once when delivered again, and the summary equal to the one the per-event consumer
of before (single ``REPORTS`` partition, ``ACTIVE#<day>`` markers) gave.

On DynamoDB Local, not moto: moto deep-copies the whole table for every item of a
transaction, so one 100-item transaction over a few thousand items takes seconds."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from functions.reports.handler import lambda_handler
from local.gateway import LambdaContext
from shared import clock, reports
from shared.dynamodb import reports as reports_repo
from shared.events import (
    LEDGER_EVENTS,
    MEMBER_REGISTERED,
    ORDER_PLACED,
    ORDER_STATUS_CHANGED,
    SOURCE,
    Event,
)
from shared.settings import settings
from tests.reports_legacy import one_by_one
from tests.support import Api, at

MEMBERS = 90
DAYS = ("2027-01-08", "2027-01-09", "2027-01-10")
WINDOW = "from=2027-01-01&to=2027-01-10"
pytestmark = pytest.mark.dynamodb_local
BOUND = 0.025  # the sketch's documented error
CONTEXT = LambdaContext("reports", "req-1")


def business_events(members: int = MEMBERS, seed: int = 7) -> list[Event]:
    """Registrations, earnings, redemptions (with their orders, some cancelled), expiries,
    clawbacks, transfers over three days: what the stream would carry."""
    rng = random.Random(seed)
    found: list[Event] = []
    n = 0

    def add(detail_type: str, detail: dict[str, Any]) -> None:
        nonlocal n
        n += 1
        found.append(Event(f"ev-{n}", detail_type, {"event_id": f"ev-{n}", **detail}))

    for m in range(members):
        member, day = f"m-{m}", DAYS[m % 3]
        add(MEMBER_REGISTERED, {"member_id": member, "registered_at": f"{day}T09:00:00+08:00"})
        for k in range(rng.randint(1, 4)):
            when = f"{DAYS[(m + k) % 3]}T1{k}:00:00+08:00"
            points = rng.randint(1, 500)
            source = rng.choice(("purchase", "checkin", "task"))
            ledger = {"member_id": member, "at": when, "points": points, "source": source}
            add(LEDGER_EVENTS["earn"], {"type": "earn", **ledger})
            if rng.random() < 0.3:
                item = rng.choice(("cup", "mug", "c-10"))
                spent = {**ledger, "points": -points // 2, "source": "redeem"}
                add(LEDGER_EVENTS["redeem"], {"type": "redeem", **spent})
                add(ORDER_PLACED, {"member_id": member, "item_id": item, "quantity": 1})
                if rng.random() < 0.3:
                    cancelled = {"item_id": item, "quantity": 1, "status": "cancelled"}
                    add(ORDER_STATUS_CHANGED, {"member_id": member, **cancelled})
            if rng.random() < 0.1:
                kind = rng.choice(("expire", "clawback", "transfer_out"))
                gone = {**ledger, "points": -rng.randint(1, 50), "source": kind}
                add(LEDGER_EVENTS[kind], {"type": kind, **gone})
    return found


def record(event: Event, message: str) -> dict[str, Any]:
    body = {"id": f"eb-{message}", "source": SOURCE, "detail-type": event.detail_type}
    return {"messageId": message, "body": json.dumps({**body, "detail": event.detail})}


def deliver(found: list[Event], prefix: str = "msg") -> list[str]:
    """One SQS batch through the handler; the message ids it reports failed."""
    records = [record(event, f"{prefix}-{i}") for i, event in enumerate(found)]
    answer = lambda_handler({"Records": records}, CONTEXT)
    return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


def summary(api: Api) -> dict[str, Any]:
    answer = api.operator("GET", f"/v1/admin/reports/summary?{WINDOW}")
    assert answer.status == 200, answer.body
    return answer.body


def wipe_reports() -> None:
    """Forget every report item and marker (as a fresh table)."""
    cfg = settings()
    client = boto3.client("dynamodb", endpoint_url=cfg.dynamodb_endpoint, region_name="us-east-1")
    table = cfg.table_name
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item["pk"]["S"].startswith(("REPORTS", "ACTIVE#", "AGG#")):
                client.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def same_report(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Equal, active members within the sketch's bound (exact counters)."""

    def close(a: int, b: int) -> bool:
        return abs(a - b) <= BOUND * b

    assert close(new["active_members"], old["active_members"])
    for day_new, day_old in zip(new["by_day"], old["by_day"], strict=True):
        assert close(day_new.pop("active"), day_old.pop("active")), day_old["date"]
    assert {**new, "active_members": 0} == {**old, "active_members": 0}


@pytest.fixture
def events(local_api: Api) -> Iterator[list[Event]]:
    at(DAYS[-1], hour=20)
    yield business_events()


def test_a_batch_counts_like_the_per_event_consumer_did(
    local_api: Api, events: list[Event]
) -> None:
    one_by_one(events)
    before = summary(local_api)
    assert abs(before["active_members"] - MEMBERS) <= BOUND * MEMBERS and before["top_items"]
    wipe_reports()
    for start in range(0, len(events), 250):
        assert deliver(events[start : start + 250], f"b{start}") == []
    same_report(summary(local_api), before)


def test_duplicates_in_a_batch_and_across_batches_count_once(
    local_api: Api, events: list[Event]
) -> None:
    deliver(events)
    once = summary(local_api)
    # the same events again: in one batch twice over, then shuffled into smaller batches
    assert deliver(events + events, "again") == []
    shuffled = random.Random(3).sample(events, len(events))
    for start in range(0, len(shuffled), 97):
        assert deliver(shuffled[start : start + 97], f"s{start}") == []
    assert summary(local_api) == once


def test_a_failed_part_of_a_batch_is_reported_and_counted_once_when_redelivered(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(events)
    expected = summary(local_api)
    wipe_reports()
    count_once, failing = reports_repo.count_once, {"day": DAYS[1]}

    def flaky(shard: int, day: Any, chunk: dict[str, Any], now: Any) -> set[str]:
        if day.isoformat() == failing["day"]:  # one day's second transaction fails
            failing["day"] = ""
            count_once(shard, day, dict(list(chunk.items())[:10]), now)  # and half-written?
            raise RuntimeError("throttled")
        return count_once(shard, day, chunk, now)

    monkeypatch.setattr(reports_repo, "count_once", flaky)
    batch = [*events[:300], Event("bad", "", {})]
    records = [record(e, f"m-{i}") for i, e in enumerate(batch)]
    records[-1]["body"] = "not json"
    failed = lambda_handler({"Records": records}, CONTEXT)["batchItemFailures"]
    failed_ids = {f["itemIdentifier"] for f in failed}
    on_day = {
        f"m-{i}"
        for i, e in enumerate(events[:300])
        if reports.numbers_of(e, clock.now()) is not None
        and reports.numbers_of(e, clock.now()).day.isoformat() == DAYS[1]
    }
    assert f"m-{len(batch) - 1}" in failed_ids  # the record that is no event
    assert failed_ids - {f"m-{len(batch) - 1}"} <= on_day  # only the failed day's events
    assert len(failed_ids) > 1
    # SQS delivers the failed messages again (the whole batch, to be sure), then the rest
    retried = [e for i, e in enumerate(events[:300]) if f"m-{i}" in failed_ids]
    assert deliver(retried, "retry") == []
    assert deliver(events[:300], "again") == []
    assert deliver(events[300:], "rest") == []
    assert summary(local_api) == expected


def test_old_days_and_new_batches_are_summed(local_api: Api, events: list[Event]) -> None:
    """A deployed table: days counted the old way, the rest by batches (no migration)."""
    assert deliver(events) == []
    before = summary(local_api)
    wipe_reports()
    now = clock.now()
    old_days = {DAYS[0], DAYS[1]}

    def day_of(event: Event) -> str | None:
        counted = reports.numbers_of(event, now)
        return counted.day.isoformat() if counted else None

    one_by_one([e for e in events if day_of(e) in old_days])
    assert deliver(events) == []  # every event: those counted the old way are skipped
    same_report(summary(local_api), before)
