"""`make redrive` / `make replay` (ops/failures.py) against moto's SQS, S3 and EventBridge
(archives and replays). Lambda is the one boundary faked: moto's Lambda runs functions in
Docker, so invocations go to a recorder (or, for the publisher, to its real handler in this
process). Routing, parsing and delete-only-after-success are the code under test."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ops import failures
from ops.failures import RedriveError
from shared.settings import ENV_EVENT_BUS_NAME, settings

STAGE = "dev"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
EXPIRE_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{failures.name(STAGE, 'expire')}"
REPORTS_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{failures.name(STAGE, 'reports')}"
PUBLISHER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{failures.name(STAGE, 'publisher')}"


class RecordingInvoker:
    """Records each invocation; ``fail``: functions whose invocation raises; ``answers``:
    what a synchronous call returns per function."""

    def __init__(self, fail: set[str] = frozenset(), answers: Mapping[str, Any] = {}) -> None:
        self.started: list[tuple[str, dict]] = []
        self.called: list[tuple[str, dict]] = []
        self._fail, self._answers = fail, answers

    def start(self, function: str, payload: Mapping[str, Any]) -> None:
        if function in self._fail:
            raise RedriveError(f"{function}: throttled")
        self.started.append((function, dict(payload)))

    def call(self, function: str, payload: Mapping[str, Any]) -> Any:
        if function in self._fail:
            raise RedriveError(f"{function}: Unhandled")
        self.called.append((function, dict(payload)))
        return self._answers.get(function, {"batchItemFailures": []})


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def _queue(name: str, **attributes: str) -> str:
    return boto3.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def _bodies(url: str) -> list[str]:
    """Every message visible in the queue (received, then made visible again)."""
    sqs = boto3.client("sqs")
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(m["Body"] for m in found.get("Messages", []))


def _invocation_record(function_arn: str, payload: dict) -> str:
    """What Lambda puts in an on-failure queue after an asynchronous invocation failed."""
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": "2026-11-30T03:05:00.000Z",
            "requestContext": {
                "requestId": "r-1",
                "functionArn": f"{function_arn}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3,
            },
            "requestPayload": payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorMessage": "boom"},
        }
    )


def test_failed_invocations_are_invoked_again_with_their_event_and_then_deleted(aws) -> None:
    url = _queue(failures.async_failures_queue(STAGE, "expire"))
    sqs = boto3.client("sqs")
    for job in ("expire", "expiry-reminders"):
        sqs.send_message(QueueUrl=url, MessageBody=_invocation_record(EXPIRE_ARN, {"job": job}))
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    invoker = RecordingInvoker()

    report = failures.redrive_queue(sqs, failures.async_failures_queue(STAGE, "expire"), invoker)

    assert sorted(invoker.started, key=str) == [
        (f"{EXPIRE_ARN}:$LATEST", {"job": "expire"}),
        (f"{EXPIRE_ARN}:$LATEST", {"job": "expiry-reminders"}),
    ]
    assert report.redriven == 2
    assert len(report.kept) == 1 and "not JSON" in report.kept[0]
    assert _bodies(url) == ["not json"]  # only what could not be routed stays, visible again


def test_a_message_whose_invocation_fails_stays_in_the_queue(aws) -> None:
    url = _queue(failures.async_failures_queue(STAGE, "expire"))
    sqs = boto3.client("sqs")
    record = _invocation_record(EXPIRE_ARN, {"job": "expire"})
    sqs.send_message(QueueUrl=url, MessageBody=record)

    report = failures.redrive_messages(
        sqs, url, RecordingInvoker(fail={f"{EXPIRE_ARN}:$LATEST"}), wait_s=0
    )

    assert report.redriven == 0 and "throttled" in report.kept[0]
    assert _bodies(url) == [record]


def test_a_dry_run_invokes_and_deletes_nothing(aws) -> None:
    url = _queue(failures.async_failures_queue(STAGE, "expire"))
    sqs = boto3.client("sqs")
    record = _invocation_record(EXPIRE_ARN, {"job": "expire"})
    sqs.send_message(QueueUrl=url, MessageBody=record)
    invoker = RecordingInvoker()

    report = failures.redrive_messages(sqs, url, invoker, dry_run=True, wait_s=0)

    assert invoker.started == []
    assert report.planned == [f"{report.planned[0].split(':')[0]}: {EXPIRE_ARN}:$LATEST <- event"]
    assert report.redriven == 0 and _bodies(url) == [record]


def test_an_undelivered_event_goes_to_the_rules_target_only(aws) -> None:
    """The reports rule's DLQ: the body is the event, the target in EventBridge's attributes."""
    url = _queue(failures.events_dlq(STAGE, "reports"))
    sqs = boto3.client("sqs")
    event = {
        "id": "e-1",
        "source": "loyalty.points",
        "detail-type": "PointsEarned.v1",
        "detail": {"event_id": "MEMBER#m-1|LEDGER#1", "points": 10},
    }
    attributes = {
        "TARGET_ARN": {"DataType": "String", "StringValue": REPORTS_ARN},
        "ERROR_CODE": {"DataType": "String", "StringValue": "SDK_CLIENT_ERROR"},
    }
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event), MessageAttributes=attributes)
    lost = dict(event, id="e-2")  # without the target: cannot be routed, stays
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(lost))
    invoker = RecordingInvoker()

    report = failures.redrive_queue(sqs, failures.events_dlq(STAGE, "reports"), invoker)

    assert invoker.started == [(REPORTS_ARN, event)]
    assert report.redriven == 1 and "not a function" in report.kept[0]
    assert _bodies(url) == [json.dumps(lost)]


class MoveTasks:
    """moto's SQS without StartMessageMoveTask (not implemented in moto 5.2): those two
    calls recorded and answered as SQS does; everything else is moto's."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self.started: list[dict] = []

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._sqs, attribute)

    def start_message_move_task(self, **request: Any) -> dict:
        self.started.append(request)
        return {"TaskHandle": "task-1"}

    def list_message_move_tasks(self, **request: Any) -> dict:
        return {
            "Results": [
                {
                    "TaskHandle": "task-1",
                    "Status": "COMPLETED",
                    "SourceArn": request["SourceArn"],
                    "ApproximateNumberOfMessagesMoved": 2,
                }
            ]
        }


