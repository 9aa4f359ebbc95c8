"""Print DynamoDB round trips and write units per business operation.

Runs each operation through the real handler (in process) against DynamoDB Local and
counts, with botocore event hooks on the one shared client, every DynamoDB call and the
``ConsumedCapacity`` it reports (table and indexes apart). Usage: python bench/write_cost.py
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from _support import call, local_stack

WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
CAPACITY_OPS = {
    "GetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "BatchWriteItem",
    "BatchGetItem",
}


@dataclass
class Meter:
    calls: Counter = field(default_factory=Counter)
    table_wcu: float = 0.0
    index_wcu: float = 0.0
    rcu: float = 0.0
    items: int = 0  # items written (a transaction's TransactItems)

    def attach(self) -> Meter:
        """Count every call of the one shared DynamoDB client from now on."""
        from shared.dynamodb.connection import connection

        events = connection().client.meta.events
        events.register("before-parameter-build.dynamodb", self.before)
        events.register("after-call.dynamodb", self.after)
        return self

    def reset(self) -> None:
        self.calls.clear()
        self.table_wcu = self.index_wcu = self.rcu = 0.0
        self.items = 0

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in CAPACITY_OPS:
            params["ReturnConsumedCapacity"] = "INDEXES"
        if model.name == "TransactWriteItems":
            self.items += len(params.get("TransactItems", []))
        elif model.name in WRITE_OPS:
            self.items += 1

    def after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        capacity = parsed.get("ConsumedCapacity") or []
        if isinstance(capacity, dict):
            capacity = [capacity]
        for entry in capacity:
            table = (entry.get("Table") or {}).get("CapacityUnits", entry.get("CapacityUnits", 0))
            indexes = sum(
                i.get("CapacityUnits", 0)
                for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes")
                for i in (entry.get(group) or {}).values()
            )
            if model.name in WRITE_OPS:
                self.table_wcu += table
                self.index_wcu += indexes
            else:
                self.rcu += table + indexes


def main() -> None:
    with local_stack() as gateway:
        meter = Meter().attach()
        system = gateway.signer.sign("bench", ["systems"])
        member = gateway.signer.sign("m-bench", [])

        # Each retry sends the very same request again.
        purchase = (
            "POST",
            "/v1/purchases",
            {"order_id": "o-1", "member_id": "m-bench", "amount": "199.90"},
        )
        refund = ("POST", "/v1/refunds", {"refund_id": "r-1", "order_id": "o-1", "amount": "99.95"})
        ops = [
            (
                "register member (welcome credit)",
                system,
                "POST",
                "/v1/members",
                {"member_id": "m-bench"},
            ),
            ("purchase (new order)", system, *purchase),
            ("purchase (retry, same order)", system, *purchase),
            ("refund (partial)", system, *refund),
            ("refund (retry)", system, *refund),
            ("GET /v1/me", member, "GET", "/v1/me", None),
            ("GET /v1/me/ledger", member, "GET", "/v1/me/ledger", None),
        ]
        print(
            f"{'operation':36} {'status':>6} {'round trips':>11} {'calls':<38} "
            f"{'table WCU':>9} {'index WCU':>9} {'RCU':>5} {'items':>5}"
        )

        def measure(
            name: str,
            token: str,
            method: str,
            path: str,
            body: Any,
            headers: dict[str, str] | None = None,
        ) -> Any:
            meter.reset()
            status, reply = call(gateway, token, method, path, body, headers)
            trips = sum(meter.calls.values())
            calls = ", ".join(f"{k}×{v}" for k, v in sorted(meter.calls.items()))
            print(
                f"{name:36} {status:>6} {trips:>11} {calls:<38} {meter.table_wcu:>9.1f} "
                f"{meter.index_wcu:>9.1f} {meter.rcu:>5.1f} {meter.items:>5}"
            )
            return reply

        for op in ops:
            measure(*op)
        mall_rows(gateway, measure, system)
        earning_rows(gateway, measure, system)
        lottery_rows(gateway, measure, system)
        targeting_rows(gateway, measure, system)
        rebate_rows(gateway, measure, system)
        print(
            "\nTable WCU: transactional writes cost 2 WCU per item up to 1 KB. Index WCU: the"
            " LSI/GSI upkeep DynamoDB Local reports for the same write (at the transactional"
            " rate). A cancelled transaction (a replayed retry) reports no capacity here."
            "\nItems: items written. DynamoDB bills a transaction 2 WCU per item up to 1 KB"
            " (so 2 × items here); DynamoDB Local reports the transaction's total size instead,"
            " which undercounts transactions of several small items."
        )


def mall_rows(gateway: Any, measure: Any, system: str) -> None:
    """Points mall: the redemption transaction in its shapes, replay, cancel."""
    operator = gateway.signer.sign("bench-operator", ["operators"])
    members = {m: gateway.signer.sign(m, []) for m in ("m-mall-1", "m-mall-2", "m-mall-3")}
    for member_id in members:  # set-up, not measured
        call(gateway, system, "POST", "/v1/members", {"member_id": member_id})
        purchase = {"order_id": f"o-{member_id}", "member_id": member_id, "amount": "100000"}
        call(gateway, system, "POST", "/v1/purchases", purchase)
    one, two, three = members.values()
    items = {
        "bench-phone": {"kind": "gift", "points": 1000, "stock": 100, "per_member_limit": None},
        "bench-cup": {"kind": "gift", "points": 1000, "stock": 100},  # default gift limits
        "bench-coupon": {"kind": "coupon", "points": 1000},
        # a hot item: its stock over 8 shard items, default gift limits
        "bench-flash": {"kind": "gift", "points": 1000, "stock": 100, "stock_shards": 8},
    }
    for item_id, fields in items.items():
        body = {"name": item_id, **fields}
        measure(
            f"catalog item PUT ({item_id})", operator, "PUT", f"/v1/admin/catalog/{item_id}", body
        )
    ship = {"method": "ship", "name": "Bench", "phone": "13800000000", "address": "X"}
    phone = {"item_id": "bench-phone", "delivery": ship}
    cup = {"item_id": "bench-cup", "delivery": ship}
    key = {"idempotency-key": "bench-key-1"}
    measure("redeem gift (cold: reads the item)", one, "POST", "/v1/redemptions", phone)
    order = measure(
        "redeem gift (warm, Idempotency-Key)", one, "POST", "/v1/redemptions", phone, key
    )
    measure("redeem retry (same Idempotency-Key)", one, "POST", "/v1/redemptions", phone, key)
    measure("redeem gift, default limits (cold)", one, "POST", "/v1/redemptions", cup)
    measure("redeem gift, default limits (warm)", two, "POST", "/v1/redemptions", cup, key)
    flash = {"item_id": "bench-flash", "delivery": ship}
    measure("redeem hot gift, 8 shards (cold)", three, "POST", "/v1/redemptions", flash)
    measure("redeem coupon (cold)", one, "POST", "/v1/redemptions", {"item_id": "bench-coupon"})
    measure("redeem coupon (warm)", two, "POST", "/v1/redemptions", {"item_id": "bench-coupon"})
    cancel = f"/v1/me/orders/{order['order_id']}/cancel"
    measure("cancel order (points, stock back)", one, "POST", cancel, None)


def earning_rows(gateway: Any, measure: Any, system: str) -> None:
    """Earning rules: campaigns, referrals, check-ins, tasks, operator actions."""
    operator = gateway.signer.sign("bench-operator", ["operators"])
    member = gateway.signer.sign("m-earn-c", [])
    window = {"starts_at": "2000-01-01T00:00:00+00:00", "ends_at": "2100-01-01T00:00:00+00:00"}
    measure(
        "rules PUT (+50 % category)",
        operator,
        "PUT",
        "/v1/admin/rules",
        {"category_bonuses": {"hot": "0.5"}},
    )
    measure(
        "campaign PUT (×2)",
        operator,
        "PUT",
        "/v1/admin/campaigns/bench-x2",
        {"name": "x2", "multiplier": "2", **window},
    )
    measure(
        "task PUT",
        operator,
        "PUT",
        "/v1/admin/tasks/bench-t",
        {"name": "Survey", "points": 20, "limit": "once"},
    )
    code_a = measure(
        "register (rules cache cold)", system, "POST", "/v1/members", {"member_id": "m-earn-a"}
    )["referral_code"]
    code_b = measure(
        "register with a referral code",
        system,
        "POST",
        "/v1/members",
        {"member_id": "m-earn-b", "referral_code": code_a},
    )["referral_code"]
    call(gateway, system, "POST", "/v1/members", {"member_id": "m-earn-c", "referral_code": code_b})
    hot = [{"sku": "k-1", "category": "hot", "quantity": 1, "amount": "200.00"}]
    measure(
        "purchase, first of a referred member",
        system,
        "POST",
        "/v1/purchases",
        {"order_id": "o-earn-1", "member_id": "m-earn-c", "amount": "200.00", "items": hot},
    )
    measure(
        "purchase, +50 % on a ×2 day (warm)",
        system,
        "POST",
        "/v1/purchases",
        {"order_id": "o-earn-2", "member_id": "m-earn-c", "amount": "200.00", "items": hot},
    )
    measure("check-in", member, "POST", "/v1/me/checkins", None)
    measure("check-in again (409)", member, "POST", "/v1/me/checkins", None)
    measure("GET /v1/tasks", member, "GET", "/v1/tasks", None)
    measure("task completion", member, "POST", "/v1/me/tasks/bench-t/completions", None)
    measure(
        "adjustment (+, Idempotency-Key)",
        operator,
        "POST",
        "/v1/admin/members/m-earn-c/adjustments",
        {"points": 10, "reason": "bench"},
        {"idempotency-key": "bench-adj-1"},
    )
    measure(
        "adjustment retry (same key)",
        operator,
        "POST",
        "/v1/admin/members/m-earn-c/adjustments",
        {"points": 10, "reason": "bench"},
        {"idempotency-key": "bench-adj-1"},
    )
    measure("freeze", operator, "POST", "/v1/admin/members/m-earn-c/freeze", {"reason": "bench"})
    measure(
        "purchase of a frozen member",
        system,
        "POST",
        "/v1/purchases",
        {"order_id": "o-earn-3", "member_id": "m-earn-c", "amount": "10"},
    )
    measure("unfreeze", operator, "POST", "/v1/admin/members/m-earn-c/unfreeze", {"reason": "b"})
    measure(
        "expiry extension (every lot)",
        operator,
        "POST",
        "/v1/admin/members/m-earn-c/expiry-extensions",
        {"reason": "bench", "expires_on": "2099-12-31", "days": 30},
    )
    measure(
        "audit log page (target)", operator, "GET", "/v1/admin/audit?target=member:m-earn-c", None
    )
    measure("audit log page (everything)", operator, "GET", "/v1/admin/audit", None)
    # Risk: a purchase above the single-purchase limit waits for review; its decision.
    big = {"order_id": "o-earn-big", "member_id": "m-earn-a", "amount": "100000.01"}
    measure("purchase held for review (202)", system, "POST", "/v1/purchases", big)
    measure("purchase held, retried (202)", system, "POST", "/v1/purchases", big)
    measure("review queue page", operator, "GET", "/v1/admin/reviews", None)
    decision = {"decision": "approve", "reason": "bench"}
    measure("review approve (credit + audit)", operator, "POST",
            "/v1/admin/reviews/o-earn-big", decision)  # fmt: skip
    measure("review approve again (200 same)", operator, "POST",
            "/v1/admin/reviews/o-earn-big", decision)  # fmt: skip


def lottery_rows(gateway: Any, measure: Any, system: str) -> None:
    """Points lottery: a campaign PUT, draws of each outcome, a replay, reads."""
    operator = gateway.signer.sign("bench-operator", ["operators"])
    member = gateway.signer.sign("m-lottery", [])
    call(gateway, system, "POST", "/v1/members", {"member_id": "m-lottery"})  # set-up
    purchase = {"order_id": "o-m-lottery", "member_id": "m-lottery", "amount": "100000"}
    call(gateway, system, "POST", "/v1/purchases", purchase)
    call(gateway, operator, "PUT", "/v1/admin/catalog/bench-coupon-l",
         {"name": "coupon", "kind": "coupon", "points": 1000})  # fmt: skip
    window = {"starts_at": "2000-01-01T00:00:00+00:00", "ends_at": "2100-01-01T00:00:00+00:00"}
    pools = {  # one sure outcome each, so every shape of the transaction is measured
        "none": {"prizes": [{"prize_id": "p", "name": "p", "kind": "points", "weight": 0,
                             "points": 1}], "no_prize_weight": 1},
        "points": {"prizes": [{"prize_id": "p", "name": "p", "kind": "points", "weight": 1,
                               "points": 10, "stock": 1000}]},
        "coupon": {"prizes": [{"prize_id": "c", "name": "c", "kind": "coupon", "weight": 1,
                               "item_id": "bench-coupon-l"}]},
    }  # fmt: skip
    for name, pool in pools.items():
        body = {"name": name, "cost": 10, "daily_limit": 100, **window, **pool}
        measure(f"lottery PUT ({name})", operator, "PUT", f"/v1/admin/lotteries/l-{name}", body)
    key = {"idempotency-key": "bench-draw-1"}
    measure("draw, no prize", member, "POST", "/v1/lotteries/l-none/draws", None)
    measure("draw, points prize (limited, key)", member, "POST",
            "/v1/lotteries/l-points/draws", None, key)  # fmt: skip
    measure("draw retry (same Idempotency-Key)", member, "POST",
            "/v1/lotteries/l-points/draws", None, key)  # fmt: skip
    measure("draw, coupon prize", member, "POST", "/v1/lotteries/l-coupon/draws", None)
    measure("GET /v1/lotteries (3 open)", member, "GET", "/v1/lotteries", None)
    measure("lottery stats", operator, "GET", "/v1/admin/lotteries/l-points/stats", None)
    measure("lottery draws page", operator, "GET", "/v1/admin/lotteries/l-points/draws", None)


def targeting_rows(gateway: Any, measure: Any, system: str) -> None:
    """Targeting: extra draws earned by a purchase (one more item, same round trip), a new
    member under a registered_after campaign (2 round trips), an extra draw, a per-month
    limit. Ends its campaign and lottery after, so later rows run without them."""
    operator = gateway.signer.sign("bench-operator", ["operators"])
    member = gateway.signer.sign("m-tgt-1", [])
    for member_id in ("m-tgt-1", "m-tgt-2"):  # set-up
        call(gateway, system, "POST", "/v1/members", {"member_id": member_id})
    window = {"starts_at": "2000-01-01T00:00:00+00:00", "ends_at": "2100-01-01T00:00:00+00:00"}
    ended = {"starts_at": "2000-01-01T00:00:00+00:00", "ends_at": "2000-01-02T00:00:00+00:00"}
    prize = [{"prize_id": "p", "name": "p", "kind": "points", "weight": 1, "points": 10}]
    lottery = {"name": "x", "cost": 10, "prizes": prize, "extra_draws": {"per_amount": "100",
               "draws": 1}}  # fmt: skip
    measure("lottery PUT (extra draws by spend)", operator, "PUT",
            "/v1/admin/lotteries/l-extra", {**lottery, **window})  # fmt: skip

    def buy(name: str, member_id: str, order_id: str) -> None:
        body = {"order_id": order_id, "member_id": member_id, "amount": "250.00"}
        measure(name, system, "POST", "/v1/purchases", body)

    call(gateway, system, "POST", "/v1/purchases",
         {"order_id": "o-tgt-0", "member_id": "m-tgt-2", "amount": "1"})  # fmt: skip
    buy("purchase earning 2 extra draws (warm)", "m-tgt-1", "o-tgt-1")
    campaign = {"name": "new", "bonus_points": 50, "registered_after": "2000-01-01"}
    measure("campaign PUT (new members only)", operator, "PUT",
            "/v1/admin/campaigns/bench-new", {**campaign, **window})  # fmt: skip
    call(gateway, system, "POST", "/v1/purchases",
         {"order_id": "o-tgt-00", "member_id": "m-tgt-2", "amount": "1"})  # fmt: skip
    buy("purchase, new member (warm)", "m-tgt-1", "o-tgt-2")
    measure("GET /v1/lotteries (extra draws left)", member, "GET", "/v1/lotteries", None)
    measure("extra draw (no cost, no daily limit)", member, "POST",
            "/v1/lotteries/l-extra/draws", {"extra": True})  # fmt: skip
    monthly = {"name": "m", "kind": "coupon", "points": 10, "per_member_limit": {"per_month": 5}}
    call(gateway, operator, "PUT", "/v1/admin/catalog/bench-monthly", monthly)
    redeem = {"item_id": "bench-monthly"}
    measure("redeem, per-month limit (cold)", member, "POST", "/v1/redemptions", redeem)
    measure("redeem, per-month limit (warm)", member, "POST", "/v1/redemptions", redeem)
    call(gateway, operator, "PUT", "/v1/admin/campaigns/bench-new", {**campaign, **ended})
    call(gateway, operator, "PUT", "/v1/admin/lotteries/l-extra", {**lottery, **ended})


def rebate_rows(gateway: Any, measure: Any, system: str) -> None:
    """Year-end rebates: purchases accruing in their own transaction, a receipt paying the
    referrer, a refund taking its share back. Last, so no other row runs in a campaign."""
    operator = gateway.signer.sign("bench-operator", ["operators"])
    window = {"starts_at": "2000-01-01T00:00:00+00:00", "ends_at": "2100-01-01T00:00:00+00:00"}
    campaign = {
        "name": "Year-end",
        "payout": "points",
        "spend_ladder": [{"min_amount": "1000", "rate": "2"}, {"min_amount": "5000", "rate": "3"}],
        "quantity_ladder": [{"min_quantity": 10, "rate": "1"}],
        "quantity_skus": ["tea", "cup"],
        "bundles": [{"bundle_id": "set", "skus": ["tea", "cup"], "extra_rate": "0.5"}],
        "referral_rate": "1",
        **window,
    }
    code = call(gateway, system, "POST", "/v1/members", {"member_id": "m-rb-ref"})[1][
        "referral_code"
    ]
    for member_id in ("m-rb-1", "m-rb-2"):  # set-up: referred members, first purchase paid
        body = {"member_id": member_id, "referral_code": code}
        call(gateway, system, "POST", "/v1/members", body)
        call(gateway, system, "POST", "/v1/purchases",
             {"order_id": f"o-{member_id}", "member_id": member_id, "amount": "1"})  # fmt: skip
    measure("rebate campaign PUT", operator, "PUT", "/v1/admin/rebates/bench-ye", campaign)
    call(
        gateway,
        system,
        "POST",
        "/v1/purchases",
        {"order_id": "o-rb-0", "member_id": "m-rb-ref", "amount": "1"},
    )  # fmt: skip (cache)
    both = [
        {"sku": "tea", "amount": "60.00", "quantity": 2},
        {"sku": "cup", "amount": "20.00", "quantity": 1},
    ]

    def buy(name: str, member_id: str, order_id: str, amount: str, items: list) -> None:
        body = {"order_id": order_id, "member_id": member_id, "amount": amount, "items": items}
        measure(name, system, "POST", "/v1/purchases", body)

    buy("purchase, 1st accrual in a campaign", "m-rb-1", "o-rb-1", "199.90", [])
    buy("purchase in a rebate campaign", "m-rb-1", "o-rb-2", "100.00", [])
    buy("purchase, listed SKUs + bundle", "m-rb-1", "o-rb-3", "80.00", both)
    # The member's first accrual in the campaign already holds listed SKUs and a bundle: its
    # entry is appended to a list that does not exist yet, still in the one transaction.
    buy("purchase, SKUs+bundle, 1st accrual", "m-rb-2", "o-rb-4", "80.00", both)
    measure("receipt (referrer accrues)", system, "POST", "/v1/purchases/o-rb-3/receipt", None)
    measure("receipt again (same body)", system, "POST", "/v1/purchases/o-rb-3/receipt", None)
    refund = {"refund_id": "r-rb-1", "order_id": "o-rb-3", "amount": "30.00"}
    measure("refund after receipt (2 accruals)", system, "POST", "/v1/refunds", refund)


if __name__ == "__main__":
    main()
