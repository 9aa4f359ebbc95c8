"""The local bus's stream tail over shards that close and split (which DynamoDB Local does
not show on demand): a shard that closed while the server was down is finished from the kept
position before its children are read from their start, and the position is kept per shard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local import bus
from local.bus import StreamPosition, StreamTail, parents_first

ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2027-01-10T00:00:00.000"


def seq(n: int) -> str:
    return f"{n:021d}"


class FakeStreams:
    """A stream of shards, each a list of sequence numbers; ``closed`` shards end."""

    def __init__(self, shards: list[dict[str, Any]], records: dict[str, list[int]]):
        self.shards, self.records, self.closed = (
            shards,
            records,
            {s["ShardId"] for s in shards if "EndingSequenceNumber" in s["SequenceNumberRange"]},
        )

    def describe_stream(self, StreamArn: str, **_: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": self.shards}}

    def get_shard_iterator(
        self, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber: str = ""
    ) -> dict[str, Any]:
        numbers = self.records[ShardId]
        if ShardIteratorType == "TRIM_HORIZON":
            return {"ShardIterator": f"{ShardId}|0"}
        after = int(SequenceNumber)
        return {"ShardIterator": f"{ShardId}|{sum(1 for n in numbers if n <= after)}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard_id, _, at = ShardIterator.partition("|")
        page = self.records[shard_id][int(at) : int(at) + 2]  # small pages
        end = int(at) + len(page)
        page_records = [{"dynamodb": {"SequenceNumber": seq(n)}, "n": n} for n in page]
        done = shard_id in self.closed and end == len(self.records[shard_id])
        return {"Records": page_records} | (
            {} if done else {"NextShardIterator": f"{shard_id}|{end}"}
        )


class FakeTable:
    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"LatestStreamArn": ARN}}


PARENT = {
    "ShardId": "shardId-parent",
    "SequenceNumberRange": {"StartingSequenceNumber": seq(1), "EndingSequenceNumber": seq(5)},
}
CHILD = {
    "ShardId": "shardId-child",
    "ParentShardId": "shardId-parent",
    "SequenceNumberRange": {"StartingSequenceNumber": seq(6)},
}


def tail(monkeypatch: pytest.MonkeyPatch, streams: FakeStreams, position: StreamPosition):
    clients = {"dynamodb": FakeTable(), "dynamodbstreams": streams}
    monkeypatch.setattr(bus.boto3, "client", lambda name, **_: clients[name])
    return StreamTail("http://127.0.0.1:1", "t", position=position)


def test_a_shard_closed_while_down_is_finished_before_its_children(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    position = StreamPosition(tmp_path / "bus.json")
    position.save(ARN, {"shardId-parent": seq(3)})  # stopped in the middle of the parent
    # Listed child first: the tail must still read the parent's rest before the child.
    streams = FakeStreams(
        [CHILD, PARENT], {"shardId-parent": [1, 2, 3, 4, 5], "shardId-child": [6, 7, 8]}
    )

    first = tail(monkeypatch, streams, position)
    assert [r["n"] for r in first.poll()] == [4, 5, 6, 7, 8]
    first.commit()

    assert position.load(ARN) == {"shardId-parent": seq(5), "shardId-child": seq(8)}
    streams.records["shardId-child"].append(9)
    assert [r["n"] for r in tail(monkeypatch, streams, position).poll()] == [9]


def test_a_child_waits_while_its_open_parent_still_has_records(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    open_parent = {"ShardId": "shardId-parent", "SequenceNumberRange": {}}
    streams = FakeStreams([open_parent, CHILD], {"shardId-parent": [1], "shardId-child": [6]})
    reader = tail(monkeypatch, streams, StreamPosition(tmp_path / "bus.json"))

    assert [r["n"] for r in reader.poll()] == [1]  # the parent has not ended: no child yet
    streams.closed.add("shardId-parent")
    assert [r["n"] for r in reader.poll()] == [6]


def test_positions_are_written_only_on_commit_and_atomically(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    position = StreamPosition(tmp_path / "bus.json")
    streams = FakeStreams([PARENT], {"shardId-parent": [1, 2, 3, 4, 5]})
    reader = tail(monkeypatch, streams, position)
    reader.poll()
    assert (
        position.load(ARN) == {}
    )  # polled, not processed: a crash now re-delivers (at least once)
    reader.commit()
    assert position.load(ARN) == {"shardId-parent": seq(5)}
    assert [p.name for p in tmp_path.iterdir()] == ["bus.json"]  # no temp file left behind


def test_parents_come_before_children() -> None:
    grandchild = {"ShardId": "g", "ParentShardId": "shardId-child"}
    ordered = parents_first([grandchild, CHILD, PARENT])
    assert [s["ShardId"] for s in ordered] == ["shardId-parent", "shardId-child", "g"]
