"""The route table: the single source for the CDK routes, the local server and authorization.

Pure data, no imports beyond the standard library: ``infra/`` reads it to build the HTTP API,
``local/server.py`` to dispatch requests, and ``shared/http.py`` to authorize each call.
"""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct


class Role(StrEnum):
    MEMBER = "member"
    OPERATOR = "operator"
    SYSTEM = "system"


PUBLIC: frozenset[Role] = frozenset()
MEMBERS = frozenset({Role.MEMBER})
OPERATORS = frozenset({Role.OPERATOR})
SYSTEMS = frozenset({Role.SYSTEM})

# Trusted systems' OAuth scopes: ``<resource server>/<route family>``. The resource server (on
# the staff user pool, infra/constructs/auth.py) declares every scope the routes below name.
RESOURCE_SERVER = "points"
MEMBERS_SCOPE = (f"{RESOURCE_SERVER}/members",)
PURCHASES = (f"{RESOURCE_SERVER}/purchases",)
REFUNDS = (f"{RESOURCE_SERVER}/refunds",)
HOLDS = (f"{RESOURCE_SERVER}/holds",)
COUPONS = (f"{RESOURCE_SERVER}/coupons",)
PAYMENTS = (f"{RESOURCE_SERVER}/payments",)
TASKS = (f"{RESOURCE_SERVER}/tasks",)


