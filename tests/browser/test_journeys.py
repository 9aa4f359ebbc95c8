"""Six journeys, driven through the apps as a member or an operator would,
each checking what the person sees and then what the API answers.

Set-up and verification use the API (tokens from POST /local/token); the actions under
test go through the pages. Each journey uses members and items of its own, so journeys
do not depend on each other or on their order.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LocalServer, Ui
from tests.browser.pages import exact, ledger, new_member

pytestmark = pytest.mark.browser

DELIVERY = {
    "method": "ship",
    "name": "张三",
    "phone": "13800138000",
    "address": "上海市浦东新区世纪大道 100 号",
}


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _item(server: LocalServer, item_id: str, **definition: Any) -> dict[str, Any]:
    """An item the journey needs, created through the API."""
    return server.operator("PUT", f"/v1/admin/catalog/{item_id}", definition)


def _dialog(page: Any, title: str) -> Any:
    """A Vant dialog by its title (Vant does not name its dialogs by their titles)."""
    return page.get_by_role("dialog").filter(has_text=title)


def _open_item(ui: Ui, name: str) -> None:
    """From the mall's list to the item's page, as a member finds it."""
    ui.goto("/mall")
    ui.page.get_by_role("heading", name="积分商城", level=1).wait_for()
    ui.page.get_by_role("link", name=re.compile(re.escape(name))).click()
    ui.page.get_by_role("heading", name=name, level=1).wait_for()


def _redeem_gift(ui: Ui, name: str) -> str:
    """Fills in the delivery form, redeems one unit, and returns the order id shown."""
    _open_item(ui, name)
    page = ui.page
    page.get_by_label("收货人").fill(DELIVERY["name"])
    page.get_by_label("手机号").fill(DELIVERY["phone"])
    page.get_by_label("收货地址").fill(DELIVERY["address"])
    ui.check("item")
    page.get_by_role("button", name="立即兑换").click()
    dialog = _dialog(page, "兑换成功")
    dialog.wait_for()
    found = re.search(r"订单号 (\S+)", dialog.inner_text())
    assert found, dialog.inner_text()
    ui.check("redeemed")
    return found.group(1)


def test_gift_with_stock_two_sells_out_for_the_third_member(open_app: Any, server: Any) -> None:
    item_id, name = _id("gift"), f"限量保温杯 {uuid.uuid4().hex[:4]}"
    # The operator creates the gift in the console.
    console = open_app("console")
    console.sign_in("op-browser", ("operators",))
    console.page.get_by_role("navigation", name="功能导航").get_by_role(
        "menuitem", name=exact("商品管理")
    ).click()
    console.page.get_by_role("heading", name="商品管理", level=1).wait_for()
    console.page.get_by_role("button", name="新建商品").click()
    dialog = console.page.get_by_role("dialog", name="新建商品")
    dialog.get_by_label("商品ID").fill(item_id)
    dialog.get_by_label("商品名称").fill(name)
    dialog.get_by_label("所需积分").fill("300")
    # The select's own text box sits under its placeholder: click where a person clicks.
    dialog.get_by_label("库存方式").click(force=True)
    console.page.get_by_role("option", name=exact("限量")).filter(visible=True).click()
    dialog.get_by_label("库存", exact=True).fill("2")
    console.check("new-gift")
    dialog.get_by_role("button", name="保存").click()
    row = console.page.get_by_role("row").filter(has_text=item_id)
    row.wait_for()
    assert "实物礼品" in row.inner_text() and name in row.inner_text()
    console.check("catalog")
    stored = server.operator("GET", f"/v1/admin/catalog/{item_id}")
    assert (stored["kind"], stored["points"], stored["stock"]) == ("gift", 300, 2)

    buyers = [new_member(server, 1000) for _ in range(3)]
    orders = []
    for buyer in buyers[:2]:
        ui = open_app("member")
        ui.sign_in(buyer)
        orders.append(_redeem_gift(ui, name))
    for buyer, order_id in zip(buyers[:2], orders, strict=True):
        order = server.member(buyer, "GET", f"/v1/me/orders/{order_id}")
        assert (order["item_id"], order["status"]) == (item_id, "placed")
        assert server.member(buyer, "GET", "/v1/me")["balance"] == 700

    # The third member sees it sold out and cannot submit.
    third = open_app("member")
    third.sign_in(buyers[2])
    _open_item(third, name)
    third.page.get_by_role("status").filter(has_text="已售罄").wait_for()
    button = third.page.get_by_role("button", name="已售罄")
    assert button.is_disabled()
    third.check("sold-out")
    assert server.member(buyers[2], "GET", f"/v1/catalog/{item_id}")["stock"] == 0
    assert server.member(buyers[2], "GET", "/v1/me")["balance"] == 1000
    assert server.member(buyers[2], "GET", "/v1/me/orders")["items"] == []


def test_two_days_of_check_ins_make_a_streak_of_two(member: Ui, server: Any) -> None:
    """Day 2 pays the check-in points plus a streak bonus the operator set for day 2
    (by default the first bonus comes on day 7)."""
    member_id = new_member(server, 0)
    bonuses = server.operator("GET", "/v1/admin/rules")["streak_bonuses"]
    day_two = [{"day": 2, "points": 5}, *(b for b in bonuses if b["day"] != 2)]
    now = datetime.now().astimezone()
    try:
        server.operator("PUT", "/v1/admin/rules", {"streak_bonuses": day_two})
        seen = {
            1: "签到成功，获得 10 积分，已连续签到 1 天",
            2: "签到成功，获得 15 积分，已连续签到 2 天（含连签奖励 5 积分）",
        }
        for day, instant in ((1, now - timedelta(days=1)), (2, now)):
            server.set_clock(instant.isoformat())
            if day == 1:
                member.sign_in(member_id)
            member.goto("/checkin")
            page = member.page
            page.get_by_role("heading", name="每日签到", level=1).wait_for()
            page.get_by_role("button", name=exact("签到")).click()
            page.get_by_text(seen[day]).wait_for()
            page.get_by_text(f"已连续签到 {day} 天", exact=True).wait_for()
            member.check(f"day-{day}")
        me = server.member(member_id, "GET", "/v1/me")
        assert me["checkin_streak"] == 2
        checkins = [e for e in ledger(server, member_id) if e["source"] == "checkin"]
        assert [e["points"] for e in checkins] == [15, 10]
        assert (checkins[0]["code"], checkins[0]["description"]) == (
            "checkin_bonus",
            "每日签到（连续第 2 天），连签奖励 +5",  # the programme's default language
        )
        # The member's ledger shows the second day's credit with its bonus, in the app's
        # language.
        member.goto("/ledger")
        entry = member.page.get_by_role("listitem").filter(has_text="连签奖励 +5")
        entry.wait_for()
        assert "+15" in entry.inner_text()
        member.check("ledger")
    finally:
        server.release_clock()
        server.operator("PUT", "/v1/admin/rules", {})  # the demo programme has no overrides


def test_shipped_order_shows_its_tracking_number(open_app: Any, server: Any) -> None:
    item_id, tracking = _id("ship"), f"SF{uuid.uuid4().int % 10**12:012d}"
    _item(
        server, item_id, name="旅行收纳包", kind="gift", points=200, stock=5, per_member_limit=None
    )
    member_id = new_member(server, 500)
    order_id = server.member(
        member_id,
        "POST",
        "/v1/redemptions",
        {"item_id": item_id, "quantity": 1, "delivery": DELIVERY},
    )["order_id"]

    console = open_app("console")
    console.sign_in("op-browser", ("operators",))
    console.goto("/console/orders")
    page = console.page
    page.get_by_role("heading", name="订单管理", level=1).wait_for()
    page.get_by_role("tab", name="待审核").click()
    page.get_by_role("row").filter(has_text=order_id).get_by_role("button", name="审核通过").click()
    page.get_by_role("row").filter(has_text=order_id).wait_for(state="detached")
    page.get_by_role("tab", name="待发货").click()
    page.get_by_role("row").filter(has_text=order_id).get_by_role("button", name="发货").click()
    dialog = page.get_by_role("dialog", name="订单发货")
    dialog.get_by_label("快递公司").fill("顺丰速运")
    dialog.get_by_label("快递单号").fill(tracking)
    console.check("ship-dialog")
    dialog.get_by_role("button", name=exact("发货")).click()
    dialog.wait_for(state="hidden")
    order = server.member(member_id, "GET", f"/v1/me/orders/{order_id}")
    assert (order["status"], order["carrier"], order["tracking_no"]) == (
        "shipped",
        "顺丰速运",
        tracking,
    )

    member = open_app("member")
    member.sign_in(member_id)
    member.goto("/orders")
    card = member.page.get_by_role("article", name=f"订单 {order_id}")
    card.get_by_text("已发货").wait_for()
    assert tracking in card.inner_text()
    member.check("orders")


def test_lottery_draw_shows_its_outcome_and_appears_in_the_audit(
    open_app: Any, server: Any
) -> None:
    lottery_id, name = _id("draw"), f"周末幸运抽奖 {uuid.uuid4().hex[:4]}"
    now = datetime.now().astimezone()
    server.operator(
        "PUT",
        f"/v1/admin/lotteries/{lottery_id}",
        {
            "name": name,
            "cost": 20,
            "daily_limit": 3,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=7)).isoformat(),
            "no_prize_weight": 1,
            "prizes": [
                {"prize_id": "p50", "name": "50 积分", "kind": "points", "weight": 1, "points": 50}
            ],
        },
    )
    member_id = new_member(server, 100)
    member = open_app("member")
    member.sign_in(member_id)
    member.goto("/lottery")
    page = member.page
    page.get_by_role("heading", name=name).wait_for()
    page.get_by_role("button", name=f"抽奖：{name}，消耗 20 积分").click()
    dialog = _dialog(page, "抽奖结果")
    dialog.wait_for()
    shown = dialog.inner_text()
    member.check("outcome")

    draws = _draws(server, lottery_id)
    assert len(draws) == 1 and draws[0]["member_id"] == member_id
    draw = draws[0]
    won = draw["prize"] is not None
    assert ("恭喜！抽中 50 积分" in shown) if won else ("很遗憾，这次没有中奖" in shown)
    balance = server.member(member_id, "GET", "/v1/me")["balance"]
    assert balance == 100 - 20 + (50 if won else 0)

    console = open_app("console")
    console.sign_in("op-browser", ("operators",))
    console.goto("/console/lotteries")
    console.page.get_by_role("heading", name="抽奖管理", level=1).wait_for()
    row = console.page.get_by_role("row").filter(has_text=lottery_id)
    row.get_by_role("button", name="抽奖记录").click()
    audit = console.page.get_by_role("tabpanel", name="抽奖记录")
    audit.get_by_role("row").filter(has_text=draw["draw_id"]).wait_for()
    assert member_id in audit.get_by_role("row").filter(has_text=draw["draw_id"]).inner_text()
    console.check("audit")


def _draws(server: LocalServer, lottery_id: str) -> list[dict[str, Any]]:
    """The lottery's draw audit (an index, so allow it a moment to show a new draw)."""
    for _ in range(50):
        draws = server.operator("GET", f"/v1/admin/lotteries/{lottery_id}/draws")["items"]
        if draws:
            return draws
        time.sleep(0.2)
    return []


