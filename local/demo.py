"""Demo data for local mode, loaded through the real API (so it is idempotent on reruns)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Call = Callable[[str, str, dict[str, Any]], Any]

# Fictional contact details, so the console's lookup by phone or e-mail finds someone.
MEMBERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("m-alice", {"phone": "13800000001", "email": "alice@example.com", "name": "李爱丽"}),
    ("m-bob", {"phone": "13800000002", "email": "bob@example.com", "name": "王博"}),
    ("m-carol", {"phone": "13800000003", "email": "carol@example.com", "name": "陈卡萝"}),
)
PURCHASES = (
    ("demo-o-1001", "m-alice", "1288.00"),
    ("demo-o-1002", "m-alice", "59.90"),
    ("demo-o-1003", "m-bob", "349.50"),
    ("demo-o-1004", "m-carol", "12999.00"),
    # Above the single-purchase limit (100 000.00): waits in the console's review queue.
    ("demo-o-1005", "m-bob", "128000.00"),
)


# The points mall's example catalog (docs/product.md §4), plus a donation and a cash-out to try.
# Names are Chinese, as a programme for Chinese shoppers would write them (the apps and the
# ledger show them as written); ids stay ASCII.
CATALOG: tuple[tuple[str, dict[str, Any]], ...] = (
    ("phone", {"name": "智能手机", "kind": "gift", "points": 10_000, "stock": 20}),
    ("earphones", {"name": "无线耳机", "kind": "gift", "points": 5_000, "stock": 50}),
    ("thermos-cup", {"name": "保温杯", "kind": "gift", "points": 3_000, "stock": 100}),
    (
        "coupon-100-10",
        {"name": "满100减10优惠券", "kind": "coupon", "points": 1_000, "coupon_valid_days": 30},
    ),
    (
        "coupon-200-30",
        {"name": "满200减30优惠券", "kind": "coupon", "points": 2_000, "coupon_valid_days": 30},
    ),
    (
        "phone-credit-30",
        {
            "name": "30元话费",
            "kind": "coupon",
            "points": 2_010,
            "per_member_limit": {"per_month": 2},
        },
    ),
    ("phone-credit-50", {"name": "50元话费", "kind": "coupon", "points": 3_340}),
    ("phone-credit-100", {"name": "100元话费", "kind": "coupon", "points": 6_670}),
    ("plant-a-tree", {"name": "种一棵树（公益）", "kind": "donation", "points": 100}),
    ("cash-out-10", {"name": "10元现金", "kind": "cash_out", "points": 1_000}),
)


def load(system_call: Call, operator_call: Call | None = None) -> None:
    """``system_call(method, path, body)`` calls the API with a systems token,
    ``operator_call`` with an operator token (whether a demo member exists yet, the catalog,
    the lottery; without one the members are registered each time and the rest skipped)."""
    for member_id, contact in MEMBERS:
        # Registered on the first load only: a store from before the contact details holds
        # the member without them, and the same id with other details would be 409.
        if (
            operator_call is None
            or operator_call("GET", f"/v1/admin/members/{member_id}", None) == 404
        ):
            system_call("POST", "/v1/members", {"member_id": member_id, **contact})
    for order_id, member_id, amount in PURCHASES:
        system_call(
            "POST",
            "/v1/purchases",
            {"order_id": order_id, "member_id": member_id, "amount": amount},
        )
    if operator_call is not None:
        for item_id, definition in CATALOG:
            # Created once: a restart must not reset stock that members already redeemed.
            if operator_call("GET", f"/v1/admin/catalog/{item_id}", None) == 404:
                operator_call("PUT", f"/v1/admin/catalog/{item_id}", definition)
        # A points lottery open for a year from the first load (created once, like the
        # catalog, so a restart keeps its stock and draws).
        # With it, on the first load only (a restart leaves what operators changed): a
        # Wednesday member day for gold and above with 满X送Y rungs (docs/product.md §8c).
        if operator_call("GET", f"/v1/admin/lotteries/{LOTTERY_ID}", None) == 404:
            operator_call("PUT", f"/v1/admin/lotteries/{LOTTERY_ID}", demo_lottery())
            operator_call("PUT", f"/v1/admin/campaigns/{MEMBER_DAY_ID}", demo_member_day())
        # The leaderboard's snapshot now (its schedule is hourly), so the demo members'
        # purchases are on this month's and this year's boards at once.
        operator_call("POST", "/v1/admin/jobs/leaderboard/runs", None)


LOTTERY_ID = "new-year-draw"
MEMBER_DAY_ID = "gold-wednesday"


def demo_member_day() -> dict[str, Any]:
    """Every Wednesday for a year: double points for gold and above, and 满300送30 / 满1000送150."""
    from datetime import timedelta

    from shared import clock

    now = clock.now()
    return {
        "name": "金卡会员日（每周三）",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=365)).isoformat(),
        "multiplier": "2",
        "tiers": ["gold", "platinum", "diamond"],
        "recurrence": {"weekdays": [3]},
        "spend_bonus": [
            {"min_amount": "300.00", "points": 30},
            {"min_amount": "1000.00", "points": 150},
        ],
    }


def demo_lottery() -> dict[str, Any]:
    """docs/product.md §6's lottery: 50 points a draw, 3 a day, a pool of every prize kind."""
    from datetime import timedelta

    from shared import clock

    now = clock.now()
    return {
        "name": "新年幸运大抽奖",
        "cost": 50,
        "daily_limit": 3,
        "extra_draws": {"per_amount": "100.00", "draws": 1},
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=365)).isoformat(),
        "no_prize_weight": 559,
        "prizes": [
            {
                "prize_id": "phone",
                "name": "智能手机",
                "kind": "gift",
                "weight": 1,
                "item_id": "phone",
                "stock": 2,
            },
            {
                "prize_id": "red-packet",
                "name": "8.88元红包",
                "kind": "cash",
                "weight": 20,
                "cash": "8.88",
                "stock": 50,
            },
            {
                "prize_id": "coupon",
                "name": "满100减10优惠券",
                "kind": "coupon",
                "weight": 20,
                "item_id": "coupon-100-10",
                "stock": 100,
            },
            {
                "prize_id": "points-100",
                "name": "100积分",
                "kind": "points",
                "weight": 100,
                "points": 100,
            },
            {
                "prize_id": "points-10",
                "name": "10积分",
                "kind": "points",
                "weight": 300,
                "points": 10,
            },
        ],
    }
