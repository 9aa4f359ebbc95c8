"""A small world of data for the route-table-driven security tests.

Two registered members (the *owner*, who has an order, a coupon and a hold, and the
*other*), a task, a campaign, catalog items and, when the lottery routes exist, a lottery.
Path parameters of any route are filled from :attr:`World.params` by name (a parameter
nobody knows yet gets a placeholder), so a route added to the table later is exercised
without editing the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.routes import ROUTES
from shared.schemas.rebates import CAMPAIGN_EXAMPLE as REBATE_EXAMPLE
from tests.support import Api, lottery_body, points_prize

OWNER = "m-owner"
OTHER = "m-other"
PLACEHOLDER = "zz-placeholder"
SHIP = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Road"}
# Path parameters naming something a member owns: another member must get 403/404.
MEMBER_OWNED = frozenset({"order_id", "draw_id", "coupon_id", "transfer_id", "message_id"})


def has_route(method: str, path: str) -> bool:
    return any(r.method == method and r.path == path for r in ROUTES)


@dataclass
class World:
    params: dict[str, str] = field(default_factory=dict)
    # Values only the owner (or operators and systems) may ever see in a response.
    secrets: set[str] = field(default_factory=set)

    def path(self, template: str) -> str:
        out = template
        for name in _param_names(template):
            out = out.replace("{" + name + "}", self.params.get(name, PLACEHOLDER))
        return out


def _param_names(template: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", template)


def _ok(result: Any, what: str) -> Any:
    assert result.status < 300, f"world set-up: {what} -> {result.status} {result.body}"
    return result.body


def build(api: Api) -> World:
    world = World()
    for member in (OWNER, OTHER):
        _ok(api.system("POST", "/v1/members", {"member_id": member}), "register")
        body = {"order_id": f"o-{member}", "member_id": member, "amount": "5000"}
        _ok(api.system("POST", "/v1/purchases", body), "purchase")
    world.params["member_id"] = OWNER
    world.secrets |= {OWNER, f"o-{OWNER}"}

    if has_route("PUT", "/v1/admin/tasks/{task_id}"):
        body = {"name": "Survey", "points": 20, "limit": "daily"}
        _ok(api.operator("PUT", "/v1/admin/tasks/t-survey", body), "task")
        world.params["task_id"] = "t-survey"
    if has_route("PUT", "/v1/admin/campaigns/{campaign_id}"):
        body = {
            "name": "Spring",
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "multiplier": "2",
        }
        _ok(api.operator("PUT", "/v1/admin/campaigns/c-spring", body), "campaign")
        world.params["campaign_id"] = "c-spring"
    if has_route("PUT", "/v1/admin/catalog/{item_id}"):
        gift = {"name": "Cup", "kind": "gift", "points": 100, "stock": 10, "per_member_limit": None}
        _ok(api.operator("PUT", "/v1/admin/catalog/gift-cup", gift), "gift")
        coupon = {"name": "10 off", "kind": "coupon", "points": 50}
        _ok(api.operator("PUT", "/v1/admin/catalog/coupon-10", coupon), "coupon")
        world.params["item_id"] = "gift-cup"
    if has_route("POST", "/v1/redemptions"):
        order = _ok(
            api.member(OWNER, "POST", "/v1/redemptions", {"item_id": "gift-cup", "delivery": SHIP}),
            "redeem gift",
        )
        world.params["order_id"] = order["order_id"]
        world.secrets.add(order["order_id"])
        coupon = _ok(
            api.member(OWNER, "POST", "/v1/redemptions", {"item_id": "coupon-10"}), "coupon"
        )
        world.params["code"] = coupon["coupon"]["code"]
        world.secrets |= {coupon["order_id"], coupon["coupon"]["code"]}
    if has_route("PUT", "/v1/admin/lotteries/{lottery_id}"):
        body = lottery_body(
            name="Lucky",
            cost=10,
            daily_limit=5,
            # Won by every draw, so its stock is in 20 shards (their reads and writes checked).
            prizes=[points_prize("p-5", points=5, stock=1_000)],
        )
        _ok(api.operator("PUT", "/v1/admin/lotteries/lucky", body), "lottery")
        world.params["lottery_id"] = "lucky"
    if has_route("POST", "/v1/admin/rebates/{campaign_id}/settlements"):
        # The documented December rebate campaign under the campaign id the world names, not
        # settled yet: the owner's purchase of 20 December is reported now, in its return
        # window (longer than the example's, which a PUT of the example may then shorten).
        campaign_id = world.params.setdefault("campaign_id", "c-spring")
        body = {**REBATE_EXAMPLE, "return_days": 30}
        _ok(api.operator("PUT", f"/v1/admin/rebates/{campaign_id}", body), "rebate campaign")
        december = {
            "order_id": f"o-{OWNER}-dec",
            "member_id": OWNER,
            "amount": "4000",
            "occurred_at": "2026-12-20T12:00:00+08:00",
        }
        _ok(api.system("POST", "/v1/purchases", december), "December purchase")
    if has_route("POST", "/v1/holds"):
        body = {
            "hold_id": "h-owner",
            "member_id": OWNER,
            "order_id": "shop-o-1",
            "order_amount": "100.00",
            "points": 100,
        }
        _ok(api.system("POST", "/v1/holds", body), "hold")
        world.params["hold_id"] = "h-owner"
    if has_route("POST", "/v1/admin/exports"):
        export = _ok(api.operator("POST", "/v1/admin/exports", {"kind": "members"}), "export")
        world.params["export_id"] = export["export_id"]
    if has_route("POST", "/v1/admin/reviews/{review_id}"):
        # A purchase above the single-purchase limit waits in the review queue (202).
        body = {"order_id": "o-review", "member_id": OTHER, "amount": "100000.01"}
        _ok(api.system("POST", "/v1/purchases", body), "purchase held for review")
        world.params["review_id"] = "o-review"
    if has_route("POST", "/v1/admin/imports/{import_id}/start"):
        # An import whose file has been uploaded, waiting to be started.
        from shared import files
        from shared.schemas.imports import CSV_EXAMPLE

        upload = _ok(api.operator("POST", "/v1/admin/imports/uploads"), "import upload")
        files.put_bytes(f"imports/{upload['import_id']}.csv", CSV_EXAMPLE.encode())
        world.params["import_id"] = upload["import_id"]
    if has_route("POST", "/v1/me/messages/{message_id}/read"):
        # An inbox message of the owner's, as the notifier writes it.
        from datetime import UTC, date, datetime

        from shared.domain.notices import TIER_PROMOTED, Notice
        from shared.dynamodb import inbox

        at = datetime(2027, 1, 9, 1, 0, tzinfo=UTC)
        notice = Notice(OWNER, TIER_PROMOTED, {"tier": "gold"}, at, date(2027, 1, 9), "ev-matrix")
        inbox.write(notice, keep_days=90)
        world.params["message_id"] = notice.message_id
    world.params["job"] = "expire"
    return world
