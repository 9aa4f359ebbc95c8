"""The reports consumer fed in batches (the ``reports`` queue), through the real handler:
each event counted once whatever the deliveries, a failed part of a batch reported and
counted once when delivered again, and the summary equal to the one the per-event consumer
of before (single ``REPORTS`` partition, ``ACTIVE#<day>`` markers) gave.

On DynamoDB Local, not moto: moto deep-copies the whole table for every item of a
transaction, so one 100-item transaction over a few thousand items takes seconds."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
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
from tests.reports_legacy import one_by_one, round_one
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
    for table in (cfg.table_name, cfg.counted_table_name):
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                if item["pk"]["S"].startswith(("REPORTS", "ACTIVE#", "AGG#")):
                    key = {"pk": item["pk"], "sk": item["sk"]}
                    client.delete_item(TableName=table, Key=key)


def same_report(new: dict[str, Any], old: dict[str, Any]) -> None:
    """Equal, active members within the sketch's bound (exact counters)."""

    def close(a: int, b: int) -> bool:
        return abs(a - b) <= BOUND * b

    new, old = copy.deepcopy(new), copy.deepcopy(old)
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


def expected(found: list[Event], end: str) -> dict[str, int]:
    """The all-time figures through ``end`` recomputed from the events, each once."""
    now, sums = clock.now(), Counter[str]()
    for event in {e.event_id: e for e in found}.values():
        counted = reports.numbers_of(event, now)
        if counted is not None and counted.day <= date.fromisoformat(end):
            sums.update(counted.totals)
    gone = sums["redeemed"] + sums["expired"] + sums["clawed_back"]
    return {"outstanding": sums["issued"] - gone, "members": sums["registered"]}


def report(api: Api, window: str = WINDOW) -> dict[str, Any]:
    answer = api.operator("GET", f"/v1/admin/reports/summary?{window}")
    assert answer.status == 200, answer.body
    return answer.body


def later(minutes: int) -> None:
    """Move the pinned clock on (past the fold's wait when > 15 minutes)."""
    clock.pin(clock.now() + timedelta(minutes=minutes))


