"""Issue 20's faces: a member reads the inbox (newest first, unread marked, the badges on the
home page and the tab bar), taps messages read until the badges clear, pages through a long
inbox and lists only the unread; switches the language and the SMS channel on the
preferences page (saved, so the server writes in it and a fresh sign-in takes it); an
operator edits the notifications settings of the programme.

Messages are put in the inbox the way the notifier puts them (``shared.dynamodb.inbox.write``
on the local server's table), so a journey does not wait for events to cross the bus; the
API renders them when read, in the reader's language."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LocalServer, Ui
from tests.browser.pages import exact, new_member
from tests.local_server import http_json

pytestmark = pytest.mark.browser


@pytest.fixture
def inbox(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``inbox(member_id, kind, params, hours_ago)``: a message as the notifier writes it."""
    from shared.domain.notices import Notice
    from shared.dynamodb import connection
    from shared.dynamodb import inbox as inbox_repo
    from shared.settings import ENV_DYNAMODB_ENDPOINT, ENV_TABLE_NAME

    for name, value in {
        ENV_TABLE_NAME: server.table,
        ENV_DYNAMODB_ENDPOINT: server.endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    connection.reset()

    def write(member_id: str, kind: str, params: dict[str, Any], hours_ago: float) -> str:
        at = datetime.now(UTC) - timedelta(hours=hours_ago)
        notice = Notice(
            member_id=member_id,
            kind=kind,
            params=params,
            at=at,
            day=at.date(),
            event_id=uuid.uuid4().hex,
        )
        assert inbox_repo.write(notice, keep_days=90) == inbox_repo.NEW
        return notice.message_id

    yield write
    connection.reset()


def _messages(server: LocalServer, member_id: str, locale: str) -> dict[str, Any]:
    headers = {
        "authorization": f"Bearer {server.token(member_id)}",
        "accept-language": locale,
    }
    status, body = http_json("GET", f"{server.base}/v1/me/messages?limit=100", None, headers)
    assert status == 200, body
    return body


def _english(ui: Ui) -> None:
    ui.page.evaluate("() => localStorage.setItem('loyalty.locale', 'en')")
    ui.page.reload(wait_until="domcontentloaded")


def test_member_reads_messages_and_the_badges_clear(
    member: Ui, server: LocalServer, inbox: Any
) -> None:
    member_id = new_member(server, 0)
    inbox(member_id, "points_expiring", {"points": 300, "expires_on": "2027-01-31"}, 30)
    inbox(member_id, "points_received", {"points": 50}, 1)
    zh = _messages(server, member_id, "zh-CN")
    assert zh["unread"] == 2
    newest, older = zh["items"]

    member.sign_in(member_id)
    page = member.page
    page.get_by_role("heading", name="我的积分", level=1).wait_for()
    bell = page.get_by_role("link", name="消息中心，2 条未读")
    bell.wait_for()
    expect(page.get_by_role("tab", name=re.compile(r"^\s*我的\s*，2 条未读消息$"))).to_be_visible()
    member.check("home-unread")

    bell.click()
    page.get_by_role("heading", name="消息中心", level=1).wait_for()
    rows = page.get_by_role("listitem")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(newest["title"])  # newest first
    expect(rows.nth(1)).to_contain_text(older["title"])
    expect(rows.nth(1)).to_contain_text("300")
    expect(rows.filter(has_text="未读")).to_have_count(2)
    expect(page.get_by_role("status").filter(has_text="2 条未读")).to_be_visible()
    member.check("unread")

    rows.nth(0).get_by_role("button").click()
    expect(rows.nth(0).get_by_role("button")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="1 条未读")).to_be_visible()
    expect(rows.filter(has_text="未读")).to_have_count(1)
    rows.nth(1).get_by_role("button").click()
    expect(page.get_by_role("status").filter(has_text="全部已读")).to_be_visible()
    member.check("all-read")
    assert _messages(server, member_id, "zh-CN")["unread"] == 0

    page.get_by_role("button", name="返回").click()
    page.get_by_role("heading", name="我的积分", level=1).wait_for()
    expect(page.get_by_role("link", name=exact("消息中心"))).to_be_visible()
    expect(page.get_by_role("tab", name=exact("我的"))).to_be_visible()

    # The same messages in English: the server writes them in the language the app sends.
    en = _messages(server, member_id, "en")
    assert en["items"][0]["title"] != newest["title"]
    _english(member)
    member.goto("/inbox")
    page.get_by_role("heading", name="Messages", level=1).wait_for()
    expect(rows.nth(0)).to_contain_text(en["items"][0]["title"])
    expect(rows.nth(1)).to_contain_text(en["items"][1]["body"])
    member.check("inbox-en")


