"""Local mode's outbox: the notifier's sends held until the local clock passes their
not_before, then run through the real sender with recording channels; GET /local/outbox
lists them with the recipient masked, DELETE forgets them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from local.outbox import Outbox
from local.server import LocalApp
from shared import clock
from shared.domain import notices
from shared.domain.notices import EMAIL, POINTS_EXPIRING, SMS
from shared.dynamodb import inbox
from tests.integration.test_sender import ADDRESS, PARAMS, PHONE, notice, prefs, send_of
from tests.support import Api, at, register_member


@pytest.fixture
def outbox(api: Api) -> Iterator[Outbox]:
    at("2027-07-25", hour=10)
    register_member(api, "m-1", phone=PHONE, email=ADDRESS)
    inbox.write(notice("m-1"), 90)
    yield Outbox()
    clock.release()


def test_a_due_sms_is_recorded_with_its_text_and_a_masked_number(outbox: Outbox) -> None:
    prefs("m-1", notify_sms=True)
    outbox.dispatch([send_of(SMS)], clock.now())

    assert outbox.release(clock.now()) == 1

    _, text = notices.render(POINTS_EXPIRING, PARAMS, "zh-CN", SMS)
    [item] = outbox.items()
    assert item == {
        "channel": SMS,
        "member_id": "m-1",
        "message_id": notice("m-1").message_id,
        "kind": POINTS_EXPIRING,
        "to": "138****5678",
        "not_before": None,
        "status": "sent",
        "text": text,
    }
    assert PHONE not in json.dumps(outbox.items())
    assert inbox.get("m-1", notice("m-1").message_id).sent.keys() == {SMS}


def test_an_email_is_recorded_with_subject_and_body_in_the_saved_locale(outbox: Outbox) -> None:
    prefs("m-1", notify_email=True, locale="en")
    outbox.dispatch([send_of(EMAIL)], clock.now())
    outbox.release(clock.now())

    subject, body = notices.render(POINTS_EXPIRING, PARAMS, "en", EMAIL)
    [item] = outbox.items()
    assert (item["status"], item["to"]) == ("sent", "m***@example.com")
    assert (item["subject"], item["body"]) == (subject, body)


def test_a_send_waits_for_the_local_clock_to_pass_its_not_before(outbox: Outbox) -> None:
    prefs("m-1", notify_sms=True)
    morning = clock.now() + timedelta(hours=3)
    outbox.dispatch([send_of(SMS, not_before=morning)], clock.now())

    assert outbox.release(clock.now()) == 0
    assert [i["status"] for i in outbox.items()] == ["waiting"]

    clock.pin(morning + timedelta(seconds=1))
    assert outbox.release(clock.now()) == 1
    assert [i["status"] for i in outbox.items()] == ["sent"]
    assert outbox.release(clock.now()) == 0  # delivered once


def test_an_opt_out_before_release_skips_with_the_reason(outbox: Outbox) -> None:
    prefs("m-1", notify_sms=True)
    outbox.dispatch([send_of(SMS), send_of(SMS)], clock.now())
    prefs("m-1", notify_sms=False)

    outbox.release(clock.now())

    assert [(i["status"], i.get("reason"), i["to"]) for i in outbox.items()] == [
        ("skipped", "opted_out", None),
        ("skipped", "opted_out", None),
    ]


def test_the_local_route_lists_due_sends_and_delete_clears(outbox: Outbox) -> None:
    prefs("m-1", notify_sms=True)
    app = LocalApp(gateway=None, web_dist=None, outbox=outbox)
    outbox.dispatch([send_of(SMS)], clock.now())

    status, headers, body = app.handle("GET", "/local/outbox", {}, b"")

    assert (status, headers["content-type"]) == (200, "application/json")
    [item] = json.loads(body)["items"]
    assert (item["status"], item["to"]) == ("sent", "138****5678")
    assert item["text"].encode() in body  # the Chinese as UTF-8, readable with curl
    assert app.handle("DELETE", "/local/outbox", {}, b"")[0] == 200
    assert json.loads(app.handle("GET", "/local/outbox", {}, b"")[2]) == {"items": []}
    assert app.handle("POST", "/local/outbox", {}, b"")[0] == 405