def test_running_totals_count_each_event_once_and_match_the_days(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    for start in range(0, len(events), 250):
        assert deliver(events[start : start + 250], f"b{start}") == []
    assert deliver(events + events, "again") == []  # redelivered: not counted twice
    for shard in range(reports_repo.SHARDS):  # each shard's total is the sum of its days
        days = Counter[str]()
        for row in reports_repo.days_from(date.min, shard):
            if row.part is None:
                assert row.running
                days.update({f: row.totals[f] for f in reports_repo.ALL_TIME})
        assert reports_repo.running(shard).totals == {f: days[f] for f in reports_repo.ALL_TIME}
    answer = report(local_api)
    assert {k: answer[k] for k in ("outstanding", "members")} == expected(events, DAYS[-1])
    assert answer["members"] == MEMBERS
    monkeypatch.setattr(reports, "CONSISTENT_TRIES", 0)  # the days summed instead: the same
    assert report(local_api) == answer


def test_windows_ending_in_the_past_take_off_the_days_after(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deliver(events) == []
    for end in DAYS[:2]:
        answer = report(local_api, f"from=2027-01-01&to={end}")
        assert {k: answer[k] for k in ("outstanding", "members")} == expected(events, end)
        assert [d["date"] for d in answer["by_day"]] == [d for d in DAYS if d <= end]
    # a batch counted on a day after the window while the summary reads a shard: its first
    # read of the running totals does not hold it, its days do; read again, it is taken off
    late = business_events(members=6, seed=11)
    late = [Event(f"late-{e.event_id}", e.detail_type, e.detail) for e in late]
    late = [
        e for e in late if (c := reports.numbers_of(e, clock.now())) and c.day > date(2027, 1, 8)
    ]
    days_from, calls = reports_repo.days_from, Counter[int]()

    def meanwhile(first: date, shard: int | None = None) -> Iterator[reports_repo.Day]:
        if shard == 0 and first > date.min:  # not the days of before, read whole (no fold)
            if not calls[0]:
                assert not reports.consume(late, clock.now(), shard=0).failed
            calls[0] += 1
        return days_from(first, shard)

    monkeypatch.setattr(reports_repo, "days_from", meanwhile)
    answer = report(local_api, f"from=2027-01-01&to={DAYS[0]}")
    assert {k: answer[k] for k in ("outstanding", "members")} == expected(events, DAYS[0])
    assert calls[0] == 2  # read again
    monkeypatch.setattr(reports_repo, "days_from", days_from)
    now = report(local_api)
    assert {k: now[k] for k in ("outstanding", "members")} == expected(events + late, DAYS[-1])


def test_days_counted_before_the_running_totals_count_once_folded_or_not(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployed table: days of before issue 23 (``REPORTS``), days of the shards before the
    running totals (``DAY#<date>``), then the running totals: read whole until the fold's
    wait is over, then folded once and no longer read."""
    assert deliver(events) == []
    all_new = report(local_api)
    wipe_reports()
    now = clock.now()

    def on(days: set[str]) -> list[Event]:
        found = [(e, reports.numbers_of(e, now)) for e in events]
        return [e for e, c in found if c and c.day.isoformat() in days]

    one_by_one(on({DAYS[0]}))
    round_one(on({DAYS[1]}), shard=2)
    assert deliver(events) == []  # every event: those counted before are skipped
    same_report(report(local_api), all_new)
    assert reports_repo.base() is None  # a running total began less than 15 minutes ago
    past = report(local_api, f"from=2027-01-01&to={DAYS[0]}")
    later(16)
    same_report(report(local_api), all_new)  # folds
    folded, before = reports_repo.base(), expected(on({DAYS[0], DAYS[1]}), DAYS[-1])
    assert folded is not None and folded.totals["registered"] == before["members"]
    gone = sum(folded.totals[f] for f in ("redeemed", "expired", "clawed_back"))
    assert folded.totals["issued"] - gone == before["outstanding"]

    def unread() -> Iterator[reports_repo.Day]:
        raise AssertionError("the days of before are read again")

    monkeypatch.setattr(reports_repo, "old_days", unread)
    same_report(report(local_api), all_new)
    assert report(local_api, f"from=2027-01-01&to={DAYS[0]}") == past  # old days after it
    joined = [
        Event(
            f"join-{i}",
            MEMBER_REGISTERED,
            {"event_id": f"join-{i}", "member_id": f"n-{i}", "registered_at": f"{DAYS[2]}"},
        )
        for i in range(5)
    ]
    assert deliver(joined + joined) == []
    assert report(local_api)["members"] == all_new["members"] + 5
    assert reports_repo.base() == folded


def markers(table: str) -> set[str]:
    """The ``AGG#`` markers' event ids in ``table``."""
    cfg = settings()
    client = boto3.client("dynamodb", endpoint_url=cfg.dynamodb_endpoint, region_name="us-east-1")
    found: set[str] = set()
    for page in client.get_paginator("scan").paginate(TableName=table):
        found |= {i["pk"]["S"][4:] for i in page["Items"] if i["pk"]["S"].startswith("AGG#")}
    return found


def test_markers_go_to_the_counted_events_table_and_a_new_table_looks_nowhere_else(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unread(event_ids: Any) -> set[str]:
        raise AssertionError("a new installation has no markers of before to read")

    monkeypatch.setattr(reports_repo, "counted_before", unread)
    assert deliver(events) == []
    cfg = settings()
    assert markers(cfg.counted_table_name) == {e.event_id for e in events}
    assert markers(cfg.table_name) == set()  # none on the points table (nor its stream)
    assert reports_repo.legacy_markers_until(clock.now()) is None
    once = summary(local_api)
    assert deliver(events, "again") == []
    assert summary(local_api) == once


def test_markers_of_before_are_read_for_their_lifetime_after_the_switch(
    local_api: Api, events: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deployed table: events counted by the code of before (markers in the points table).
    Delivered again after the switch they are skipped; a marker of before still there after
    its lifetime (TTL deletes within days) is no longer looked at."""
    first, second = events[:200], events[200:400]
    one_by_one(first)
    counted_before = summary(local_api)
    switched = clock.now()
    assert deliver(first) == []  # counted before: skipped
    assert summary(local_api) == counted_before
    until = reports_repo.legacy_markers_until(clock.now())
    assert until is not None  # the switch is when the first batch came after it
    assert switched <= until - reports_repo.LEGACY_MARKERS <= clock.now()
    one_by_one(second)  # an old invocation still running meanwhile
    clock.pin(until - timedelta(minutes=1))
    assert deliver(second, "late") == []  # still looked up: skipped
    clock.pin(until)
    reads = Counter[int]()
    real = reports_repo.counted_before

    def counting(event_ids: Any) -> set[str]:
        reads[0] += 1
        return real(event_ids)

    monkeypatch.setattr(reports_repo, "counted_before", counting)
    assert deliver(events[400:], "rest") == []
    assert reads[0] == 0  # past the markers' lifetime: the points table is not read
    kept = summary(local_api)
    wipe_reports()
    assert deliver(events, "fresh") == []  # each event once, by the batch consumer alone
    # (orders carry no time: they count on the day they are counted, 14 days apart here)
    same_report({**kept, "top_items": []}, {**summary(local_api), "top_items": []})