def test_a_work_queues_dead_letter_queue_is_moved_back_to_that_queue(aws) -> None:
    dlq = _queue(failures.name(STAGE, "notices-dlq"))
    sqs = boto3.client("sqs")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
    notices = _queue(failures.name(STAGE, "notices"), RedrivePolicy=policy)
    notices_arn = sqs.get_queue_attributes(QueueUrl=notices, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    for n in range(2):
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"id": f"e-{n}"}))
    recorded = MoveTasks(sqs)
    invoker = RecordingInvoker()

    planned = failures.redrive_queue(
        recorded, failures.name(STAGE, "notices-dlq"), invoker, dry_run=True
    )
    assert recorded.started == []
    assert planned.planned == [f"2 messages: move {dlq_arn} -> {notices_arn}"]

    report = failures.move_back(recorded, dlq, notices, sleep=lambda _: None)

    assert recorded.started == [{"SourceArn": dlq_arn, "DestinationArn": notices_arn}]
    assert report.redriven == 2 and report.kept == [] and invoker.started == []


# --- the publisher's failed stream batches (S3) ------------------------------------------------


def _stream_record(pk: str, sk: str, sequence: str, points: int) -> dict:
    image = {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "evt_id": {"S": f"{pk}|{sk}"},
        "evt_type": {"S": "PointsExpiringSoon.v1"},
        "evt_detail": {"S": json.dumps({"member_id": "m-1", "points": points})},
    }
    return {
        "eventID": sequence,
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": sequence,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def _failed_batch(records: list[dict], as_text: bool = True) -> bytes:
    """What Lambda writes to an S3 on-failure destination for a stream batch: the invocation
    record with the whole event as ``payload``."""
    payload = {"Records": records}
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": "2026-11-30T03:05:00.000Z",
            "requestContext": {
                "requestId": "r-2",
                "functionArn": PUBLISHER_ARN,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 11,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "DDBStreamBatchInfo": {
                "shardId": "shardId-1",
                "batchSize": len(records),
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            },
            "payload": json.dumps(payload) if as_text else payload,
        }
    ).encode()


