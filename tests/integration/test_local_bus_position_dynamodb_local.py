"""Local mode's bus keeps its stream position across restarts (issue 23), on DynamoDB Local:
a restarted bus delivers the purchase made while it was down, within 2 s, and none of the
history it had already delivered; a position that is no longer in the stream or belongs to
another stream is read from the start."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from local.bus import LocalBus, StreamPosition, StreamTail
from shared import clock, reports
from shared.settings import settings
from tests.support import Api, at, purchase, register_member

pytestmark = pytest.mark.dynamodb_local


class Deliveries:
    """Every event id the bus hands its subscribers, with how often."""

    def __init__(self) -> None:
        self.count: Counter = Counter()

    def __call__(self, found: list[Any]) -> None:
        self.count.update(event.event_id for event in found)


def started(position: StreamPosition | None, deliveries: Deliveries) -> LocalBus:
    cfg = settings()
    return LocalBus(
        StreamTail(cfg.dynamodb_endpoint, cfg.table_name, position=position),
        subscribers=[deliveries, lambda found: reports.aggregate(found, clock.now())],
    )


@pytest.fixture
def history(local_api: Api) -> Any:
    at("2027-01-10")
    register_member(local_api, "m-bus")
    for n in range(15):
        assert purchase(local_api, "m-bus", f"o-old-{n}", "20").status == 201
    yield local_api
    clock.release()


def purchase_ids(events: list[dict[str, Any]]) -> list[str]:
    """The orders of the purchases' PointsEarned events (entry id ``purchase:<order_id>``)."""
    entries = [e["detail"].get("entry_id", "") for e in events]
    return [entry.removeprefix("purchase:") for entry in entries if entry.startswith("purchase:")]


def test_a_restart_delivers_only_what_came_after_the_kept_position(
    history: Api, tmp_path: Path
) -> None:
    position, deliveries = StreamPosition(tmp_path / "bus.json"), Deliveries()
    first = started(position, deliveries).drain()
    assert len(purchase_ids(first)) == 15
    before = Counter(deliveries.count)
    assert set(before.values()) == {1}

    assert purchase(history, "m-bus", "o-new", "20").status == 201  # while the bus is down
    restart = time.monotonic()
    again = started(position, deliveries).drain()
    took = time.monotonic() - restart

    assert purchase_ids(again) == ["o-new"]  # only what came after, nothing replayed
    assert took < 2, f"the new purchase waited {took:.2f} s"
    new = set(deliveries.count) - set(before)
    assert new and all(deliveries.count[event_id] == 1 for event_id in deliveries.count)
    saved = json.loads((tmp_path / "bus.json").read_text())
    assert saved["shards"] and all(seq.isdigit() for seq in saved["shards"].values())


def test_without_a_kept_position_a_restart_replays_the_history(history: Api) -> None:
    deliveries = Deliveries()
    started(None, deliveries).drain()
    assert purchase(history, "m-bus", "o-new", "20").status == 201
    assert len(purchase_ids(started(None, deliveries).drain())) == 16


def test_a_position_no_longer_in_the_shard_reads_it_from_its_start(
    history: Api, tmp_path: Path
) -> None:
    position = StreamPosition(tmp_path / "bus.json")
    started(position, Deliveries()).drain()
    saved = json.loads(position.path.read_text())
    # Below the shard's first record: what AWS answers for trimmed data (DynamoDB Local
    # says ValidationException, AWS TrimmedDataAccessException).
    saved["shards"] = {shard: "0" * 21 for shard in saved["shards"]}
    position.path.write_text(json.dumps(saved))

    assert len(purchase_ids(started(position, Deliveries()).drain())) == 15


def test_another_streams_position_is_ignored(history: Api, tmp_path: Path) -> None:
    position = StreamPosition(tmp_path / "bus.json")
    started(position, Deliveries()).drain()
    saved = json.loads(position.path.read_text())
    saved["stream_arn"] += "-of-a-deleted-table"
    position.path.write_text(json.dumps(saved))

    assert len(purchase_ids(started(position, Deliveries()).drain())) == 15