def test_points_given_reach_the_inbox_and_the_sms_the_member_opted_into(
    member: Ui, server: LocalServer
) -> None:
    """The whole way: a transfer's event crosses the local bus to the notifier, which writes
    the receiver's message and the SMS they opted into (recorded by local mode)."""
    receiver = f"m-{uuid.uuid4().hex[:10]}"
    server.system("POST", "/v1/members", {"member_id": receiver, "phone": "13912345678"})
    server.member(receiver, "PUT", "/v1/me/preferences", {"channels": {"sms": True}})
    giver = new_member(server, 500)
    server.member(giver, "POST", "/v1/me/transfers", {"to_member_id": receiver, "points": 30})

    sms = [s for s in server.outbox() if s["member_id"] == receiver]
    assert [(s["channel"], s["kind"]) for s in sms] == [("sms", "points_received")]
    assert "13912345678" not in str(sms)  # the number is masked
    message = _messages(server, receiver, "zh-CN")["items"][0]
    assert "30" in message["body"]

    member.sign_in(receiver)
    page = member.page
    page.get_by_role("link", name="消息中心，1 条未读").click()
    page.get_by_role("heading", name="消息中心", level=1).wait_for()
    row = page.get_by_role("listitem").filter(has_text=message["title"])
    expect(row).to_contain_text(message["body"])
    member.check("transfer-message")


def test_member_pages_through_a_long_inbox_and_lists_only_the_unread(
    member: Ui, server: LocalServer, inbox: Any
) -> None:
    member_id = new_member(server, 0)
    # One message of a kind per day: 23 days of expiry reminders, the newest first.
    for day in range(23):
        inbox(
            member_id,
            "points_expiring",
            {"points": 100 + day, "expires_on": "2027-02-28"},
            24 * day + 1,
        )
    read_one = _messages(server, member_id, "zh-CN")["items"][2]["message_id"]
    server.member(member_id, "POST", f"/v1/me/messages/{read_one}/read")

    member.sign_in(member_id)
    member.goto("/inbox")
    page = member.page
    page.get_by_role("heading", name="消息中心", level=1).wait_for()
    rows = page.get_by_role("listitem")
    expect(rows.first).to_contain_text("100")
    # 20 a page: the rest come with the cursor when the end of the list shows.
    rows.nth(19).scroll_into_view_if_needed()
    page.get_by_text("没有更多了").wait_for()
    expect(rows).to_have_count(23)
    expect(rows.nth(22)).to_contain_text("122")
    expect(page.get_by_role("status").filter(has_text="22 条未读")).to_be_visible()

    page.get_by_role("switch", name="只看未读").click()
    expect(page.get_by_role("switch", name="只看未读")).to_have_attribute("aria-checked", "true")
    expect(rows.first).to_contain_text("100")
    rows.nth(19).scroll_into_view_if_needed()
    page.get_by_text("没有更多了").wait_for()
    expect(rows).to_have_count(22)
    expect(rows.filter(has_text="102")).to_have_count(0)  # the one read before
    member.check("only-unread")


