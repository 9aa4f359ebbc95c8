"""Issue 19's faces, driven as an operator or a member would: a member found by phone with
contact details masked, shown in full (audited) and frozen for redeeming only; a held
purchase seen pending by the member and approved in the review queue; the audit log
filtered by target; a members import with a rejected row and an export to download; the
leaderboard and a task the shop reports. Each journey uses members of its own; set-up and
verification use the API, the actions under test go through the pages."""

from __future__ import annotations

import random
import urllib.request
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LocalServer, Ui
from tests.browser.pages import exact, new_member

pytestmark = pytest.mark.browser


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _english(ui: Ui) -> None:
    """The language switch's choice, kept where the apps read it at start-up."""
    ui.page.evaluate("() => localStorage.setItem('loyalty.locale', 'en')")
    ui.page.reload(wait_until="domcontentloaded")


def _in_english(ui: Ui, title: str, name: str) -> None:
    """The page again in English, checked as ``name``."""
    _english(ui)
    ui.page.get_by_role("heading", name=title, level=1).wait_for()
    ui.check(name)


def _purchase(server: LocalServer, member_id: str, amount: str) -> dict[str, Any]:
    at = datetime.now().astimezone().replace(microsecond=0) - timedelta(minutes=1)
    return server.system(
        "POST",
        "/v1/purchases",
        {
            "order_id": _id("o"),
            "member_id": member_id,
            "amount": amount,
            "occurred_at": at.isoformat(),
        },
    )


def _section(console: Ui, title: str) -> Any:
    """Opens a console section through the menu, as an operator moves between them."""
    page = console.page
    page.get_by_role("navigation", name="功能导航").get_by_role(
        "menuitem", name=exact(title)
    ).click()
    page.get_by_role("heading", name=exact(title), level=1).wait_for()
    return page


def _choose(page: Any, select: Any, option: str) -> None:
    # The select's own text box sits under its placeholder: click where a person clicks.
    select.click(force=True)
    page.get_by_role("option", name=exact(option)).filter(visible=True).click()


def test_operator_finds_a_member_by_phone_reveals_and_freezes_for_redeeming(
    console: Ui, server: LocalServer
) -> None:
    member_id = _id("m")
    national = "139" + "".join(random.choices("0123456789", k=8))
    email = f"{member_id}@example.com"
    server.system(
        "POST",
        "/v1/members",
        {"member_id": member_id, "phone": national, "email": email, "name": "李雷"},
    )
    masked = f"{national[:3]}****{national[-4:]}"

    console.sign_in("op-browser", ("operators",))
    page = _section(console, "会员管理")
    _choose(page, page.get_by_role("combobox", name="查询方式"), "手机号")
    page.get_by_label("手机号", exact=True).fill(national)
    page.get_by_role("button", name="查询").click()
    # One match: its file opens, contact details masked.
    profile = page.get_by_role("heading", name="会员资料").locator("..")
    profile.get_by_text(member_id, exact=True).wait_for()
    profile.get_by_text(masked, exact=True).wait_for()
    assert national not in profile.inner_text() and email not in profile.inner_text()
    console.check("masked")

    # Shown in full, for a reason the audit log keeps.
    page.get_by_role("button", name="显示完整信息").click()
    dialog = page.get_by_role("dialog", name="显示完整联系方式")
    dialog.get_by_text("记入审计日志").wait_for()
    dialog.get_by_label("查看原因").fill("会员来电核实身份")
    console.check("reveal-dialog")
    dialog.get_by_role("button", name="显示完整信息").click()
    dialog.wait_for(state="hidden")
    profile.get_by_text(email, exact=True).wait_for()
    assert national[-8:] in profile.inner_text()
    profile.get_by_text("已显示完整信息").wait_for()
    console.check("revealed")
    trail = server.operator("GET", f"/v1/admin/audit?target=member:{member_id}")["items"]
    assert [(e["action"], e["reason"]) for e in trail] == [("member.reveal", "会员来电核实身份")]

    # Frozen for redeeming only: the member still earns.
    freeze = page.get_by_role("heading", name="冻结账户").locator("..")
    _choose(page, freeze.get_by_role("combobox", name="冻结范围"), "仅使用积分")
    freeze.get_by_label("冻结原因").fill("疑似盗刷，暂停兑换")
    freeze.get_by_role("button", name="冻结账户").click()
    profile.get_by_text("已冻结").wait_for()
    profile.get_by_text("仅使用积分").wait_for()
    # After the write the file is read again: masked once more.
    profile.get_by_text(masked, exact=True).wait_for()
    profile.get_by_role("button", name="显示完整信息").wait_for()
    stored = server.operator("GET", f"/v1/admin/members/{member_id}")
    assert (stored["status"], stored["frozen_scope"]) == ("frozen", "redeeming")
    console.check("frozen")

    # A search by e-mail that matches nobody says so.
    _choose(page, page.get_by_role("combobox", name="查询方式"), "邮箱")
    page.get_by_label("邮箱", exact=True).fill(f"nobody-{member_id}@example.com")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("没有使用该联系方式的会员").wait_for()

    _in_english(console, "Members", "members-en")


