"""Re-drive a stage's failures and replay its archived events (`make redrive`, `make replay`).

Where failures land (infra/constructs/failures.py, docs/events.md) and how each is re-driven:

- a work queue's dead-letter queue (``notices-dlq``, ``sends-dlq``): SQS moves the messages
  back to the work queue itself (``StartMessageMoveTask``);
- a function's on-failure queue (``<function>-failed``): each message is Lambda's record of
  the failed asynchronous invocation; the function is invoked again, asynchronously, with the
  record's ``requestPayload`` (should it fail again, Lambda puts a new record in the queue);
- the reports rule's dead-letter queue (``reports-events-dlq``): each message is the event
  EventBridge could not deliver; the rule's target (the ``TARGET_ARN`` attribute EventBridge
  adds) is invoked again with it, asynchronously. Not ``PutEvents`` back onto the bus: that
  would deliver the event to every rule again (the notices too), not only to the one that
  missed it;
- the publisher's failed stream batches (``stream-failures``, S3): each object holds the whole
  batch; the publisher is invoked with it synchronously, and the object is deleted only when
  the publisher reports no failure (its event ids come from the items' keys and stream
  sequence numbers, so a batch published twice carries the same ids, which consumers skip).

A message or object is deleted only after its re-drive was accepted; one that cannot be
routed or whose re-drive failed stays, visible again, and is listed. ``--dry-run`` lists what
would be done and changes nothing.

A replay (``StartReplay``) sends the archived business events of a time window back onto
the stage's bus: every rule on it receives them again (reports and notices both count or
send an event id once).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

PROJECT = "loyalty-points"  # infra/config.py's PROJECT: loyalty-points-<stage>-<thing>
STREAM_FAILURES = "stream-failures"  # QUEUE= for the publisher's failed batches (S3)
FINAL_REPLAY_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
FINAL_MOVE_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})

Log = Callable[[str], None]


def name(stage: str, suffix: str) -> str:
    """A stage's physical name, as infra/config.py ``StageConfig.name`` makes it."""
    return f"{PROJECT}-{stage}-{suffix}"


def async_failures_queue(stage: str, function: str) -> str:
    return name(stage, f"{function}-failed")


def events_dlq(stage: str, function: str) -> str:
    return name(stage, f"{function}-events-dlq")


def bus(stage: str) -> str:
    return name(stage, "events")


def archive(stage: str) -> str:
    return name(stage, "events")


def stream_failures_bucket(stage: str, account: str, region: str) -> str:
    return f"{name(stage, 'dlq')}-{account}-{region}"


class RedriveError(Exception):
    """A message or batch that cannot be re-driven (unreadable, or its invocation failed)."""


class Invoker(Protocol):
    """How a function is invoked again (Lambda in AWS; a recorder in tests)."""

    def start(self, function: str, payload: Mapping[str, Any]) -> None:
        """Invoke asynchronously; raise :class:`RedriveError` unless Lambda accepted it."""

    def call(self, function: str, payload: Mapping[str, Any]) -> Any:
        """Invoke and wait; the function's answer; :class:`RedriveError` on a function error."""


