"""The notifier on moto: business events become one inbox message per kind per member per day,
a redelivery writes nothing new but still owes the sends not made, members get the SMS and
e-mail they opted into (none while frozen, nothing without a profile), and the ledger never
moves."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from functions.notifier import handler
from local.gateway import LambdaContext
from shared import clock
from shared.domain.notices import EMAIL, SMS, Send
from shared.dynamodb import inbox, keys
from shared.dynamodb.models.members import MemberItem
from shared.notifications import aws, notifier
from tests.support import Api, register_member, table_items

BOTH = frozenset({SMS, EMAIL})
NOON = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
LATE = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai: SMS quiet hours
CONTEXT = LambdaContext("notifier", "req-1")


class Recorder:
    """A dispatch that keeps what it is handed (or refuses, when told to)."""

    def __init__(self) -> None:
        self.sends: list[Send] = []
        self.refuse = False

    def dispatch(self, sends: Sequence[Send], now: datetime) -> None:
        if self.refuse:
            raise aws.DispatchFailed(sends)
        self.sends += sends


@pytest.fixture
def members(api: Api) -> Iterator[Api]:
    """m-sms opted into SMS and e-mail; m-quiet opted into nothing; m-frozen opted in but
    frozen entirely."""
    for member in ("m-sms", "m-quiet", "m-frozen"):
        register_member(api, member, phone="+8613812345678", email=f"{member}@example.com")
    prefs("m-sms", notify_sms=True, notify_email=True)
    prefs("m-frozen", notify_sms=True, notify_email=True, status="frozen")
    clock.pin(NOON)  # the handler's "now": outside quiet hours
    yield api
    clock.release()
    handler.use_dispatch(None)


def prefs(member_id: str, **values: Any) -> None:
    item = MemberItem(pk=keys.member_pk(member_id), sk=keys.PROFILE)
    item.update(actions=[getattr(MemberItem, k).set(v) for k, v in values.items()])


def expiring(member: str, threshold: int = 7, at: datetime = NOON) -> notifier.Triple:
    detail = {
        "event_id": f"expiring:{member}:2027-03-31:{threshold}",
        "member_id": member,
        "points": 120,
        "expires_on": "2027-03-31",
        "threshold_days": threshold,
    }
    return "PointsExpiringSoon.v1", detail, at


def messages(member: str) -> list[inbox.Message]:
    return inbox.page(member, unread=False, limit=50, cursor=None)[0]


def run(events: list[notifier.Triple], dispatch: Recorder, now: datetime = NOON) -> dict:
    return notifier.process(events, dispatch, now, stage=BOTH).counts()


def test_the_same_event_twice_makes_one_message(members: Api) -> None:
    first = run([expiring("m-quiet")], Recorder())
    again = run([expiring("m-quiet")], Recorder())

    assert (first["new"], again["new"], again["same_event"]) == (1, 0, 1)
    (message,) = messages("m-quiet")
    assert (message.message_id, message.kind) == ("2027-03-01.points_expiring", "points_expiring")
    assert message.params == {"points": 120, "expires_on": "2027-03-31"}


def test_two_events_of_a_kind_the_same_day_make_one_message(members: Api) -> None:
    counts = run([expiring("m-quiet", 30), expiring("m-quiet", 7)], Recorder())

    assert (counts["new"], counts["taken"]) == (1, 1)
    (message,) = messages("m-quiet")
    assert message.event_id == "expiring:m-quiet:2027-03-31:30"


def test_the_same_kind_on_different_days_makes_two_messages(members: Api) -> None:
    next_day = datetime(2027, 3, 2, 4, 0, tzinfo=UTC)

    run([expiring("m-quiet", 30), expiring("m-quiet", 7, at=next_day)], Recorder())

    assert [m.message_id for m in messages("m-quiet")] == [
        "2027-03-02.points_expiring",
        "2027-03-01.points_expiring",
    ]


def test_a_member_gets_the_sends_they_opted_into_and_no_other(members: Api) -> None:
    dispatch = Recorder()

    counts = run([expiring("m-sms"), expiring("m-quiet"), expiring("m-frozen")], dispatch)

    assert counts == {
        "new": 3,
        "same_event": 0,
        "taken": 0,
        "skipped": 0,
        "sends": 2,
        "failed": 0,
    }
    assert sorted((s.member_id, s.channel) for s in dispatch.sends) == [
        ("m-sms", EMAIL),
        ("m-sms", SMS),
    ]
    assert all(s.not_before is None for s in dispatch.sends)  # noon: not quiet
    assert len(messages("m-frozen")) == 1  # a frozen member still reads it in the app


def test_the_stage_decides_which_channels_exist(members: Api) -> None:
    dispatch = Recorder()

    notifier.process([expiring("m-sms")], dispatch, NOON, stage=frozenset({EMAIL}))

    assert [s.channel for s in dispatch.sends] == [EMAIL]


def test_an_sms_due_in_quiet_hours_waits_for_the_morning(members: Api) -> None:
    dispatch = Recorder()

    run([expiring("m-sms", at=LATE)], dispatch, now=LATE)

    by_channel = {s.channel: s for s in dispatch.sends}
    assert by_channel[SMS].not_before == "2027-03-02T01:00:00+00:00"  # 09:00 in Shanghai
    assert by_channel[EMAIL].not_before is None


def test_a_redelivery_owes_the_sends_not_made_yet_and_no_others(members: Api) -> None:
    first, second, third = Recorder(), Recorder(), Recorder()
    run([expiring("m-sms")], first)
    sms = next(s for s in first.sends if s.channel == SMS)

    run([expiring("m-sms")], second)  # redelivered before anything went out: both owed again
    assert inbox.mark_sent("m-sms", sms.message_id, SMS, "2027-03-01T04:00:01+00:00")
    counts = run([expiring("m-sms")], third)  # redelivered after the SMS went out

    assert sorted(s.channel for s in second.sends) == [EMAIL, SMS]
    assert [s.channel for s in third.sends] == [EMAIL]
    assert counts["same_event"] == 1 and counts["new"] == 0
    assert len(messages("m-sms")) == 1


def test_a_kind_taken_by_another_event_owes_no_sends(members: Api) -> None:
    dispatch = Recorder()
    run([expiring("m-sms", 30)], Recorder())

    counts = run([expiring("m-sms", 7)], dispatch)

    assert counts["taken"] == 1 and dispatch.sends == []


def test_repeats_inside_one_batch_write_once_and_send_once(members: Api, dynamodb_calls) -> None:
    dispatch = Recorder()

    counts = run([expiring("m-sms"), expiring("m-quiet"), expiring("m-sms")], dispatch)

    assert (counts["new"], counts["same_event"]) == (2, 1)
    assert len(dispatch.sends) == 2
    assert dynamodb_calls["BatchGetItem"] == 1  # the batch's preferences in one read
    assert dynamodb_calls["PutItem"] == 2


def test_events_for_no_one_and_members_without_a_profile_are_skipped(members: Api) -> None:
    purchase = ("PointsEarned.v1", {"event_id": "x", "member_id": "m-sms", "source": "purchase"})

    counts = run([(*purchase, NOON), expiring("m-nobody")], Recorder())

    assert (counts["skipped"], counts["new"]) == (2, 0)
    assert messages("m-nobody") == []


def test_a_refused_dispatch_fails_its_events_and_the_retry_sends(members: Api) -> None:
    refusing, later = Recorder(), Recorder()
    refusing.refuse = True
    before = business_items()

    failed = notifier.process([expiring("m-quiet"), expiring("m-sms")], refusing, NOON, stage=BOTH)
    retried = run([expiring("m-sms")], later)

    assert failed.failed == [1]  # only the event that owed sends is redelivered
    assert retried["same_event"] == 1 and len(later.sends) == 2
    assert business_items() == before  # the ledger, balances and profiles never move


def business_items() -> list[dict[str, Any]]:
    return [i for i in table_items() if not i["sk"]["S"].startswith("MSG#")]


def test_a_failed_write_fails_its_event_only(members: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = inbox.write

    def flaky(notice: Any, keep_days: int) -> str:
        if notice.member_id == "m-quiet":
            raise ConnectionError("the table is unreachable")
        return real_write(notice, keep_days)

    monkeypatch.setattr(inbox, "write", flaky)

    outcome = notifier.process([expiring("m-quiet"), expiring("m-sms")], Recorder(), NOON)

    assert outcome.failed == [0] and outcome.new == 1
    monkeypatch.setattr(inbox, "write", real_write)
    assert run([expiring("m-quiet")], Recorder())["new"] == 1  # the redelivery writes it


# --- the handler ---------------------------------------------------------------------------------


def record(message_id: str, event: notifier.Triple) -> dict[str, Any]:
    detail_type, detail, at = event
    body = {
        "id": f"eb-{message_id}",
        "time": at.isoformat().replace("+00:00", "Z"),
        "detail-type": detail_type,
        "source": "loyalty.points",
        "detail": detail,
    }
    return {"messageId": message_id, "body": json.dumps(body)}


def test_the_handler_queues_sends_and_reports_only_bad_records(
    members: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(aws.ENV_SMS_ENABLED, "true")
    monkeypatch.setenv(aws.ENV_EMAIL_FROM, "notices@example.com")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="sends")["QueueUrl"]
    handler.use_dispatch(aws.SqsDispatch(url, sqs))
    tier = {"event_id": "t-1", "member_id": "m-quiet", "from": "bronze", "to": "silver"}
    records = [
        record("r-1", expiring("m-sms")),
        {"messageId": "r-2", "body": "not json"},
        record("r-3", ("TierChanged.v1", tier, NOON)),
    ]

    reply = handler.lambda_handler({"Records": records}, CONTEXT)

    assert reply == {"batchItemFailures": [{"itemIdentifier": "r-2"}]}
    queued = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(aws.decode(m["Body"]).channel for m in queued) == [EMAIL, SMS]
    assert [m.kind for m in messages("m-quiet")] == ["tier_promoted"]


def test_the_handler_reports_events_whose_sends_were_not_queued(
    members: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(aws.ENV_SMS_ENABLED, "true")
    refusing = Recorder()
    refusing.refuse = True
    handler.use_dispatch(refusing)
    records = [record("r-1", expiring("m-quiet")), record("r-2", expiring("m-sms"))]

    reply = handler.lambda_handler({"Records": records}, CONTEXT)

    assert reply == {"batchItemFailures": [{"itemIdentifier": "r-2"}]}
    assert Counter(m.kind for m in messages("m-sms")) == {"points_expiring": 1}
