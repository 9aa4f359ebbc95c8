"""A member's inbox and preferences through the handlers: messages newest first in the
reader's language, the unread filter and count, pages, marking read, another member's ids,
and the language and channel preferences (in-app always on)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from shared import clock
from shared.domain.notices import Notice
from shared.dynamodb import inbox
from tests.support import Api, Result, register_member

pytestmark = pytest.mark.usefixtures("frozen_clock")  # 2027-01-10 10:00 Asia/Shanghai

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def member(api: Api) -> str:
    return register_member(api, "m-1", phone="13800000001")


def message(member_id: str, day: str, kind: str, keep_days: int = 90, **params: Any) -> str:
    """A message written as the notifier writes it (the event at 09:00 that day, UTC+8)."""
    at = datetime.fromisoformat(f"{day}T01:00:00+00:00")
    notice = Notice(member_id, kind, params, at, date.fromisoformat(day), f"ev-{day}-{kind}")
    assert inbox.write(notice, keep_days) == inbox.NEW
    return notice.message_id


def messages(api: Api, member_id: str = "m-1", query: str = "", **kw: Any) -> Result:
    return api.member(member_id, "GET", f"/v1/me/messages{query}", **kw)


def read(api: Api, message_id: str, member_id: str = "m-1", **kw: Any) -> Result:
    return api.member(member_id, "POST", f"/v1/me/messages/{message_id}/read", **kw)


def prefs(api: Api, body: Any = None, member_id: str = "m-1") -> Result:
    if body is None:
        return api.member(member_id, "GET", "/v1/me/preferences")
    return api.member(member_id, "PUT", "/v1/me/preferences", body)


def test_messages_list_newest_first_with_text_and_the_unread_count(api: Api, member: str) -> None:
    message(member, "2027-01-08", "tier_promoted", tier="gold")
    message(member, "2027-01-09", "points_expiring", points=120, expires_on="2027-01-16")
    message(member, "2027-01-09", "birthday_points", points=50)

    res = messages(api, headers=EN)

    assert res.status == 200
    assert [(m["message_id"], m["read"]) for m in res.body["items"]] == [
        ("2027-01-09.points_expiring", False),
        ("2027-01-09.birthday_points", False),
        ("2027-01-08.tier_promoted", False),
    ]
    first = res.body["items"][0]
    assert first["kind"] == "points_expiring"
    assert first["title"] and "120" in first["body"]
    assert first["at"] == "2027-01-09T09:00:00+08:00"  # programme time
    assert (res.body["next_cursor"], res.body["unread"]) == (None, 3)


def test_the_same_messages_read_in_english_and_chinese_differ_only_in_text(
    api: Api, member: str
) -> None:
    message(member, "2027-01-09", "points_expiring", points=120, expires_on="2027-01-16")
    message(member, "2027-01-08", "tier_promoted", tier="gold")

    en = messages(api, headers=EN).body["items"]
    zh = messages(api, headers=ZH).body["items"]

    def facts(items: list[dict]) -> list[tuple]:
        return [(m["message_id"], m["kind"], m["at"], m["read"]) for m in items]

    assert facts(en) == facts(zh)
    for english, chinese in zip(en, zh, strict=True):
        assert english["title"] != chinese["title"] and english["body"] != chinese["body"]
    assert "120" in en[0]["body"] and "120" in zh[0]["body"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh[0]["body"])  # Chinese characters
    assert en[0]["body"].isascii()


def test_without_accept_language_the_saved_locale_then_the_programme_default_is_used(
    api: Api, member: str
) -> None:
    message(member, "2027-01-09", "birthday_points", points=50)
    english = messages(api, headers=EN).body["items"][0]["body"]
    chinese = messages(api, headers=ZH).body["items"][0]["body"]

    assert messages(api).body["items"][0]["body"] == chinese  # the programme's default: zh-CN
    assert prefs(api, {"locale": "en"}).status == 200
    assert messages(api).body["items"][0]["body"] == english  # the member's choice
    assert messages(api, headers=ZH).body["items"][0]["body"] == chinese  # the app's language


def test_unread_filter_and_pages_walk_the_inbox_once(api: Api, member: str) -> None:
    ids = [message(member, f"2027-01-0{d}", "birthday_points", points=d) for d in range(1, 8)]
    newest_first = ids[::-1]
    assert read(api, ids[5]).status == 200  # 2027-01-06
    assert read(api, ids[2]).status == 200  # 2027-01-03

    seen, cursor, pages = [], None, 0
    while True:
        query = "?unread=true&limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = messages(api, query=query).body
        assert body["unread"] == 5
        assert len(body["items"]) <= 2
        seen += [m["message_id"] for m in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [i for i in newest_first if i not in (ids[5], ids[2])]
    assert pages in (3, 4)  # 5 unread by 2 (a last empty page when the 5th ends a page)
    everything = messages(api, query="?unread=false&limit=100").body
    assert [m["message_id"] for m in everything["items"]] == newest_first
    assert [m["read"] for m in everything["items"]] == [
        False,
        True,
        False,
        False,
        True,
        False,
        False,
    ]


def test_the_unread_badge_finds_an_old_unread_message_in_one_round_trip(
    api: Api, member: str, dynamodb_calls: Any
) -> None:
    days = [date(2026, 12, 1) + timedelta(days=d) for d in range(40)]
    ids = [message(member, day.isoformat(), "birthday_points", points=1) for day in days]
    for mid in ids[1:]:  # every message read but the oldest
        inbox.mark_read(member, mid, "2027-01-10T00:00:00+00:00")
    messages(api)  # the programme's rules are read once per process: not counted below
    dynamodb_calls.clear()

    body = messages(api, query="?unread=true&limit=1").body

    assert [m["message_id"] for m in body["items"]] == [ids[0]]
    assert body["unread"] == 1
    assert dynamodb_calls["Query"] == 2  # the page and the unread count
    assert dynamodb_calls["GetItem"] == 1  # the saved locale


def test_marking_read_twice_answers_the_first_read_time(api: Api, member: str) -> None:
    mid = message(member, "2027-01-09", "tier_promoted", tier="gold")

    first = read(api, mid, headers=EN)
    clock.pin(clock.now() + timedelta(hours=2))
    again = read(api, mid, headers=EN)

    assert first.status == again.status == 200
    assert first.body == again.body
    assert first.body["read"] is True
    assert first.body["read_at"] == "2027-01-10T10:00:00+08:00"
    assert first.body["message_id"] == mid and first.body["title"]
    assert messages(api).body["unread"] == 0


def test_another_members_message_and_unknown_ids_are_not_found(api: Api, member: str) -> None:
    register_member(api, "m-2")
    mid = message(member, "2027-01-09", "tier_promoted", tier="gold")

    for member_id, message_id in (
        ("m-2", mid),  # the owner's message, asked for by someone else
        ("m-1", "2027-01-09.birthday_points"),  # no such message
        ("m-1", "not-a-message"),
        ("m-1", "%E4%B8%AD"),  # not an id at all
    ):
        res = read(api, message_id, member_id=member_id)
        assert (res.status, res.code) == (404, "message_not_found"), (member_id, message_id)

    assert messages(api, "m-2").body == {"items": [], "next_cursor": None, "unread": 0}
    assert inbox.get(member, mid).read_at is None  # the owner's message is untouched


def test_expired_messages_are_left_out_before_dynamodb_deletes_them(api: Api, member: str) -> None:
    message(member, "2026-10-01", "tier_promoted", keep_days=90, tier="gold")  # ttl 30 Dec
    kept = message(member, "2027-01-09", "birthday_points", points=50)

    body = messages(api).body

    assert [m["message_id"] for m in body["items"]] == [kept]
    assert body["unread"] == 1
    assert read(api, "2026-10-01.tier_promoted").code == "message_not_found"


def test_a_member_never_registered_has_no_inbox(api: Api) -> None:
    assert messages(api, "m-ghost").code == "member_not_found"
    assert prefs(api, member_id="m-ghost").code == "member_not_found"
    res = prefs(api, {"locale": "en"}, member_id="m-ghost")
    assert (res.status, res.code) == (404, "member_not_found")
    assert api.operator("GET", "/v1/admin/members/m-ghost").status == 404  # nothing created


def test_bad_queries_are_refused(api: Api, member: str) -> None:
    for query in ("?unread=yes", "?limit=0", "?limit=101"):
        res = messages(api, query=query)
        assert (res.status, res.code) == (422, "validation_error"), query
    res = messages(api, query="?cursor=bm90LWEta2V5")  # not one we signed (test_cursors.py)
    assert (res.status, res.code) == (400, "invalid_cursor")


# Preferences ------------------------------------------------------------------------------


def test_preferences_default_to_the_programme_language_and_in_app_only(
    api: Api, member: str
) -> None:
    register_member(api, "m-mail", email="m@example.com")

    assert prefs(api).body == {
        "locale": "zh-CN",
        "channels": {"in_app": True, "sms": False, "email": False},
        "reachable": {"sms": True, "email": False},  # m-1 has a phone, no e-mail
    }
    assert prefs(api, member_id="m-mail").body["reachable"] == {"sms": False, "email": True}


def test_preferences_round_trip_and_a_partial_put_keeps_the_rest(api: Api, member: str) -> None:
    full = {"locale": "en", "channels": {"in_app": True, "sms": True, "email": True}}
    put = prefs(api, full)
    assert (put.status, put.body) == (200, prefs(api).body)
    assert put.body["locale"] == "en"
    assert put.body["channels"] == {"in_app": True, "sms": True, "email": True}

    only_email = prefs(api, {"channels": {"email": False}})
    only_locale = prefs(api, {"locale": "zh-CN"})

    assert only_email.body["channels"] == {"in_app": True, "sms": True, "email": False}
    assert only_email.body["locale"] == "en"
    assert only_locale.body["channels"] == {"in_app": True, "sms": True, "email": False}
    assert prefs(api).body["locale"] == "zh-CN"


def test_opting_in_without_a_contact_on_file_is_accepted_and_shown_unreachable(
    api: Api,
) -> None:
    register_member(api, "m-bare")

    res = prefs(api, {"channels": {"sms": True, "email": True}}, member_id="m-bare")

    assert res.status == 200
    assert res.body["channels"] == {"in_app": True, "sms": True, "email": True}
    assert res.body["reachable"] == {"sms": False, "email": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": {"in_app": False}}, "channels.in_app"),
        ({"locale": "fr"}, "locale"),
        ({"locale": "zh"}, "locale"),  # the API's tags only: "zh-CN" | "en"
        ({"channels": {"sms": "yes"}}, "channels.sms"),
        ({"channels": {"push": True}}, "channels.push"),
        ({"channels": {}}, "channels.body"),
        ({"channels": []}, "channels"),
        ({"theme": "dark"}, "theme"),
        ({}, "body"),
        ({"locale": "en", "channels": {"sms": True, "in_app": False}}, "channels.in_app"),
    ],
)
def test_refused_preferences_change_nothing(api: Api, member: str, body: dict, field: str) -> None:
    before = prefs(api).body

    res = prefs(api, body)

    assert (res.status, res.code) == (422, "validation_error")
    assert field in res.body["error"]["details"]["fields"]
    assert prefs(api).body == before


# The operator's notification settings ----------------------------------------------------


def test_operators_set_the_notification_settings_and_bad_ones_change_nothing(
    api: Api, member: str
) -> None:
    message(member, "2027-01-09", "birthday_points", points=50)
    good = {"default_locale": "en", "quiet_start": "22:00", "quiet_end": "08:00"}
    saved = api.operator("PUT", "/v1/admin/rules", {"notifications": good})
    assert saved.status == 200
    assert saved.body["notifications"] == {**good, "inbox_days": 90}
    before = api.operator("GET", "/v1/admin/rules").body

    for bad in ({"quiet_start": "25:00"}, {"inbox_days": 0}, {"default_locale": "de"}):
        res = api.operator("PUT", "/v1/admin/rules", {"notifications": bad})
        assert (res.status, res.code) == (422, "validation_error"), bad
        assert "notifications" in res.body["error"]["details"]["fields"]

    assert api.operator("GET", "/v1/admin/rules").body == before
    english = messages(api, headers=EN).body["items"][0]["body"]
    assert messages(api).body["items"][0]["body"] == english  # the new default language
    assert prefs(api).body["locale"] == "en"