class LambdaInvoker:
    """:class:`Invoker` on a boto3 Lambda client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def start(self, function: str, payload: Mapping[str, Any]) -> None:
        reply = self._client.invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps(payload).encode()
        )
        if reply.get("StatusCode") != 202:
            raise RedriveError(f"{function}: not accepted ({reply.get('StatusCode')})")

    def call(self, function: str, payload: Mapping[str, Any]) -> Any:
        reply = self._client.invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(payload).encode(),
        )
        body = reply["Payload"].read().decode() or "null"
        if reply.get("FunctionError"):
            raise RedriveError(f"{function}: {reply['FunctionError']}: {body[:300]}")
        return json.loads(body)


@dataclass(frozen=True, slots=True)
class Redrive:
    """One re-drive: invoke ``function`` with ``payload``."""

    function: str
    payload: dict[str, Any]

    def describe(self) -> str:
        records = self.payload.get("Records")
        what = f"{len(records)} stream records" if isinstance(records, list) else "event"
        return f"{self.function} <- {what}"


@dataclass
class Report:
    redriven: int = 0
    planned: list[str] = field(default_factory=list)  # dry run: what would be done
    kept: list[str] = field(default_factory=list)  # left in place, with the reason
    moved: str | None = None  # a dead-letter queue moved back: the move task's outcome

    def lines(self) -> list[str]:
        out = [f"would redrive {p}" for p in self.planned]
        out += [f"kept {k}" for k in self.kept]
        if self.moved:
            out.append(self.moved)
        out.append(f"redriven: {self.redriven}, kept: {len(self.kept)}")
        return out


def _string_attribute(attributes: Mapping[str, Any], key: str) -> str | None:
    value = attributes.get(key)
    return value.get("StringValue") if isinstance(value, Mapping) else None


def redrive_of(body: str, attributes: Mapping[str, Any] | None = None) -> Redrive:
    """What to invoke for one failure queue message: Lambda's on-failure record (its
    ``requestPayload`` to ``requestContext.functionArn``) or an event EventBridge could not
    deliver (the event to its ``TARGET_ARN``)."""
    try:
        record = json.loads(body)
    except ValueError as error:
        raise RedriveError(f"not JSON: {error}") from None
    if not isinstance(record, dict):
        raise RedriveError("not a JSON object")
    context = record.get("requestContext")
    if isinstance(context, dict) and "requestPayload" in record:
        function = context.get("functionArn")
        payload = record["requestPayload"]
        if not isinstance(function, str) or not isinstance(payload, dict):
            raise RedriveError("an invocation record without functionArn or payload")
        return Redrive(function, payload)
    if "detail-type" in record and "source" in record:
        target = _string_attribute(attributes or {}, "TARGET_ARN")
        if not target or ":lambda:" not in target:
            raise RedriveError(f"an event whose target is not a function ({target})")
        return Redrive(target, record)
    raise RedriveError("neither an invocation record nor an event")


def batch_of(record: Mapping[str, Any], default_function: str | None = None) -> Redrive:
    """What to invoke for one failed stream batch stored in S3: its ``payload`` (the event
    the function was invoked with, ``{"Records": [...]}``, as JSON text or an object)."""
    payload = record.get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError as error:
            raise RedriveError(f"payload is not JSON: {error}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("Records"), list):
        raise RedriveError("no stream records in the payload")
    context = record.get("requestContext")
    function = context.get("functionArn") if isinstance(context, dict) else None
    function = function or default_function
    if not function:
        raise RedriveError("no function to invoke")
    return Redrive(function, payload)


def _queue_arn(sqs: Any, url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def _visible(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def move_back(
    sqs: Any,
    url: str,
    source_url: str,
    *,
    dry_run: bool = False,
    wait: bool = True,
    poll_s: float = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """A work queue's dead-letter queue → the work queue (``StartMessageMoveTask``; given the
    destination, so the events EventBridge could not deliver to it go there too)."""
    report = Report()
    source, destination = _queue_arn(sqs, url), _queue_arn(sqs, source_url)
    count = _visible(sqs, url)
    if dry_run:
        report.planned.append(f"{count} messages: move {source} -> {destination}")
        return report
    task = sqs.start_message_move_task(SourceArn=source, DestinationArn=destination)
    status: dict[str, Any] = {"Status": "RUNNING"}
    while wait and status.get("Status") not in FINAL_MOVE_STATES:
        sleep(poll_s)
        tasks = sqs.list_message_move_tasks(SourceArn=source, MaxResults=1).get("Results", [])
        status = tasks[0] if tasks else {"Status": "UNKNOWN"}
        if status.get("TaskHandle") not in (None, task["TaskHandle"]):
            break  # another operator's later task: stop watching
    moved = status.get("ApproximateNumberOfMessagesMoved", "?")
    report.moved = f"move task {status.get('Status')}: {moved} of ~{count} moved to {destination}"
    if status.get("Status") == "COMPLETED" and isinstance(moved, int):
        report.redriven = moved
    if status.get("Status") == "FAILED":
        report.kept.append(f"move task failed: {status.get('FailureReason')}")
    return report


def redrive_messages(
    sqs: Any,
    url: str,
    invoker: Invoker,
    *,
    dry_run: bool = False,
    wait_s: int = 1,
    visibility_s: int = 300,
) -> Report:
    """Every message of a failure queue (at most as many as were visible at the start: a
    re-driven invocation that fails again comes back as a new message, for the next run),
    each deleted only once its function accepted the invocation."""
    report = Report()
    held: list[str] = []  # received and left in the queue: visible again at the end
    remaining = _visible(sqs, url)
    try:
        while remaining > 0:
            messages = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(10, remaining),
                WaitTimeSeconds=wait_s,
                VisibilityTimeout=visibility_s,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                remaining -= 1
                identity = message["MessageId"]
                try:
                    redrive = redrive_of(message["Body"], message.get("MessageAttributes"))
                    if dry_run:
                        report.planned.append(f"{identity}: {redrive.describe()}")
                        held.append(message["ReceiptHandle"])
                        continue
                    invoker.start(redrive.function, redrive.payload)
                except RedriveError as error:
                    report.kept.append(f"{identity}: {error}")
                    held.append(message["ReceiptHandle"])
                    continue
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                report.redriven += 1
    finally:
        for receipt in held:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=receipt, VisibilityTimeout=0)
    return report


def redrive_queue(sqs: Any, queue: str, invoker: Invoker, *, dry_run: bool = False) -> Report:
    """``queue`` (a full queue name) re-driven the way its kind needs (module docstring)."""
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    sources = sqs.list_dead_letter_source_queues(QueueUrl=url).get("queueUrls", [])
    if len(sources) > 1:
        raise RedriveError(f"{queue} is the dead-letter queue of several queues: {sources}")
    if sources:
        return move_back(sqs, url, sources[0], dry_run=dry_run)
    return redrive_messages(sqs, url, invoker, dry_run=dry_run)


def redrive_stream_failures(
    s3: Any,
    bucket: str,
    invoker: Invoker,
    *,
    default_function: str | None = None,
    dry_run: bool = False,
) -> Report:
    """Every failed batch in ``bucket`` to the function it failed in (the publisher), one
    synchronous invocation each; the object deleted when the answer reports no failure."""
    report = Report()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            try:
                record = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                if not isinstance(record, dict):
                    raise RedriveError("not a JSON object")
                redrive = batch_of(record, default_function)
                if dry_run:
                    report.planned.append(f"{key}: {redrive.describe()}")
                    continue
                answer = invoker.call(redrive.function, redrive.payload)
                failed = answer.get("batchItemFailures") if isinstance(answer, dict) else None
                if failed:
                    raise RedriveError(f"{len(failed)} records still failing: {failed[:3]}")
            except (RedriveError, ValueError) as error:
                report.kept.append(f"{key}: {error}")
                continue
            s3.delete_object(Bucket=bucket, Key=key)
            report.redriven += 1
    return report


def parse_time(text: str) -> datetime:
    """``2026-11-30``, ``2026-11-30T08:00`` or with an offset; no offset: UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def replay(
    events: Any,
    stage: str,
    start: datetime,
    end: datetime,
    *,
    dry_run: bool = False,
    wait: bool = True,
    poll_s: float = 10,
    sleep: Callable[[float], None] = time.sleep,
    log: Log = print,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Replay the stage's archived events of ``[start, end)`` onto its bus; with ``wait``,
    until the replay ends. The replay's description (``State``: ``DRY_RUN`` for a dry run)."""
    if start >= end:
        raise ValueError(f"the window is empty: {start.isoformat()} .. {end.isoformat()}")
    archive_arn = events.describe_archive(ArchiveName=archive(stage))["ArchiveArn"]
    bus_arn = events.describe_event_bus(Name=bus(stage))["Arn"]
    replay_name = f"{name(stage, 'replay')}-{now():%Y%m%dT%H%M%S}"
    plan = f"{archive_arn} [{start.isoformat()} .. {end.isoformat()}) -> {bus_arn}"
    if dry_run:
        log(f"would start replay {replay_name}: {plan}")
        return {"ReplayName": replay_name, "State": "DRY_RUN"}
    events.start_replay(
        ReplayName=replay_name,
        Description=f"make replay ({stage})",
        EventSourceArn=archive_arn,
        EventStartTime=start,
        EventEndTime=end,
        Destination={"Arn": bus_arn},
    )
    log(f"started replay {replay_name}: {plan}")
    while True:
        described = events.describe_replay(ReplayName=replay_name)
        state = described["State"]
        last = described.get("EventLastReplayedTime")
        log(f"{replay_name}: {state}" + (f" (replayed up to {last})" if last else ""))
        if not wait or state in FINAL_REPLAY_STATES:
            return described
        sleep(poll_s)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.failures",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    redrive = commands.add_parser("redrive", help="re-drive a dead-letter queue")
    redrive.add_argument("--stage", default="dev")
    redrive.add_argument(
        "--queue",
        required=True,
        help="e.g. notices-dlq, reports-events-dlq, expire-failed, stream-failures",
    )
    redrive.add_argument("--dry-run", action="store_true")
    again = commands.add_parser("replay", help="replay the archived events of a time window")
    again.add_argument("--stage", default="dev")
    again.add_argument("--from", dest="start", required=True, type=parse_time)
    again.add_argument("--to", dest="end", required=True, type=parse_time)
    again.add_argument("--dry-run", action="store_true")
    again.add_argument("--no-wait", dest="wait", action="store_false")
    args = parser.parse_args(argv)

    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return _run(args)
    except (BotoCoreError, ClientError, RedriveError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    if args.command == "replay":
        replay(session.client("events"), args.stage, args.start, args.end, dry_run=args.dry_run)
        return 0
    # a batch may take the publisher its whole timeout; a retried call would invoke twice
    invoker = LambdaInvoker(
        session.client("lambda", config=Config(read_timeout=900, retries={"total_max_attempts": 1}))
    )
    if args.queue == STREAM_FAILURES:
        account = session.client("sts").get_caller_identity()["Account"]
        bucket = stream_failures_bucket(args.stage, account, session.region_name)
        report = redrive_stream_failures(
            session.client("s3"),
            bucket,
            invoker,
            default_function=name(args.stage, "publisher"),
            dry_run=args.dry_run,
        )
    else:
        report = redrive_queue(
            session.client("sqs"), name(args.stage, args.queue), invoker, dry_run=args.dry_run
        )
    print("\n".join(report.lines()))
    return 1 if report.kept else 0


if __name__ == "__main__":
    sys.exit(main())
