"""Local mode's event bus: tails the table's stream and records what the publisher would
send to EventBridge, using the same translation (``shared.events.from_stream_record``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3

from shared.events import SOURCE, from_stream_record


class StreamTail:
    """Reads every shard of a DynamoDB Local table stream from its start."""

    def __init__(self, endpoint: str, table: str, region: str = "us-east-1"):
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self.arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, region_name=region)
        self.iterators: dict[str, str | None] = {}

    def poll(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        shards = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            iterator = self.iterators[shard_id]
            while iterator:
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                records.extend(page["Records"])
                iterator = page.get("NextShardIterator")
                self.iterators[shard_id] = iterator
                if not page["Records"]:
                    break
        return records


class LocalBus:
    """Records published events; ``drain()`` pulls whatever the stream has now."""

    def __init__(
        self,
        tail: StreamTail,
        subscribers: list[Any] | None = None,
        ticks: list[Callable[[], Any]] | None = None,
    ):
        self.tail = tail
        self.subscribers = list(subscribers or [])  # like EventBridge rules' targets
        self.ticks = list(ticks or [])  # run after every drain (e.g. the outbox's due sends)
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def drain(self) -> list[dict[str, Any]]:
        with self._lock:
            for record in self.tail.poll():
                found = from_stream_record(record)
                for subscriber in self.subscribers:
                    subscriber(found)
                for event in found:
                    self.events.append(
                        {
                            "source": SOURCE,
                            "detail-type": event.detail_type,
                            "detail": {"event_id": event.event_id, **event.detail},
                        }
                    )
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