TOTALS = {
    "issued": "发放积分",
    "redeemed": "兑换积分",
    "expired": "过期积分",
    "clawed_back": "追回积分",
    "outstanding": "未使用积分",
    "members": "会员总数",
    "active_members": "活跃会员",
}


def _stable_summary(server: LocalServer) -> dict[str, Any]:
    """The report once the local bus has caught up: two reads a second apart agree."""
    last = server.operator("GET", "/v1/admin/reports/summary")
    for _ in range(30):
        time.sleep(1)
        now = server.operator("GET", "/v1/admin/reports/summary")
        if now == last:
            return now
        last = now
    raise AssertionError("the report summary did not settle within 30 s")


def test_dashboard_totals_equal_the_report_summary(console: Ui, server: Any) -> None:
    console.sign_in("op-browser", ("operators",))
    cards = console.page.get_by_role("list", name="积分汇总")
    for _ in range(3):
        summary = _stable_summary(server)
        console.goto("/console/")
        console.page.get_by_role("heading", name="数据概览", level=1).wait_for()
        shown = {}
        for key, label in TOTALS.items():
            card = cards.get_by_role("listitem", name=label, exact=True)
            expect(card).to_have_text(re.compile(rf"^\s*{label}\s*-?\d"))
            shown[key] = card.inner_text().replace(label, "").strip()
        if server.operator("GET", "/v1/admin/reports/summary") == summary:
            break
    # The cards group thousands (12,345), as an operator reads them.
    assert shown == {key: f"{summary[key]:,}" for key in TOTALS}
    assert summary["issued"] > 0 and summary["members"] >= 3
    console.check("dashboard")


def test_refused_redemption_shows_chinese_message_and_changes_nothing(
    member: Ui, server: Any
) -> None:
    item_id, name = _id("coupon"), f"满 500 减 50 券 {uuid.uuid4().hex[:4]}"
    _item(server, item_id, name=name, kind="coupon", points=500)
    member_id = new_member(server, 120)
    before = (server.member(member_id, "GET", "/v1/me"), ledger(server, member_id))
    member.expect_status(409, "/v1/redemptions")
    member.sign_in(member_id)
    _open_item(member, name)
    page = member.page
    page.get_by_role("status").filter(has_text="积分不足，还差 380 积分").wait_for()
    page.get_by_role("button", name="立即兑换").click()
    dialog = _dialog(page, "操作未完成")
    dialog.get_by_text("积分不足", exact=True).wait_for()
    assert "insufficient" not in dialog.inner_text() and "{" not in dialog.inner_text()
    member.check("refused")
    after = (server.member(member_id, "GET", "/v1/me"), ledger(server, member_id))
    assert after == before
    assert server.member(member_id, "GET", "/v1/me/orders")["items"] == []