def test_member_sees_points_in_review_and_operator_approves_them(
    open_app: Any, server: LocalServer
) -> None:
    member_id = new_member(server, 0)
    before = server.member(member_id, "GET", "/v1/me")["balance"]
    held = _purchase(server, member_id, "150000.00")  # above the single purchase limit
    assert held["status"] == "pending_review"

    member = open_app("member")
    member.sign_in(member_id)
    member.goto("/")
    card = member.page.get_by_role("region", name="积分余额")
    card.get_by_text("审核中积分").wait_for()
    expect(card).to_contain_text(f"{held['points']:,}")
    member.check("home-pending")

    console = open_app("console")
    console.sign_in("op-browser", ("operators",))
    page = _section(console, "积分审核")
    row = page.get_by_role("row").filter(has_text=member_id)
    row.get_by_text("超过单笔消费上限").wait_for()
    console.check("pending")
    row.get_by_role("button", name="批准").click()
    dialog = page.get_by_role("dialog", name="批准并发放积分")
    dialog.get_by_label("原因").fill("已电话核实为企业团购")
    dialog.get_by_role("button", name="批准").click()
    dialog.wait_for(state="hidden")
    expect(page.get_by_role("row").filter(has_text=member_id)).to_have_count(0)
    assert server.member(member_id, "GET", "/v1/me")["balance"] == before + held["points"]

    page.get_by_role("tab", name="已批准").click()
    decided = page.get_by_role("row").filter(has_text=member_id)
    decided.get_by_text("已电话核实为企业团购").wait_for()
    assert "op-browser" in decided.inner_text()
    console.check("approved")
    _in_english(console, "Reviews", "reviews-en")


def test_a_large_adjustment_waits_for_a_second_operators_approval(
    open_app: Any, server: LocalServer
) -> None:
    member_id = new_member(server, 0)
    before = server.member(member_id, "GET", "/v1/me")["balance"]
    asked = server.operator(  # by op-browser: only another operator may decide it
        "POST",
        f"/v1/admin/members/{member_id}/adjustments",
        {"points": 150_000, "reason": "门店批量补录积分"},
    )
    assert asked["status"] == "pending_approval"

    console = open_app("console")
    console.sign_in("op-second", ("operators",))
    page = _section(console, "调整审批")
    row = page.get_by_role("row").filter(has_text=member_id)
    row.get_by_text("门店批量补录积分").wait_for()
    assert "op-browser" in row.inner_text()
    console.check("approvals-pending")
    row.get_by_role("button", name="批准").click()
    dialog = page.get_by_role("dialog", name="批准并调整积分")
    dialog.get_by_label("原因").fill("已与门店店长核实")
    dialog.get_by_role("button", name="批准").click()
    dialog.wait_for(state="hidden")
    expect(page.get_by_role("row").filter(has_text=member_id)).to_have_count(0)
    assert server.member(member_id, "GET", "/v1/me")["balance"] == before + 150_000

    page.get_by_role("tab", name="已批准").click()
    decided = page.get_by_role("row").filter(has_text=member_id)
    decided.get_by_text("已与门店店长核实").wait_for()
    assert "op-second" in decided.inner_text()
    console.check("approvals-approved")
    _in_english(console, "Approvals", "approvals-en")


def test_operator_reads_a_members_trail_in_the_audit_log(console: Ui, server: LocalServer) -> None:
    member_id = new_member(server, 0)
    server.operator(
        "POST",
        f"/v1/admin/members/{member_id}/adjustments",
        {"points": 250, "reason": "补发活动积分"},
    )

    console.sign_in("op-browser", ("operators",))
    page = _section(console, "审计日志")
    page.get_by_label("操作对象").fill(f"member:{member_id}")
    page.get_by_role("button", name="查询").click()
    row = page.get_by_role("row").filter(has_text="补发活动积分")
    row.wait_for()
    assert "调整积分 (member.adjust)" in row.inner_text() and "op-browser" in row.inner_text()
    # Only this member's entries: the set-up's adjustment to 0 and this one.
    expect(page.get_by_role("row").filter(has_text=f"member:{member_id}")).to_have_count(2)
    # The whole JSON unfolds under the change.
    row.get_by_text("查看完整 JSON").click()
    row.get_by_text("变更后").wait_for()
    console.check("filtered")
    # A window that ends before it starts: the API's 422, shown as its message.
    console.expect_status(422, "/v1/admin/audit")
    page.get_by_label("开始时间").fill("2026-12-02 00:00:00")
    page.get_by_label("开始时间").press("Enter")
    page.get_by_label("结束时间").fill("2026-12-01 00:00:00")
    page.get_by_label("结束时间").press("Enter")
    page.get_by_role("button", name="查询").click()
    page.get_by_text("填写的内容有误").first.wait_for()
    _in_english(console, "Audit log", "audit-en")