def test_member_saves_language_and_sms_and_a_new_sign_in_follows(
    open_app: Any, server: LocalServer, inbox: Any
) -> None:
    member_id = f"m-{uuid.uuid4().hex[:10]}"
    server.system("POST", "/v1/members", {"member_id": member_id, "phone": "13812345678"})
    inbox(member_id, "points_received", {"points": 88}, 1)

    member = open_app("member")
    member.sign_in(member_id)
    page = member.page
    member.goto("/me")
    page.get_by_role("link", name=exact("通知与语言")).click()
    page.get_by_role("heading", name="通知与语言", level=1).wait_for()
    expect(page.get_by_role("switch", name="站内消息")).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_role("switch", name="站内消息")).to_have_attribute("aria-checked", "true")
    sms = page.get_by_role("switch", name="短信")
    expect(sms).to_have_attribute("aria-checked", "false")
    # A phone is on file, no e-mail: only the e-mail has the hint.
    expect(page.get_by_text("未登记邮箱，暂时无法接收邮件")).to_be_visible()
    expect(page.get_by_text("未登记手机号，暂时无法接收短信")).to_have_count(0)
    member.check("settings")

    sms.press("Space")  # from the keyboard, as a switch is
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    expect(sms).to_have_attribute("aria-checked", "true")
    saved = server.member(member_id, "GET", "/v1/me/preferences")
    assert saved["channels"] == {"in_app": True, "sms": True, "email": False}
    assert saved["reachable"] == {"sms": True, "email": False}

    with page.expect_response(
        lambda r: r.url.endswith("/v1/me/preferences") and r.request.method == "PUT"
    ):
        page.get_by_role("group", name="语言").get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Notifications & language", level=1).wait_for()
    expect(page.get_by_text("No e-mail address on file: no e-mail can be sent")).to_be_visible()
    assert server.member(member_id, "GET", "/v1/me/preferences")["locale"] == "en"
    member.check("settings-en")

    # Another device, nothing chosen on it: signed in, the app takes the saved language.
    other = open_app("member")
    other.sign_in(member_id)
    other.page.get_by_role("heading", name="My points", level=1).wait_for()
    expect(other.page.locator("html")).to_have_attribute("lang", "en")
    other.page.get_by_role("link", name=re.compile(r"^Messages, 1 unread$")).click()
    other.page.get_by_role("heading", name="Messages", level=1).wait_for()
    title = _messages(server, member_id, "en")["items"][0]["title"]
    expect(other.page.get_by_role("listitem").first).to_contain_text(title)
    other.check("adopted-en")


def test_operator_edits_the_notifications_settings(console: Ui, server: LocalServer) -> None:
    saved = server.operator("GET", "/v1/admin/rules")["notifications"]
    try:
        console.sign_in("op-browser", ("operators",))
        page = console.page
        page.get_by_role("navigation", name="功能导航").get_by_role(
            "menuitem", name=exact("积分规则")
        ).click()
        page.get_by_role("heading", name=exact("积分规则"), level=1).wait_for()
        group = page.get_by_role("group", name="消息通知")
        group.get_by_role("combobox", name="默认语言").click(force=True)
        page.get_by_role("option", name=exact("English")).filter(visible=True).click()
        group.get_by_label("短信免打扰开始").fill("25:00")
        group.get_by_label("短信免打扰结束").fill("08:30")
        group.get_by_label("消息保留天数").fill("30")
        console.expect_status(422, "/v1/admin/rules")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".el-form-item__error").filter(has_text="quiet_start")).to_be_visible()
        assert server.operator("GET", "/v1/admin/rules")["notifications"] == saved

        group.get_by_label("短信免打扰开始").fill("22:00")
        console.check("notifications")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("已保存").first.wait_for()
        assert server.operator("GET", "/v1/admin/rules")["notifications"] == {
            "default_locale": "en",
            "quiet_start": "22:00",
            "quiet_end": "08:30",
            "inbox_days": 30,
        }
        _english(console)
        page.get_by_role("heading", name="Rules", level=1).wait_for()
        group = page.get_by_role("group", name="Notifications")
        expect(group.get_by_label("SMS quiet hours from")).to_have_value("22:00")
        console.check("notifications-en")
    finally:
        server.operator("PUT", "/v1/admin/rules", {"notifications": saved})