BUCKET = failures.stream_failures_bucket(STAGE, ACCOUNT, REGION)


def _bucket_with(objects: dict[str, bytes]) -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return s3


def _keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_failed_batches_go_back_to_the_publisher_and_are_deleted_once_published(aws) -> None:
    one = [_stream_record("MEMBER#m-1", "EXPIRING#1", "100", 5)]
    two = [_stream_record("MEMBER#m-2", "EXPIRING#2", "200", 7)]
    s3 = _bucket_with(
        {
            "aws/lambda/esm-1/shard-1/2026/11/30/a": _failed_batch(one),
            "aws/lambda/esm-1/shard-1/2026/11/30/b": _failed_batch(two, as_text=False),
            "aws/lambda/esm-1/shard-1/2026/11/30/c": b"{}",
        }
    )
    invoker = RecordingInvoker()

    report = failures.redrive_stream_failures(s3, BUCKET, invoker)

    assert sorted(invoker.called, key=str) == [
        (PUBLISHER_ARN, {"Records": one}),
        (PUBLISHER_ARN, {"Records": two}),
    ]
    assert report.redriven == 2 and "no stream records" in report.kept[0]
    assert _keys(s3) == ["aws/lambda/esm-1/shard-1/2026/11/30/c"]


def test_a_batch_the_publisher_still_fails_stays_in_the_bucket(aws) -> None:
    key = "aws/lambda/esm-1/shard-1/2026/11/30/a"
    s3 = _bucket_with({key: _failed_batch([_stream_record("MEMBER#m-1", "E#1", "100", 5)])})
    partly = RecordingInvoker(
        answers={PUBLISHER_ARN: {"batchItemFailures": [{"itemIdentifier": "100"}]}}
    )

    report = failures.redrive_stream_failures(s3, BUCKET, partly)
    assert report.redriven == 0 and "still failing" in report.kept[0]
    report = failures.redrive_stream_failures(s3, BUCKET, RecordingInvoker(fail={PUBLISHER_ARN}))
    assert report.redriven == 0 and "Unhandled" in report.kept[0]
    report = failures.redrive_stream_failures(s3, BUCKET, RecordingInvoker(), dry_run=True)
    assert report.planned == [f"{key}: {PUBLISHER_ARN} <- 1 stream records"]
    assert _keys(s3) == [key]


class InProcessPublisher:
    """Invokes the real publisher handler in this process (its PutEvents goes to moto)."""

    def call(self, function: str, payload: Mapping[str, Any]) -> Any:
        from functions.publisher.handler import lambda_handler
        from local.gateway import LambdaContext

        return lambda_handler(dict(payload), LambdaContext("publisher", "redrive-1"))

    def start(self, function: str, payload: Mapping[str, Any]) -> None:
        raise AssertionError("stream batches are re-driven synchronously")


