"""The AWS side of notifications: the ``sends`` queue (SQS) the notifier fills and the sender
drains, and the two channels the sender hands messages to (SNS SMS, SES v2 e-mail).

boto3 is imported only when a client is first needed, so importing this module costs nothing
in a function that never talks to AWS (and nothing in local mode, which records instead).

Stage configuration (environment, set by the stack):

- ``SENDS_QUEUE_URL``: the ``sends`` queue (the notifier's dispatch).
- ``SMS_ENABLED``: ``"true"`` turns SMS on for the stage; absent or anything else = off.
- ``EMAIL_FROM``: a verified SES identity to send from; unset = e-mail off.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from shared.domain.notices import EMAIL, SMS, Send
from shared.notifications.sender import wait_seconds
from shared.settings import settings

ENV_SENDS_QUEUE_URL = "SENDS_QUEUE_URL"
ENV_SMS_ENABLED = "SMS_ENABLED"
ENV_EMAIL_FROM = "EMAIL_FROM"

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds ceiling; a longer wait is the sender's (visibility)
BATCH = 10  # SendMessageBatch takes at most 10 entries

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """One boto3 client per service for the life of the process."""
    if service not in _clients:
        import boto3

        _clients[service] = boto3.client(service, region_name=settings().region)
    return _clients[service]


def enabled_channels() -> frozenset[str]:
    """The channels this stage configures (``SMS_ENABLED``, ``EMAIL_FROM``)."""
    on: set[str] = set()
    if os.environ.get(ENV_SMS_ENABLED, "").strip().lower() == "true":
        on.add(SMS)
    if os.environ.get(ENV_EMAIL_FROM, "").strip():
        on.add(EMAIL)
    return frozenset(on)


# --- the sends queue -------------------------------------------------------------------------


def encode(send: Send) -> str:
    """A Send as an SQS message body (JSON; no contact details: a Send carries none)."""
    return msgspec.json.encode(send).decode()


def decode(body: str | bytes) -> Send:
    """The Send in an SQS message body (raises ``msgspec.DecodeError`` if it is not one)."""
    return msgspec.json.decode(body, type=Send)


class DispatchFailed(RuntimeError):
    """Some sends could not be put on the queue (the caller retries its batch)."""

    def __init__(self, failed: Sequence[Send]):
        super().__init__(f"{len(failed)} send(s) not queued")
        self.failed = list(failed)


class SqsDispatch:
    """The notifier's dispatch on AWS: Sends → the ``sends`` queue, each delayed by up to
    15 minutes towards its ``not_before`` (the sender waits out the rest)."""

    def __init__(self, queue_url: str | None = None, sqs: Any = None):
        self.queue_url = queue_url or os.environ.get(ENV_SENDS_QUEUE_URL, "")
        self._sqs = sqs

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = client("sqs")
        return self._sqs

    def dispatch(self, sends: Sequence[Send], now: datetime) -> None:
        """Queue every send; raise :class:`DispatchFailed` naming those SQS refused."""
        if not sends:
            return
        if not self.queue_url:
            raise DispatchFailed(sends)
        failed: list[Send] = []
        for start in range(0, len(sends), BATCH):
            chunk = sends[start : start + BATCH]
            response = self.sqs.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {
                        "Id": str(i),
                        "MessageBody": encode(send),
                        "DelaySeconds": min(MAX_DELAY_SECONDS, wait_seconds(send, now)),
                    }
                    for i, send in enumerate(chunk)
                ],
            )
            failed.extend(chunk[int(entry["Id"])] for entry in response.get("Failed", []))
        if failed:
            raise DispatchFailed(failed)


def queue_url_of(arn: str) -> str:
    """The queue URL of an SQS queue ARN (``arn:aws:sqs:<region>:<account>:<name>``), as an
    SQS event record names its queue only by ARN."""
    _, partition, _, region, account, name = arn.split(":", 5)
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


def hold(queue_url: str, receipt_handle: str, seconds: int, sqs: Any = None) -> None:
    """Keep a received message invisible for ``seconds`` (the retry backoff, or the rest of a
    quiet-hours wait) instead of the queue's visibility timeout."""
    (sqs or client("sqs")).change_message_visibility(
        QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


# --- channels --------------------------------------------------------------------------------


class SnsSms:
    """SMS through SNS Publish to a phone number, as a transactional message."""

    def __init__(self, sns: Any = None):
        self._sns = sns

    def send(self, to: str, subject: str | None, body: str) -> None:
        (self._sns or client("sns")).publish(
            PhoneNumber=to,
            Message=body,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )


class SesEmail:
    """E-mail through SES v2 SendEmail from the stage's verified identity (``EMAIL_FROM``)."""

    def __init__(self, sender: str | None = None, ses: Any = None):
        self.sender = sender or os.environ.get(ENV_EMAIL_FROM, "")
        self._ses = ses

    def send(self, to: str, subject: str | None, body: str) -> None:
        (self._ses or client("sesv2")).send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject or "", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                }
            },
        )


def channels() -> dict[str, Any]:
    """The stage's channels by name (only those it configures)."""
    on = enabled_channels()
    found: dict[str, Any] = {}
    if SMS in on:
        found[SMS] = SnsSms()
    if EMAIL in on:
        found[EMAIL] = SesEmail()
    return found