def test_operator_imports_members_and_downloads_an_export(
    console: Ui, server: LocalServer, tmp_path: Any
) -> None:
    good, other = _id("m-imp"), _id("m-imp")
    csv = tmp_path / "members.csv"
    csv.write_text(
        "member_id,phone,email,birthday,points,expires_on\n"
        f"{good},,,05-17,1500,2099-12-31\n"
        f"{other},,,,300,\n"
        f"{_id('m-imp')},,,,-5,\n",
        encoding="utf-8",
    )

    console.sign_in("op-browser", ("operators",))
    page = _section(console, "导入导出")
    page.get_by_label("CSV 文件").set_input_files(str(csv))
    page.get_by_role("button", name="上传并导入").click()
    progress = page.get_by_role("heading", name="导入会员").locator("..")
    progress.get_by_text("已完成").wait_for()
    # The bad row by its number as a spreadsheet shows it (the header is row 1), with why.
    rejected = progress.get_by_role("row").filter(has_text="points")
    rejected.wait_for()
    assert rejected.get_by_role("cell").first.inner_text().strip() == "4"
    console.check("imported")
    assert server.member(good, "GET", "/v1/me")["balance"] >= 1500
    assert server.member(other, "GET", "/v1/me")["balance"] >= 300

    exports = page.get_by_role("heading", name="导出数据").locator("..")
    _choose(page, exports.get_by_role("combobox", name="导出内容"), "会员（联系方式已脱敏）")
    exports.get_by_role("button", name="开始导出").click()
    link = exports.get_by_role("link", name="下载")
    link.wait_for(timeout=60_000)
    console.check("exported")
    href = link.get_attribute("href")
    assert href
    url = href if href.startswith("http") else server.base + href
    with urllib.request.urlopen(url) as response:
        body = response.read().decode("utf-8")
    assert good in body
    _in_english(console, "Import & export", "transfers-en")


def test_operator_imports_through_the_file_store_and_is_told_when_it_refuses(
    console: Ui, server: LocalServer, tmp_path: Any
) -> None:
    """Every import goes the upload way (what a file over 5 MB needs on AWS): an upload URL,
    the file PUT there as text/csv, then the start. A store that refuses the PUT (an expired
    link: 403) is named as such, and the same file goes through on the next try."""
    members = [_id("m-up"), _id("m-up")]
    csv = tmp_path / "upload.csv"
    csv.write_text(
        "member_id,phone,email,birthday,points,expires_on\n"
        + "".join(f"{m},,,,700,\n" for m in members),
        encoding="utf-8",
    )
    sent: list[tuple[str, str, str]] = []
    console.page.on(
        "request",
        lambda r: (
            r.method != "GET"
            and sent.append((r.method, urlsplit(r.url).path, r.headers.get("content-type", "")))
        ),
    )

    console.sign_in("op-browser", ("operators",))
    page = _section(console, "导入导出")
    console.expect_status(403, "/local/files/")
    page.route("**/local/files/**", lambda route: route.fulfill(status=403, body="expired"))
    page.get_by_label("CSV 文件").set_input_files(str(csv))
    page.get_by_role("button", name="上传并导入").click()
    page.get_by_role("alert").filter(has_text="上传链接可能已过期").wait_for()
    page.unroute("**/local/files/**")
    sent.clear()

    page.get_by_role("button", name="上传并导入").click()
    progress = page.get_by_role("heading", name="导入会员").locator("..")
    progress.get_by_text("已完成").wait_for()
    console.check("imported-upload")

    (create, put, start) = sent
    assert create[:2] == ("POST", "/v1/admin/imports/uploads")
    assert put[0] == "PUT" and put[1].startswith("/local/files/imports/")
    assert put[2] == "text/csv"
    assert start[0] == "POST" and start[1].endswith("/start")
    for member_id in members:
        assert server.member(member_id, "GET", "/v1/me")["balance"] >= 700


