"""The sender on moto's SQS, SNS and SES: a send goes out once, in the member's locale, when
due and still wanted; a failing channel is retried with a growing backoff until SQS
dead-letters the send, and the ledger never moves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from functions.sender import handler
from local.gateway import LambdaContext
from shared import clock
from shared.domain import notices
from shared.domain.notices import EMAIL, POINTS_EXPIRING, SMS, Notice, Send
from shared.dynamodb import inbox, keys
from shared.dynamodb.models.members import MemberItem
from shared.notifications import aws
from tests.support import Api, at, register_member

PHONE, ADDRESS, FROM = "+8613812345678", "m1@example.com", "notices@example.com"
PARAMS = {"points": 120, "expires_on": "2027-08-01"}
ACCOUNT = "123456789012"


class Sqs:
    """A moto queue with a dead-letter queue after ``max_receives``, fed and drained as the
    Lambda event source would, recording the visibility the handler asks for."""

    def __init__(self, max_receives: int = 6):
        self.client = boto3.client("sqs", region_name="us-east-1")
        self.dlq = self.client.create_queue(QueueName="sends-dlq")["QueueUrl"]
        dlq_arn = self.arn("sends-dlq")
        self.url = self.client.create_queue(
            QueueName="sends",
            Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
                )
            },
        )["QueueUrl"]
        self.visibility: list[int] = []  # what the handler's own client asked for
        aws.client("sqs").meta.events.register(
            "provide-client-params.sqs.ChangeMessageVisibility", self._seen
        )

    @staticmethod
    def arn(name: str) -> str:
        return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"

    def _seen(self, params: dict[str, Any], **_: Any) -> None:
        self.visibility.append(params["VisibilityTimeout"])

    def put(self, send: Send) -> None:
        self.client.send_message(QueueUrl=self.url, MessageBody=aws.encode(send))

    def receive(self) -> dict[str, Any]:
        """One receive as the Lambda event source makes it, as its SQS event."""
        messages = self.client.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
        ).get("Messages", [])
        return self._event(messages)

    def _event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m["Attributes"],
                    "eventSourceARN": self.arn("sends"),
                }
                for m in messages
            ]
        }

    def dead(self) -> int:
        attrs = self.client.get_queue_attributes(
            QueueUrl=self.dlq, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def reappear(sqs: Sqs, event: dict[str, Any]) -> None:
    """Time passes: the held messages are visible again."""
    for record in event["Records"]:
        sqs.client.change_message_visibility(
            QueueUrl=sqs.url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
        )


@pytest.fixture
def stage(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sqs]:
    """SMS on, e-mail from a verified identity, a sends queue with its DLQ, member m-1 with
    a phone and an address and a points_expiring message in the inbox."""
    monkeypatch.setenv(aws.ENV_SMS_ENABLED, "true")
    monkeypatch.setenv(aws.ENV_EMAIL_FROM, FROM)
    aws._clients.clear()  # clients made under this test's mock
    monkeypatch.setattr(handler, "_channels", None)
    boto3.client("sesv2", region_name="us-east-1").create_email_identity(EmailIdentity=FROM)
    at("2027-07-25", hour=10)
    register_member(api, "m-1", phone=PHONE, email=ADDRESS)
    inbox.write(notice("m-1"), 90)
    yield Sqs()
    clock.release()
    aws._clients.clear()


def notice(member_id: str) -> Notice:
    return Notice(
        member_id=member_id,
        kind=POINTS_EXPIRING,
        params=PARAMS,
        at=clock.now(),
        day=date(2027, 7, 25),
        event_id="evt-1",
    )


def send_of(channel: str = SMS, not_before: datetime | None = None) -> Send:
    return Send(
        member_id="m-1",
        message_id=notice("m-1").message_id,
        kind=POINTS_EXPIRING,
        params=PARAMS,
        channel=channel,
        not_before=clock.utc_iso(not_before) if not_before else None,
    )


def prefs(member_id: str, **values: Any) -> None:
    item = MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE)
    item.update(actions=[getattr(MemberItem, k).set(v) for k, v in values.items()])


def sms_sent() -> list[tuple[str, str]]:
    from moto.sns.models import sns_backends

    return list(sns_backends[ACCOUNT]["us-east-1"].sms_messages.values())


def emails_sent() -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends[ACCOUNT]["us-east-1"].sent_messages)


def sent_on(channel: str) -> str | None:
    message = inbox.get("m-1", notice("m-1").message_id)
    assert message is not None
    return message.sent.get(channel)


def balance(api: Api) -> tuple[int, list[dict]]:
    me = api.member("m-1", "GET", "/v1/me").body["balance"]
    return me, api.member("m-1", "GET", "/v1/me/ledger?limit=100").body["items"]


def test_an_sms_goes_out_once_in_the_members_saved_locale(stage: Sqs) -> None:
    prefs("m-1", locale="en", notify_sms=True)
    stage.put(send_of(SMS))

    result = handler.handle(stage.receive())

    assert result == {"batchItemFailures": []}
    _, english = notices.render(POINTS_EXPIRING, PARAMS, "en", SMS)
    _, chinese = notices.render(POINTS_EXPIRING, PARAMS, "zh-CN", SMS)
    assert english != chinese and "120" in english
    assert sms_sent() == [(PHONE, english)]
    assert sent_on(SMS) is not None


def test_an_email_goes_out_in_the_programme_default_locale_when_the_member_chose_none(
    stage: Sqs,
) -> None:
    prefs("m-1", notify_email=True)
    stage.put(send_of(EMAIL))

    assert handler.handle(stage.receive()) == {"batchItemFailures": []}

    subject, body = notices.render(POINTS_EXPIRING, PARAMS, "zh-CN", EMAIL)
    [email] = emails_sent()
    assert (email.source, email.destinations["ToAddresses"]) == (FROM, [ADDRESS])
    assert (email.subject, email.body) == (subject, body)
    assert "120" in body
    assert sms_sent() == []


def test_a_redelivered_send_does_not_go_out_twice(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True)
    stage.put(send_of(SMS))
    stage.put(send_of(SMS))  # the notifier's redelivery queued it again

    assert handler.handle(stage.receive()) == {"batchItemFailures": []}
    assert handler.handle(stage.receive()) == {"batchItemFailures": []}

    assert len(sms_sent()) == 1


def test_quiet_hours_hold_the_sms_on_the_queue_until_they_end(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True)
    at("2027-07-25", hour=22)  # 22:00 Shanghai: quiet until 09:00
    morning = datetime(2027, 7, 26, 1, 0, tzinfo=UTC)  # 09:00 Shanghai
    stage.put(send_of(SMS, not_before=morning))

    first = stage.receive()
    result = handler.handle(first)

    [record] = first["Records"]
    assert result == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert stage.visibility == [11 * 3600]  # the rest of the night, not a retry backoff
    assert sms_sent() == [] and sent_on(SMS) is None

    at("2027-07-26", hour=9, minute=1)
    reappear(stage, first)
    assert handler.handle(stage.receive()) == {"batchItemFailures": []}
    assert len(sms_sent()) == 1


def test_an_sms_carried_into_quiet_hours_by_a_retry_waits_and_an_email_does_not(
    stage: Sqs,
) -> None:
    prefs("m-1", notify_sms=True, notify_email=True)
    at("2027-07-25", hour=21, minute=30)  # queued at 20:59, retried after the backoff
    stage.put(send_of(SMS))
    stage.put(send_of(EMAIL))

    result = handler.handle(stage.receive())

    assert len(result["batchItemFailures"]) == 1
    assert stage.visibility == [int(11.5 * 3600)]  # until 09:00
    assert sms_sent() == [] and len(emails_sent()) == 1


def test_a_wait_longer_than_sqs_allows_is_held_for_twelve_hours_at_most(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True)
    stage.put(send_of(SMS, not_before=clock.now() + timedelta(hours=20)))

    handler.handle(stage.receive())

    assert stage.visibility == [43200]


def test_an_opt_out_after_the_send_was_queued_stops_it(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True)
    stage.put(send_of(SMS))
    prefs("m-1", notify_sms=False)  # the member opts out before the sender gets to it

    assert handler.handle(stage.receive()) == {"batchItemFailures": []}  # done: dropped

    assert sms_sent() == [] and sent_on(SMS) is None


@pytest.mark.parametrize(
    ("channel", "change"),
    [
        (SMS, {"notify_sms": True, "phone": None}),
        (EMAIL, {"notify_email": None}),
        (SMS, {"notify_sms": True, "status": "frozen"}),
    ],
    ids=["no-phone", "email-not-opted-in", "frozen-entirely"],
)
def test_no_contact_or_no_opt_in_skips(stage: Sqs, channel: str, change: dict) -> None:
    prefs("m-1", **change)
    stage.put(send_of(channel))

    assert handler.handle(stage.receive()) == {"batchItemFailures": []}

    assert sms_sent() == [] and emails_sent() == []


class Refusing:
    def __init__(self) -> None:
        self.tries = 0

    def send(self, to: str, subject: str | None, body: str) -> None:
        self.tries += 1
        raise RuntimeError(f"the channel is down: {to} refused")  # as SNS may quote it


def test_a_failing_channel_backs_off_then_sqs_dead_letters_the_send(stage: Sqs, api: Api) -> None:
    prefs("m-1", notify_sms=True)
    before = balance(api)
    stage.put(send_of(SMS))
    channel = Refusing()

    for _ in range(6):
        batch = stage.receive()
        [record] = batch["Records"]
        result = handler.handle(batch, channels={SMS: channel})
        assert result == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        reappear(stage, batch)

    assert stage.visibility[:6] == [30, 60, 120, 240, 480, 960]
    assert stage.receive()["Records"] == []  # the 7th receive finds it dead-lettered
    assert stage.dead() == 1
    assert channel.tries == 6 and sent_on(SMS) is None
    assert balance(api) == before


def test_ses_refusing_an_unverified_identity_is_a_retried_failure(
    stage: Sqs, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(aws.ENV_EMAIL_FROM, "nobody@unverified.example")
    prefs("m-1", notify_email=True)
    before = balance(api)
    stage.put(send_of(EMAIL))

    batch = stage.receive()
    result = handler.handle(batch)

    assert result["batchItemFailures"] == [{"itemIdentifier": batch["Records"][0]["messageId"]}]
    assert stage.visibility == [30]
    assert emails_sent() == [] and sent_on(EMAIL) is None
    assert balance(api) == before


def test_the_backoff_doubles_and_stops_at_an_hour() -> None:
    assert [handler.backoff(n) for n in (1, 2, 3, 7, 8, 50)] == [30, 60, 120, 1920, 3600, 3600]


def test_a_channel_the_stage_does_not_configure_is_skipped(
    stage: Sqs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(aws.ENV_SMS_ENABLED)
    prefs("m-1", notify_sms=True)
    stage.put(send_of(SMS))

    assert handler.handle(stage.receive()) == {"batchItemFailures": []}
    assert sms_sent() == []


def test_the_dispatch_delays_each_send_towards_its_not_before_up_to_15_minutes(
    stage: Sqs,
) -> None:
    entries: list[dict[str, Any]] = []
    stage.client.meta.events.register(
        "provide-client-params.sqs.SendMessageBatch",
        lambda params, **_: entries.extend(params["Entries"]),
    )
    now = clock.now()
    sends = [
        send_of(SMS),
        send_of(SMS, now + timedelta(minutes=5)),
        send_of(SMS, now + timedelta(hours=3)),
    ]

    aws.SqsDispatch(stage.url, stage.client).dispatch(sends, now)

    assert [e["DelaySeconds"] for e in entries] == [0, 300, 900]
    assert [aws.decode(e["MessageBody"]) for e in entries] == sends
    assert PHONE not in json.dumps(entries) and ADDRESS not in json.dumps(entries)
    with pytest.raises(aws.DispatchFailed):
        aws.SqsDispatch("", stage.client).dispatch(sends, now)


def test_what_the_notifier_queues_the_sender_function_delivers(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True, notify_email=True)
    aws.SqsDispatch(stage.url, stage.client).dispatch([send_of(SMS), send_of(EMAIL)], clock.now())

    reply = handler.lambda_handler(stage.receive(), LambdaContext("sender", "req-1"))

    assert reply == {"batchItemFailures": []}
    assert [to for to, _ in sms_sent()] == [PHONE]
    assert [e.destinations["ToAddresses"] for e in emails_sent()] == [[ADDRESS]]
    assert sent_on(SMS) and sent_on(EMAIL)


def test_phone_numbers_are_logged_masked_only(
    stage: Sqs, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from shared.observability import logger

    prefs("m-1", notify_sms=True)
    logger.setLevel("INFO")
    try:
        stage.put(send_of(SMS))
        handler.handle(stage.receive(), channels={SMS: Refusing()})
        stage.put(send_of(SMS))
        handler.handle(stage.receive())
    finally:
        logger.setLevel("WARNING")

    out, err = capsys.readouterr()
    logged = out + err + "".join(str(r.__dict__) for r in caplog.records)
    assert "send failed" in logged and "138****5678" in logged
    assert PHONE not in logged and "13812345678" not in logged


def test_a_message_that_is_not_a_send_fails_alone(stage: Sqs) -> None:
    prefs("m-1", notify_sms=True)
    stage.client.send_message(QueueUrl=stage.url, MessageBody="not json")
    stage.put(send_of(SMS))

    batch = stage.receive()
    result = handler.handle(batch)

    bad = [r["messageId"] for r in batch["Records"] if r["body"] == "not json"]
    assert result == {"batchItemFailures": [{"itemIdentifier": bad[0]}]}
    assert len(sms_sent()) == 1
