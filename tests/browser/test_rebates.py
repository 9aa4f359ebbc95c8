"""Rebates (返利) through the apps: the member follows a running campaign's progress after a
purchase; the operator creates a campaign in the console, settles it after its end, reviews
and pays a statement, exports the CSV, and the member then reads the statement.

Set-up and verification go through the API; what is under test goes through the pages. The
operator's journey pins the server's clock (PUT /local/clock) to pass the campaign's end and
releases it at the end.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.browser.conftest import LocalServer, Ui
from tests.browser.pages import exact, ledger, new_member

pytestmark = pytest.mark.browser

LADDER = [
    {"min_amount": "1000.00", "rate": "2"},
    {"min_amount": "5000.00", "rate": "3"},
    {"min_amount": "10000.00", "rate": "5"},
]


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _purchase(server: LocalServer, member_id: str, amount: str, at: datetime) -> None:
    server.system(
        "POST",
        "/v1/purchases",
        {
            "order_id": _id("o"),
            "member_id": member_id,
            "amount": amount,
            "occurred_at": at.isoformat(timespec="seconds"),
        },
    )


def _show(page: Any, status: str) -> None:
    """The statements of one status, picked in the console's filter."""
    select = page.get_by_role("combobox", name="按状态筛选")
    option = page.get_by_role("option", name=exact(status)).filter(visible=True)
    # The select's own text box sits under its label: click where a person clicks (a click
    # that lands while the last choice's menu is still closing opens nothing: click again).
    for _ in range(3):
        select.click(force=True)
        try:
            option.wait_for(timeout=3000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    option.click()


def _english(ui: Ui) -> None:
    """The language switch's choice, kept where the apps read it at start-up."""
    ui.page.evaluate("() => localStorage.setItem('loyalty.locale', 'en')")
    ui.page.reload(wait_until="domcontentloaded")


def test_member_sees_progress_after_a_purchase_in_a_running_campaign(
    member: Ui, server: LocalServer
) -> None:
    now = datetime.now().astimezone().replace(microsecond=0)
    campaign_id, name = _id("rb"), f"年终返利 {uuid.uuid4().hex[:4]}"
    server.operator(
        "PUT",
        f"/v1/admin/rebates/{campaign_id}",
        {
            "name": name,
            "starts_at": (now - timedelta(days=1)).isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
            "payout": "points",
            "spend_ladder": LADDER,
        },
    )
    member_id = new_member(server, 0)
    _purchase(server, member_id, "6800.00", now - timedelta(minutes=5))

    member.sign_in(member_id)
    # From 我的, as a member finds it.
    member.goto("/me")
    member.page.get_by_role("link", name=exact("返利")).click()
    page = member.page
    page.get_by_role("heading", name="返利", level=1).wait_for()
    card = page.get_by_role("article", name=name)
    card.get_by_text("还差 3,200.00 可享 5%").wait_for()
    assert card.get_by_test_id("rebate-qualifying").inner_text() == "6,800.00"
    assert "3%" in card.inner_text()
    member.check("rebates")
    # The home page shows the running campaign too.
    member.goto("/")
    page.get_by_role("article", name=name).get_by_text("还差 3,200.00 可享 5%").wait_for()
    member.check("home")
    # Before settlement the statement page says so (the API answers 404 statement_not_found).
    member.expect_status(404, f"/v1/me/rebates/{campaign_id}/statement")
    member.goto(f"/rebates/{campaign_id}")
    page.get_by_text("活动尚未结算，结算后可查看返利凭证").wait_for()
    member.check("not-settled")
    # The same page in English.
    member.goto("/rebates")
    _english(member)
    page.get_by_role("heading", name="Rebates", level=1).wait_for()
    page.get_by_role("article", name=name).get_by_text("3,200.00 more to get 5%").wait_for()
    member.check("rebates-en")


def test_operator_creates_settles_approves_and_pays_a_campaign(
    open_app: Any, server: LocalServer
) -> None:
    # The browser runs in Asia/Shanghai (conftest): the pickers read what is typed in that zone.
    start = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0, second=0)
    end = start + timedelta(days=2)
    campaign_id, name = _id("rb"), f"双十二返利 {uuid.uuid4().hex[:4]}"
    member_id = new_member(server, 0)
    console = open_app("console")
    try:
        server.set_clock((start + timedelta(hours=1)).isoformat())
        console.sign_in("op-browser", ("operators",))
        console.page.get_by_role("navigation", name="功能导航").get_by_role(
            "menuitem", name=exact("返利管理")
        ).click()
        page = console.page
        page.get_by_role("heading", name="返利管理", level=1).wait_for()
        console.check("list")

        # The editor: id, name, window, payout and a two-rung spend ladder.
        page.get_by_role("button", name="新建返利活动").click()
        dialog = page.get_by_role("dialog", name="新建返利活动")
        dialog.get_by_label("活动ID").fill(campaign_id)
        dialog.get_by_label("活动名称").fill(name)
        for label, when in (("开始时间", start), ("结束时间", end)):
            picker = dialog.get_by_label(label)
            picker.fill(when.strftime("%Y-%m-%d %H:%M:%S"))
            picker.press("Enter")
        dialog.get_by_label("累计消费满 1").fill("1000")
        # A rate with three places: the API's 422 names the field, shown under the ladder.
        dialog.get_by_label("返利比例 1").fill("2.555")
        console.expect_status(422, f"/v1/admin/rebates/{campaign_id}")
        dialog.get_by_role("button", name=exact("保存")).click()
        dialog.get_by_role("alert").filter(has_text="填写的内容有误").wait_for()
        dialog.get_by_role("alert").filter(has_text="spend_ladder[0].rate").wait_for()
        console.check("editor-422")
        dialog.get_by_label("返利比例 1").fill("2")
        dialog.get_by_role("button", name="添加一档").click()
        dialog.get_by_label("累计消费满 2").fill("5000")
        dialog.get_by_label("返利比例 2").fill("3")
        console.check("editor")
        dialog.get_by_role("button", name=exact("保存")).click()
        dialog.wait_for(state="hidden")
        row = page.get_by_role("row").filter(has_text=campaign_id)
        row.wait_for()
        saved = server.operator("GET", f"/v1/admin/rebates/{campaign_id}")
        assert [r["rate"] for r in saved["spend_ladder"]] in (["2", "3"], ["2.00", "3.00"])
        assert datetime.fromisoformat(saved["ends_at"]) == end

        # A purchase inside the window accrues; the detail shows it live.
        _purchase(server, member_id, "4000.00", start + timedelta(hours=1))
        row.get_by_role("button", name="查看").click()
        expect(page.get_by_test_id("rebate-total-participants")).to_have_text("1")
        expect(page.get_by_test_id("rebate-total-qualifyingAmount")).to_have_text("4,000.00")

        # Its ladder can no longer change once purchases accrued: the editor says why.
        row.get_by_role("button", name="编辑").click()
        edit = page.get_by_role("dialog", name="编辑返利活动")
        expect(edit.get_by_label("累计消费满 2")).to_have_value("5000")
        edit.get_by_label("返利比例 2").fill("4")
        console.expect_status(409, f"/v1/admin/rebates/{campaign_id}")
        edit.get_by_role("button", name=exact("保存")).click()
        edit.get_by_role("alert").filter(has_text="活动已有消费累计").wait_for()
        console.check("started")
        edit.get_by_role("button", name="取消").click()
        edit.wait_for(state="hidden")

        # Settling before the end is refused with a clear message.
        console.expect_status(409, f"/v1/admin/rebates/{campaign_id}/settlements")
        page.get_by_role("button", name=exact("结算")).click()
        page.get_by_role("alert").filter(has_text="活动尚未结束，暂不能结算").wait_for()
        console.check("not-ended")

        # After the end: one statement, 2 % of 4 000.
        server.set_clock((end + timedelta(hours=1)).isoformat())
        page.get_by_role("button", name=exact("结算")).click()
        statement = page.get_by_role("row").filter(has_text=member_id)
        statement.get_by_text("待审核").wait_for()
        assert "80.00" in statement.inner_text()
        console.check("settled")

        # Approve with a signed adjustment and a reason.
        statement.get_by_role("button", name="审核").click()
        review = page.get_by_role("dialog", name="审核返利凭证")
        review.get_by_label("调整金额").fill("5.00")
        review.get_by_label("原因").fill("补发运费")
        console.check("review")
        review.get_by_role("button", name="审核通过").click()
        review.wait_for(state="hidden")
        statement.wait_for(state="detached")  # gone from the drafts
        _show(page, "已审核")
        statement.get_by_text("已审核").wait_for()
        assert "85.00" in statement.inner_text()

        # Pay: 85.00 as points (100 points per unit).
        statement.get_by_role("button", name="发放").click()
        pay = page.get_by_role("dialog", name="发放返利")
        pay.get_by_role("button", name=exact("发放")).click()
        pay.wait_for(state="hidden")
        statement.wait_for(state="detached")
        _show(page, "已发放")
        statement.get_by_text("已发放").wait_for()
        expect(page.get_by_test_id("rebate-total-paid")).to_have_text("85.00")
        console.check("paid")
        credits = [e for e in ledger(server, member_id) if e["source"] == "rebate"]
        assert [e["points"] for e in credits] == [8500]

        # Finance's CSV, downloaded with the operator's token.
        with page.expect_download() as download:
            page.get_by_role("button", name="导出 CSV").click()
        csv = download.value.path().read_text(encoding="utf-8")
        assert member_id in csv and "85.00" in csv

        # The console in English.
        _english(console)
        page.get_by_role("heading", name="Rebates", level=1).wait_for()
        page.get_by_role("row").filter(has_text=campaign_id).get_by_role(
            "button", name="Open"
        ).click()
        expect(page.get_by_test_id("rebate-total-paid")).to_have_text("85.00")
        console.check("detail-en")

        # The member reads the statement, in both languages, on a phone.
        member = open_app("member")
        member.sign_in(member_id)
        member.goto(f"/rebates/{campaign_id}")
        mpage = member.page
        mpage.get_by_role("heading", name="返利凭证", level=1).wait_for()
        mpage.get_by_text("已发放").wait_for()
        mpage.get_by_text(name, exact=True).wait_for()
        expect(mpage.get_by_test_id("rebate-payable")).to_have_text("85.00")
        mpage.get_by_role("row").filter(has_text="满额返利").get_by_text("80.00").wait_for()
        member.check("statement")
        _english(member)
        mpage.get_by_role("heading", name="Rebate statement", level=1).wait_for()
        mpage.get_by_role("row").filter(has_text="Spend ladder").wait_for()
        member.check("statement-en")
    finally:
        server.release_clock()