class Route(Struct, frozen=True):
    """One HTTP route: method, path, the function serving it and the roles allowed."""

    method: str
    path: str  # API Gateway template, e.g. /v1/me/orders/{order_id}
    function: str  # folder under functions/
    operation: str  # name the function's handler registers
    roles: frozenset[Role]  # empty = no authentication (health, the API description)
    # The audit log's action every call writes (operators' writes; see shared/domain/audit.py):
    # tests/security/test_audit_log.py calls each such route and finds its entry.
    audit: str | None = None
    # OAuth scopes a trusted system's client-credentials token must carry (SYSTEMS routes only,
    # one per route family): API Gateway's authorizer and shared/auth.py both check them.
    scopes: tuple[str, ...] = ()

    @property
    def route_key(self) -> str:
        """The ``routeKey`` API Gateway puts in the payload-v2 event."""
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return not self.roles


ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/health", "account", "health", PUBLIC),
    Route("GET", "/v1/openapi.json", "account", "openapi", PUBLIC),  # the API's description
    # Members
    Route("GET", "/v1/me", "account", "get_me", MEMBERS),
    Route("GET", "/v1/me/ledger", "account", "list_my_ledger", MEMBERS),
    # Trusted systems
    Route("POST", "/v1/members", "earn", "register_member", SYSTEMS, scopes=MEMBERS_SCOPE),
    Route("POST", "/v1/purchases", "earn", "record_purchase", SYSTEMS, scopes=PURCHASES),
    Route("POST", "/v1/refunds", "earn", "record_refund", SYSTEMS, scopes=REFUNDS),
    Route(
        "POST",
        "/v1/purchases/{order_id}/receipt",
        "earn",
        "confirm_receipt",
        SYSTEMS,
        scopes=PURCHASES,
    ),
    # Members give points to other members
    Route("POST", "/v1/me/transfers", "transfers", "send_transfer", MEMBERS),
    # Points at checkout (trusted systems): two-phase hold / capture / release
    Route("POST", "/v1/holds", "checkout", "place_hold", SYSTEMS, scopes=HOLDS),
    Route("POST", "/v1/holds/{hold_id}/capture", "checkout", "capture_hold", SYSTEMS, scopes=HOLDS),
    Route("POST", "/v1/holds/{hold_id}/release", "checkout", "release_hold", SYSTEMS, scopes=HOLDS),
    # Operators: reports from the daily aggregates
    Route("GET", "/v1/admin/reports/summary", "reports", "report_summary", OPERATORS),
    # Operators: run a scheduled job now
    Route("POST", "/v1/admin/jobs/{job}/runs", "jobs", "run_job", OPERATORS, audit="job.run"),
    # Operators: goodwill extension of a member's expiring points
    Route(
        "POST",
        "/v1/admin/members/{member_id}/expiry-extensions",
        "expire",
        "extend_expiry",
        OPERATORS,
        audit="member.extend_expiry",
    ),
    # Earning rules: members' activity ...
    Route("POST", "/v1/me/checkins", "activity", "check_in", MEMBERS),
    Route("GET", "/v1/tasks", "activity", "list_tasks", MEMBERS),
    Route("POST", "/v1/me/tasks/{task_id}/completions", "activity", "complete_task", MEMBERS),
    # ... and operators' programme settings and member care
    Route("GET", "/v1/admin/rules", "admin", "get_rules", OPERATORS),
    Route("PUT", "/v1/admin/rules", "admin", "put_rules", OPERATORS, audit="rules.put"),
    Route("GET", "/v1/admin/tasks", "admin", "list_tasks", OPERATORS),
    Route("PUT", "/v1/admin/tasks/{task_id}", "admin", "put_task", OPERATORS, audit="task.put"),
    Route("GET", "/v1/admin/campaigns", "admin", "list_campaigns", OPERATORS),
    Route(
        "PUT",
        "/v1/admin/campaigns/{campaign_id}",
        "admin",
        "put_campaign",
        OPERATORS,
        audit="campaign.put",
    ),
    # Member lookup by exact phone or e-mail (keyed hash; contact details masked). The file's
    # ?reveal=true shows them in clear and writes member.reveal (not on every call: no audit=).
    Route("GET", "/v1/admin/members", "admin", "find_members", OPERATORS),
    Route("GET", "/v1/admin/members/{member_id}", "admin", "get_member", OPERATORS),
    Route("GET", "/v1/admin/members/{member_id}/ledger", "admin", "member_ledger", OPERATORS),
    Route(
        "POST",
        "/v1/admin/members/{member_id}/adjustments",
        "admin",
        "adjust_member",
        OPERATORS,
        audit="member.adjust",
    ),
    # Adjustments above the programme's threshold wait for a second operator's decision.
    Route("GET", "/v1/admin/adjustments", "admin", "list_adjustments", OPERATORS),
    Route(
        "POST",
        "/v1/admin/adjustments/{adjustment_id}/approval",
        "admin",
        "decide_adjustment",
        OPERATORS,
        audit="adjustment.decide",
    ),
    Route(
        "POST",
        "/v1/admin/members/{member_id}/freeze",
        "admin",
        "freeze_member",
        OPERATORS,
        audit="member.freeze",
    ),
    Route(
        "POST",
        "/v1/admin/members/{member_id}/unfreeze",
        "admin",
        "unfreeze_member",
        OPERATORS,
        audit="member.unfreeze",
    ),
    # ... and read the audit log of every operator write.
    Route("GET", "/v1/admin/audit", "admin", "list_audit", OPERATORS),
    # Points mall: members browse and redeem ...
    Route("GET", "/v1/catalog", "redeem", "list_catalog", MEMBERS | OPERATORS),
    Route("GET", "/v1/catalog/{item_id}", "redeem", "get_catalog_item", MEMBERS | OPERATORS),
    Route("POST", "/v1/redemptions", "redeem", "redeem", MEMBERS),
    Route("GET", "/v1/me/orders", "redeem", "list_my_orders", MEMBERS),
    Route("GET", "/v1/me/orders/{order_id}", "redeem", "get_my_order", MEMBERS),
    Route("POST", "/v1/me/orders/{order_id}/cancel", "redeem", "cancel_my_order", MEMBERS),
    Route("GET", "/v1/me/coupons", "redeem", "list_my_coupons", MEMBERS),
    # ... the shop's systems consume coupons and confirm the cash part of points + cash ...
    Route(
        "POST", "/v1/coupons/{code}/consume", "redeem", "consume_coupon", SYSTEMS, scopes=COUPONS
    ),
    Route(
        "POST",
        "/v1/orders/{order_id}/payment",
        "redeem",
        "confirm_payment",
        SYSTEMS,
        scopes=PAYMENTS,
    ),
    # ... operators keep the catalog and work the orders.
    # The catalog as the console lists it: /v1/catalog takes the member pool's authorizer in
    # AWS (one authorizer per route), so operators list it here (docs/security.md).
    Route("GET", "/v1/admin/catalog", "mall_admin", "list_items", OPERATORS),
    Route("GET", "/v1/admin/catalog/{item_id}", "mall_admin", "get_item", OPERATORS),
    Route(
        "PUT",
        "/v1/admin/catalog/{item_id}",
        "mall_admin",
        "put_item",
        OPERATORS,
        audit="catalog.put",
    ),
    Route(
        "PATCH",
        "/v1/admin/catalog/{item_id}",
        "mall_admin",
        "patch_item",
        OPERATORS,
        audit="catalog.patch",
    ),
    Route("GET", "/v1/admin/orders", "mall_admin", "list_orders", OPERATORS),
    Route(
        "PATCH",
        "/v1/admin/orders/{order_id}",
        "mall_admin",
        "move_order",
        OPERATORS,
        audit="order.move",
    ),
    Route(
        "POST",
        "/v1/admin/orders/{order_id}/pickup",
        "mall_admin",
        "confirm_pickup",
        OPERATORS,
        audit="order.pickup",
    ),
    # Points lottery: members see the odds in force and draw; a gift won waits for
    # its delivery address ...
    Route("GET", "/v1/lotteries", "lottery", "list_lotteries", MEMBERS),
    Route("POST", "/v1/lotteries/{lottery_id}/draws", "lottery", "draw", MEMBERS),
    Route("PUT", "/v1/me/orders/{order_id}/delivery", "lottery", "give_delivery_address", MEMBERS),
    # ... operators set up campaigns and prize pools and audit every draw.
    Route("GET", "/v1/admin/lotteries", "lottery_admin", "list_lotteries", OPERATORS),
    Route("GET", "/v1/admin/lotteries/{lottery_id}", "lottery_admin", "get_lottery", OPERATORS),
    Route(
        "PUT",
        "/v1/admin/lotteries/{lottery_id}",
        "lottery_admin",
        "put_lottery",
        OPERATORS,
        audit="lottery.put",
    ),
    Route(
        "GET", "/v1/admin/lotteries/{lottery_id}/draws", "lottery_admin", "list_draws", OPERATORS
    ),
    Route(
        "GET", "/v1/admin/lotteries/{lottery_id}/stats", "lottery_admin", "lottery_stats", OPERATORS
    ),
    # Operators define year-end rebate campaigns.
    Route("GET", "/v1/admin/rebates", "rebates_admin", "list_campaigns", OPERATORS),
    Route(
        "PUT",
        "/v1/admin/rebates/{campaign_id}",
        "rebates_admin",
        "put_campaign",
        OPERATORS,
        audit="rebate.put",
    ),
    Route("GET", "/v1/admin/rebates/{campaign_id}", "rebates_admin", "get_campaign", OPERATORS),
    # ... settle them once they have ended (one statement per participant) ...
    Route(
        "POST",
        "/v1/admin/rebates/{campaign_id}/settlements",
        "rebates_admin",
        "settle_campaign",
        OPERATORS,
        audit="rebate.settle",
    ),
    # ... review their statements, pay them and export them for finance.
    Route(
        "GET",
        "/v1/admin/rebates/{campaign_id}/statements",
        "rebates_admin",
        "list_statements",
        OPERATORS,
    ),
    Route(
        "PATCH",
        "/v1/admin/rebates/{campaign_id}/statements/{member_id}",
        "rebates_admin",
        "review_statement",
        OPERATORS,
        audit="rebate.review",
    ),
    Route(
        "POST",
        "/v1/admin/rebates/{campaign_id}/statements/{member_id}/payout",
        "rebates_admin",
        "pay_statement",
        OPERATORS,
        audit="rebate.pay",
    ),
    Route(
        "GET",
        "/v1/admin/rebates/{campaign_id}/statements.csv",
        "rebates_admin",
        "export_statements",
        OPERATORS,
    ),
    # Risk: purchases a risk rule held back wait for an operator's decision ...
    Route("GET", "/v1/admin/reviews", "reviews", "list_reviews", OPERATORS),
    Route(
        "POST",
        "/v1/admin/reviews/{review_id}",
        "reviews",
        "decide_review",
        OPERATORS,
        audit="review.decide",
    ),
    # ... and completions of verified tasks are reported by a trusted system only.
    Route(
        "POST",
        "/v1/members/{member_id}/tasks/{task_id}/completions",
        "earn",
        "report_task_completion",
        SYSTEMS,
        scopes=TASKS,
    ),
    # Operators import members with their opening balances (a CSV, streamed by a job).
    Route(
        "POST",
        "/v1/admin/imports",
        "imports",
        "create_import",
        OPERATORS,
        audit="import.create",
    ),
    Route(
        "POST",
        "/v1/admin/imports/uploads",
        "imports",
        "create_upload",
        OPERATORS,
        audit="import.create",
    ),
    Route(
        "POST",
        "/v1/admin/imports/{import_id}/start",
        "imports",
        "start_import",
        OPERATORS,
        audit="import.start",
    ),
    Route("GET", "/v1/admin/imports/{import_id}", "imports", "get_import", OPERATORS),
    # Operators export the ledger, orders, members or statements for finance (a CSV a job
    # writes; a time-limited URL to fetch it).
    Route(
        "POST", "/v1/admin/exports", "exports", "create_export", OPERATORS, audit="export.create"
    ),
    Route("GET", "/v1/admin/exports/{export_id}", "exports", "get_export", OPERATORS),
    # Year-end rebates: members follow their progress and read their statements.
    Route("GET", "/v1/me/rebates", "rebates", "list_my_rebates", MEMBERS),
    Route(
        "GET",
        "/v1/me/rebates/{campaign_id}/statement",
        "rebates",
        "get_my_rebate_statement",
        MEMBERS,
    ),
    # The leaderboard (积分排名): this month's or year's top 100 and the caller's own rank.
    Route("GET", "/v1/leaderboard", "leaderboard", "get_leaderboard", MEMBERS),
    # Reaching members: their inbox (text in the reader's language) and how they are reached.
    Route("GET", "/v1/me/messages", "inbox", "list_my_messages", MEMBERS),
    Route("POST", "/v1/me/messages/{message_id}/read", "inbox", "read_my_message", MEMBERS),
    Route("GET", "/v1/me/preferences", "inbox", "get_my_preferences", MEMBERS),
    Route("PUT", "/v1/me/preferences", "inbox", "put_my_preferences", MEMBERS),
)


def routes_for(function: str) -> tuple[Route, ...]:
    return tuple(r for r in ROUTES if r.function == function)


def system_scopes() -> tuple[str, ...]:
    """Every scope a route requires, in first-seen order (the resource server's scopes)."""
    return tuple(dict.fromkeys(s for r in ROUTES for s in r.scopes))


def functions() -> tuple[str, ...]:
    """Every function folder that serves HTTP routes, in first-seen order."""
    return tuple(dict.fromkeys(r.function for r in ROUTES))