def test_member_reads_the_leaderboard_and_a_task_the_shop_reports(
    member: Ui, server: LocalServer
) -> None:
    member_id = new_member(server, 0)
    _purchase(server, member_id, "880.00")
    server.operator("POST", "/v1/admin/jobs/leaderboard/runs")
    points = server.member(member_id, "GET", "/v1/leaderboard?period=month")["me"]["points"]
    assert points > 0
    task_id, name = _id("t"), f"门店评价 {uuid.uuid4().hex[:4]}"
    server.operator(
        "PUT",
        f"/v1/admin/tasks/{task_id}",
        {"name": name, "points": 50, "limit": "once", "active": True, "verified": True},
    )

    member.sign_in(member_id)
    member.goto("/me")
    member.page.get_by_role("link", name=exact("积分排行榜")).click()
    page = member.page
    page.get_by_role("heading", name="积分排行榜", level=1).wait_for()
    mine = page.get_by_role("region", name="我的排名")
    mine.get_by_text(f"已获得 {points:,} 积分").wait_for()
    expect(mine).to_contain_text("第")
    board = page.get_by_role("list", name="前 100 名")
    expect(board.get_by_role("listitem").first).to_contain_text("1")
    assert member_id not in board.inner_text()  # others' ids are masked, and so is mine
    member.check("month")
    page.get_by_role("tab", name="本年").click()
    expect(page.get_by_role("tab", name="本年")).to_have_attribute("aria-selected", "true")
    mine.get_by_text(f"已获得 {points:,} 积分").wait_for()
    member.check("year")

    member.goto("/tasks")
    task = page.get_by_role("listitem").filter(has_text=name)
    task.get_by_text("由商家核实后发放").wait_for()
    expect(task.get_by_role("button")).to_have_count(0)
    member.check("tasks-verified")

    _english(member)
    page.get_by_role("heading", name="Tasks", level=1).wait_for()
    member.goto("/leaderboard")
    page.get_by_role("heading", name="Leaderboard", level=1).wait_for()
    member.check("leaderboard-en")


def test_operator_sets_risk_limits_and_a_targeted_member_day_campaign(
    console: Ui, server: LocalServer
) -> None:
    saved = server.operator("GET", "/v1/admin/rules")["risk"]
    try:
        console.sign_in("op-browser", ("operators",))
        page = _section(console, "积分规则")
        risk = page.get_by_role("group", name="风控规则")
        risk.get_by_label("单笔消费上限（元）").fill("120000.00")
        risk.get_by_label("每日消费积分上限").fill("")
        console.check("risk")
        page.get_by_role("button", name="保存", exact=True).click()
        page.get_by_text("已保存").first.wait_for()
        assert server.operator("GET", "/v1/admin/rules")["risk"] == {
            "single_purchase_limit": "120000.00",
            "daily_purchase_points": None,
        }
    finally:
        server.operator("PUT", "/v1/admin/rules", {"risk": saved})

    campaign_id = _id("md")
    page = _section(console, "营销活动")
    page.get_by_role("button", name="新建活动").click()
    dialog = page.get_by_role("dialog", name="新建活动")
    dialog.get_by_label("活动ID").fill(campaign_id)
    dialog.get_by_label("活动名称").fill("周三会员日")
    now = datetime.now().astimezone()
    for label, when in (("开始时间", now), ("结束时间", now + timedelta(days=30))):
        picker = dialog.get_by_label(label)
        picker.fill(when.strftime("%Y-%m-%d %H:%M:%S"))
        picker.press("Enter")
    dialog.get_by_label("积分倍率").fill("2")
    _choose(page, dialog.get_by_role("combobox", name="适用等级"), "黄金")
    page.keyboard.press("Escape")
    dialog.get_by_text("周三", exact=True).click()  # the label: the box itself is hidden
    expect(dialog.get_by_role("checkbox", name="周三")).to_be_checked()
    dialog.get_by_role("button", name="添加档位").click()
    dialog.get_by_label("单笔满（元） 1").fill("199.00")
    dialog.get_by_label("送积分 1").fill("20")
    console.check("member-day")
    dialog.get_by_role("button", name="保存").click()
    dialog.wait_for(state="hidden")
    campaigns = server.operator("GET", "/v1/admin/campaigns")["items"]
    stored = next(c for c in campaigns if c["campaign_id"] == campaign_id)
    assert stored["tiers"] == ["gold"]
    assert stored["recurrence"] == {"weekdays": [3]}
    assert [(s["min_amount"], s["points"]) for s in stored["spend_bonus"]] == [("199.00", 20)]
