"""Local mode's event bus: tails the table's stream and records what the publisher would
send to EventBridge, using the same translation (``shared.events.from_stream_record``).

Like a Lambda event source mapping, the tail keeps its position: after each drain the last
sequence number processed in every shard is written to a small JSON file (``.local/`` in
the server; atomic replace), and a restart resumes each shard just after it
(``AFTER_SEQUENCE_NUMBER``) instead of re-reading the stream's whole retained history.
A shard never seen, or whose kept position is no longer in the stream (trimmed), is read
from ``TRIM_HORIZON``. A shard's children are read only once the shard itself is read to
its end, so a shard that closed while the server was down is finished first, then its
children from their start. Delivery is at least once: the position is written after the
subscribers ran, so a crash between the two delivers those records again (the consumers
are idempotent on event ids); a position written with another stream (a new table, an
in-memory DynamoDB Local) is ignored.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from shared.events import SOURCE, from_stream_record

# What GetShardIterator answers for a position no longer in the shard: AWS says
# TrimmedDataAccessException, DynamoDB Local a ValidationException ("Invalid SequenceNumber").
_LOST_POSITION = {"TrimmedDataAccessException", "ValidationException"}


class StreamPosition:
    """The last sequence number processed per shard of one stream, in a JSON file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self, stream_arn: str) -> dict[str, str]:
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(saved, dict) or saved.get("stream_arn") != stream_arn:
            return {}  # another stream's positions mean nothing here
        shards = saved.get("shards")
        return dict(shards) if isinstance(shards, dict) else {}

    def save(self, stream_arn: str, shards: dict[str, str]) -> None:
        """Write temp + ``os.replace``: a crash leaves the old file or the new, never half."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump({"stream_arn": stream_arn, "shards": shards}, out, sort_keys=True)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def parents_first(shards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The shards ordered so that a listed parent comes before its children."""
    listed = {s["ShardId"]: s for s in shards}
    ordered: list[dict[str, Any]] = []
    placed: set[str] = set()

    def place(shard: dict[str, Any]) -> None:
        shard_id = shard["ShardId"]
        if shard_id in placed:
            return
        placed.add(shard_id)
        parent = listed.get(shard.get("ParentShardId", ""))
        if parent is not None:
            place(parent)
        ordered.append(shard)

    for shard in shards:
        place(shard)
    return ordered


class StreamTail:
    """Reads every shard of a DynamoDB Local table stream, from where it stopped before when
    ``position`` is given (else from the start, as the bus did before it kept one)."""

    def __init__(
        self,
        endpoint: str,
        table: str,
        region: str = "us-east-1",
        position: StreamPosition | None = None,
    ):
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self.arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name=region)
        self.iterators: dict[str, str | None] = {}
        self.position = position
        # shard id -> last sequence number returned by poll() (committed by commit())
        self.sequences: dict[str, str] = position.load(self.arn) if position else {}
        self._committed = dict(self.sequences)

    def _shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: dict[str, str] = {}
        while True:
            page = self.streams.describe_stream(StreamArn=self.arn, **start)["StreamDescription"]
            shards.extend(page["Shards"])
            if not page.get("LastEvaluatedShardId"):
                return shards
            start = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]}

    def _iterator(self, shard_id: str) -> str:
        after = self.sequences.get(shard_id)
        if after is not None:
            try:
                return self.streams.get_shard_iterator(
                    StreamArn=self.arn,
                    ShardId=shard_id,
                    ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                    SequenceNumber=after,
                )["ShardIterator"]
            except ClientError as error:
                if error.response["Error"]["Code"] not in _LOST_POSITION:
                    raise
                self.sequences.pop(shard_id)  # trimmed: what is left of the shard, from its start
        return self.streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def poll(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        shards = parents_first(self._shards())
        listed = {shard["ShardId"] for shard in shards}
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if parent in listed and self.iterators.get(parent, "") is not None:
                continue  # the parent is not read to its end yet: its records come first
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self._iterator(shard_id)
            iterator = self.iterators[shard_id]
            while iterator:
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                records.extend(page["Records"])
                if page["Records"]:
                    self.sequences[shard_id] = page["Records"][-1]["dynamodb"]["SequenceNumber"]
                iterator = page.get("NextShardIterator")
                self.iterators[shard_id] = iterator  # None: a closed shard read to its end
                if not page["Records"]:
                    break
        # Positions of shards trimmed away are forgotten (the file stays small).
        self.sequences = {k: v for k, v in self.sequences.items() if k in listed}
        return records

    def commit(self) -> None:
        """Keep the positions of what poll() returned (call once it is processed)."""
        if self.position is not None and self.sequences != self._committed:
            self.position.save(self.arn, self.sequences)
            self._committed = dict(self.sequences)


# Events handed to a subscriber at once: as the stack's reports queue batches them
# (infra/catalog.py), so local mode counts a burst a batch at a time too.
BATCH = 1000


class LocalBus:
    """Records published events; ``drain()`` pulls whatever the stream has now and hands it
    to every subscriber in batches of up to ``batch`` events (in stream order)."""

    def __init__(
        self,
        tail: StreamTail,
        subscribers: list[Any] | None = None,
        ticks: list[Callable[[], Any]] | None = None,
        batch: int = BATCH,
    ):
        self.tail = tail
        self.batch = batch
        self.subscribers = list(subscribers or [])  # like EventBridge rules' targets
        self.ticks = list(ticks or [])  # run after every drain (e.g. the outbox's due sends)
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def drain(self) -> list[dict[str, Any]]:
        with self._lock:
            found = [event for record in self.tail.poll() for event in from_stream_record(record)]
            for start in range(0, len(found), self.batch):
                for subscriber in self.subscribers:
                    subscriber(found[start : start + self.batch])
            for event in found:
                self.events.append(
                    {
                        "source": SOURCE,
                        "detail-type": event.detail_type,
                        "detail": {"event_id": event.event_id, **event.detail},
                    }
                )
            # Processed: a restart resumes after these (a crash before this line re-delivers).
            self.tail.commit()
            for tick in self.ticks:
                tick()
            return list(self.events)

    def clear(self) -> None:
        """Forget what was recorded so far (what the stream holds now counts as recorded)."""
        self.drain()
        with self._lock:
            self.events.clear()

    def run_in_background(self, interval: float = 0.25) -> threading.Thread:
        def loop() -> None:
            while True:
                try:
                    self.drain()
                except Exception as exc:  # keep the local bus alive; report and go on
                    print(f"local bus: {exc!r}")
                time.sleep(interval)

        thread = threading.Thread(target=loop, name="local-bus", daemon=True)
        thread.start()
        return thread