def test_a_batch_redriven_twice_publishes_the_same_event_ids(
    aws, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The publisher derives each event id from the item (outbox ``evt_id``; else its keys and
    the stream sequence number), so re-driving a batch twice (say, after a partial failure)
    repeats the same ids, which the consumers count or send once."""
    from functions.publisher import handler as publisher

    events = boto3.client("events")
    sqs = boto3.client("sqs")
    events.create_event_bus(Name=failures.bus(STAGE))
    seen = _queue("seen")
    seen_arn = sqs.get_queue_attributes(QueueUrl=seen, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="all",
        EventBusName=failures.bus(STAGE),
        EventPattern=json.dumps({"source": ["loyalty.points"]}),
    )
    events.put_targets(
        Rule="all", EventBusName=failures.bus(STAGE), Targets=[{"Id": "seen", "Arn": seen_arn}]
    )
    monkeypatch.setenv(ENV_EVENT_BUS_NAME, failures.bus(STAGE))
    monkeypatch.setattr(publisher, "_client", None)
    settings.cache_clear()
    request.addfinalizer(settings.cache_clear)
    batch = _failed_batch([_stream_record("MEMBER#m-1", "EXPIRING#2027-01-31#30", "100", 5)])

    ids = []
    for _ in range(2):
        s3 = _bucket_with({"aws/lambda/esm-1/shard-1/2026/11/30/a": batch})
        report = failures.redrive_stream_failures(s3, BUCKET, InProcessPublisher())
        assert report.redriven == 1 and report.kept == []
        (message,) = sqs.receive_message(QueueUrl=seen, WaitTimeSeconds=0)["Messages"]
        sqs.delete_message(QueueUrl=seen, ReceiptHandle=message["ReceiptHandle"])
        ids.append(json.loads(message["Body"])["detail"]["event_id"])

    assert ids == ["MEMBER#m-1|EXPIRING#2027-01-31#30"] * 2


# --- replay ------------------------------------------------------------------------------------


def _archived_bus() -> Any:
    events = boto3.client("events")
    bus_arn = events.create_event_bus(Name=failures.bus(STAGE))["EventBusArn"]
    events.create_archive(
        ArchiveName=failures.archive(STAGE),
        EventSourceArn=bus_arn,
        EventPattern=json.dumps({"source": ["loyalty.points"]}),
        RetentionDays=14,
    )
    return events


def test_a_replay_sends_the_archived_window_back_to_the_stages_bus(aws) -> None:
    events = _archived_bus()
    start = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    lines: list[str] = []

    described = failures.replay(
        events,
        STAGE,
        start,
        start + timedelta(hours=6),
        sleep=lambda _: None,
        log=lines.append,
        now=lambda: datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC),
    )

    assert described["State"] == "COMPLETED"
    assert described["ReplayName"] == "loyalty-points-dev-replay-20261130T080005"
    assert described["EventSourceArn"].endswith(f":archive/{failures.archive(STAGE)}")
    assert described["Destination"]["Arn"].endswith(f":event-bus/{failures.bus(STAGE)}")
    assert described["EventStartTime"] == start
    assert described["EventEndTime"] == start + timedelta(hours=6)
    assert lines[0].startswith("started replay loyalty-points-dev-replay-20261130T080005")
    assert lines[-1].endswith("COMPLETED")


def test_a_dry_run_replay_starts_nothing_and_an_empty_window_is_refused(aws) -> None:
    events = _archived_bus()
    start = datetime(2026, 11, 29, tzinfo=UTC)
    lines: list[str] = []

    described = failures.replay(
        events, STAGE, start, start + timedelta(days=1), dry_run=True, log=lines.append
    )

    assert described["State"] == "DRY_RUN" and lines[0].startswith("would start replay")
    assert events.list_replays()["Replays"] == []
    with pytest.raises(ValueError, match="empty"):
        failures.replay(events, STAGE, start, start, log=lines.append)


def test_times_without_an_offset_are_utc() -> None:
    assert failures.parse_time("2026-11-30") == datetime(2026, 11, 30, tzinfo=UTC)
    assert failures.parse_time("2026-11-30T08:00+08:00") == datetime(2026, 11, 30, tzinfo=UTC)


def test_the_command_line_finds_the_stages_queue_by_its_short_name(aws, capsys) -> None:
    url = _queue(failures.async_failures_queue(STAGE, "expire"))
    record = _invocation_record(EXPIRE_ARN, {"job": "expire"})
    boto3.client("sqs").send_message(QueueUrl=url, MessageBody=record)

    code = failures.main(["redrive", "--stage", STAGE, "--queue", "expire-failed", "--dry-run"])

    out = capsys.readouterr().out
    assert code == 0
    assert "would redrive " in out and f"{EXPIRE_ARN}:$LATEST <- event" in out
    assert _bodies(url) == [record]  # a dry run leaves it
    assert failures.main(["redrive", "--stage", STAGE, "--queue", "nothing-failed"]) == 2
    assert "NonExistentQueue" in capsys.readouterr().err
