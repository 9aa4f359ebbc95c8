"""Issue 20's local-mode acceptance, on DynamoDB Local with the local bus wired as the server
wires it (and once through the real server over HTTP): points due in 7 days, the reminders
job run → one inbox message in Chinese; run again → still one; the member opted into SMS →
GET /local/outbox shows the SMS (masked number), held through quiet hours by the local
clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.bus import LocalBus, StreamTail
from local.outbox import Outbox, subscriber, tick
from local.server import LocalApp
from shared import clock
from shared.domain import notices
from shared.domain.notices import POINTS_EXPIRING, SMS
from shared.settings import settings
from tests.local_server import http_json, local_server
from tests.support import Api, at, register_member

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture
def walk(local_api: Api) -> Any:
    cfg = settings()
    outbox = Outbox()
    bus = LocalBus(
        StreamTail(cfg.dynamodb_endpoint, cfg.table_name),
        subscribers=[subscriber(outbox)],
        ticks=[tick(outbox)],
    )
    at("2027-01-10")  # the welcome points' last day is 2027-07-10
    register_member(local_api, "m-walk", phone="13812345678")
    yield local_api, bus, LocalApp(gateway=None, bus=bus, web_dist=None, outbox=outbox)
    clock.release()


def remind(api: Api, bus: LocalBus) -> None:
    res = api.operator("POST", "/v1/admin/jobs/expiry-reminders/runs")
    assert res.status == 200, res.body
    bus.drain()


def outbox_items(app: LocalApp) -> list[dict[str, Any]]:
    status, _, body = app.handle("GET", "/local/outbox", {}, b"")
    assert status == 200
    return json.loads(body)["items"]


def test_a_reminder_is_one_chinese_message_and_one_recorded_sms(walk: Any) -> None:
    api, bus, app = walk
    prefs = api.member("m-walk", "PUT", "/v1/me/preferences", {"channels": {"sms": True}})
    assert prefs.status == 200, prefs.body
    bus.drain()
    at("2027-07-03", hour=10)  # 7 days before: the 30- and the 7-day reminder both fall due

    remind(api, bus)
    first = api.member("m-walk", "GET", "/v1/me/messages").body
    remind(api, bus)
    again = api.member("m-walk", "GET", "/v1/me/messages").body

    [message] = first["items"]
    expected = {"points": 100, "expires_on": "2027-07-10"}
    title, body = notices.render(POINTS_EXPIRING, expected, "zh-CN")
    assert (message["kind"], message["title"], message["body"]) == (POINTS_EXPIRING, title, body)
    assert "积分" in title + body
    assert again["items"] == first["items"]
    [sms] = outbox_items(app)
    _, text = notices.render(POINTS_EXPIRING, expected, "zh-CN", SMS)
    assert (sms["channel"], sms["status"], sms["to"], sms["text"]) == (
        SMS,
        "sent",
        "138****5678",
        text,
    )
    assert sms["message_id"] == message["message_id"]


def test_a_reminder_in_quiet_hours_waits_for_the_local_clock(walk: Any) -> None:
    api, bus, app = walk
    api.member("m-walk", "PUT", "/v1/me/preferences", {"channels": {"sms": True}})
    at("2027-07-03", hour=22)  # quiet until 09:00 programme time

    remind(api, bus)

    [waiting] = outbox_items(app)
    assert (waiting["status"], waiting["not_before"][:19]) == ("waiting", "2027-07-04T01:00:00")
    at("2027-07-04", hour=9, minute=0)
    [sent] = outbox_items(app)
    assert sent["status"] == "sent" and sent["text"]
    assert len(api.member("m-walk", "GET", "/v1/me/messages").body["items"]) == 1


def test_without_an_sms_opt_in_the_outbox_stays_empty(walk: Any) -> None:
    api, bus, app = walk
    at("2027-07-03", hour=10)

    remind(api, bus)

    assert len(api.member("m-walk", "GET", "/v1/me/messages").body["items"]) == 1
    assert outbox_items(app) == []


def test_the_local_server_shows_the_sms_at_local_outbox(ddb_local: Any, tmp_path: Any) -> None:
    server = local_server(ddb_local.endpoint, "walk", tmp_path / "server.log", "--no-demo")
    with server as (base, _):

        def token(sub: str, *groups: str) -> dict[str, str]:
            _, body = http_json("POST", f"{base}/local/token", {"sub": sub, "groups": groups})
            return {"authorization": f"Bearer {body['token']}"}

        me, ops = token("m-walk"), token("ops", "operators")
        http_json("PUT", f"{base}/local/clock", {"now": "2027-01-10T10:00:00+08:00"})
        body = {"member_id": "m-walk", "phone": "13812345678"}
        assert http_json("POST", f"{base}/v1/members", body, token("shop", "systems"))[0] == 201
        prefs = {"channels": {"sms": True}}
        assert http_json("PUT", f"{base}/v1/me/preferences", prefs, me)[0] == 200
        http_json("PUT", f"{base}/local/clock", {"now": "2027-07-03T10:00:00+08:00"})

        for _ in range(2):
            run = http_json("POST", f"{base}/v1/admin/jobs/expiry-reminders/runs", None, ops)
            assert run[0] == 200, run

        _, outbox = http_json("GET", f"{base}/local/outbox")  # drains the bus first
        _, inbox = http_json("GET", f"{base}/v1/me/messages", None, me)
    [message] = inbox["items"]
    assert message["kind"] == POINTS_EXPIRING and "积分" in message["title"]
    [sms] = outbox["items"]
    assert (sms["status"], sms["to"], sms["message_id"]) == (
        "sent",
        "138****5678",
        message["message_id"],
    )
    assert "13812345678" not in (tmp_path / "server.log").read_text()
