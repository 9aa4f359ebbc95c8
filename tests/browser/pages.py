"""What a person does on the apps' pages, found by role, label and text (zh-CN catalogs).

The texts are the apps' Chinese catalogs (web/src/member/locales/zh-CN.ts,
web/src/console/locales/zh-CN.ts, web/src/common/locales/zh-CN.ts): a test fails when
what the user reads changes, which is the point.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.browser.conftest import LocalServer, Ui

DEMO_MEMBERS = ("m-alice", "m-bob", "m-carol")
OPERATOR_GROUP = "operators"

# Every member page (path, name) and every console section (path, menu label).
MEMBER_PAGES = (
    ("/", "我的积分"),
    ("/checkin", "每日签到"),
    ("/tasks", "任务中心"),
    ("/mall", "积分商城"),
    ("/orders", "我的订单"),
    ("/coupons", "我的优惠券"),
    ("/lottery", "积分抽奖"),
    ("/transfer", "积分转赠"),
    ("/ledger", "积分明细"),
    ("/rebates", "返利"),
    ("/leaderboard", "积分排行榜"),
    ("/inbox", "消息中心"),
    ("/settings", "通知与语言"),
    ("/me", "我的"),
)
CONSOLE_SECTIONS = (
    ("/console/", "数据概览"),
    ("/console/members", "会员管理"),
    ("/console/rules", "积分规则"),
    ("/console/campaigns", "营销活动"),
    ("/console/tasks", "任务管理"),
    ("/console/catalog", "商品管理"),
    ("/console/orders", "订单管理"),
    ("/console/lotteries", "抽奖管理"),
    ("/console/rebates", "返利管理"),
    ("/console/reviews", "积分审核"),
    ("/console/approvals", "调整审批"),
    ("/console/audit", "审计日志"),
    ("/console/transfers", "导入导出"),
    ("/console/jobs", "定时任务"),
)


def exact(text: str) -> re.Pattern[str]:
    """A whole accessible name, ignoring surrounding spaces."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def sign_in(ui: Ui, sub: str, groups: tuple[str, ...] = ()) -> None:
    """Signs in through the app's local picker and waits until the app has left it."""
    page = ui.page
    if ui.app == "member":
        ui.goto("/signin")
        if sub in DEMO_MEMBERS:
            page.get_by_role("button", name=f"以 {sub} 身份登录").click()
        else:
            page.get_by_label("会员编号").fill(sub)
            page.get_by_role("button", name="以该会员身份登录").click()
        page.wait_for_url(lambda url: "/signin" not in url)
    else:
        assert OPERATOR_GROUP in groups or not groups
        ui.goto("/console/sign-in")
        page.get_by_label("运营人员账号").fill(sub)
        page.get_by_role("button", name="以运营人员身份登录").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)


def new_member(server: LocalServer, points: int) -> str:
    """A fresh registered member holding exactly ``points`` spendable points."""
    member_id = f"m-{uuid.uuid4().hex[:10]}"
    server.system("POST", "/v1/members", {"member_id": member_id})
    balance = server.member(member_id, "GET", "/v1/me")["balance"]
    if points != balance:
        server.operator(
            "POST",
            f"/v1/admin/members/{member_id}/adjustments",
            {"points": points - balance, "reason": "browser test set-up"},
        )
    assert server.member(member_id, "GET", "/v1/me")["balance"] == points
    return member_id


def ledger(server: LocalServer, member_id: str) -> list[dict[str, Any]]:
    """The member's ledger, newest first (one page is plenty for a test member)."""
    return server.member(member_id, "GET", "/v1/me/ledger?limit=100")["items"]
