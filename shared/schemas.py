"""Request and response schemas of every route, next to the route table (``shared/routes.py``).

Plain JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1), keyed by the operation id
``"<function>.<operation>"`` of each route. ``shared/openapi.py`` builds the API's OpenAPI
document from the route table and these; the security tests build their requests from the
``example`` bodies. Adding a route = adding its :class:`Operation` here (a unit test fails
for a route without one). Written from the HTTP contract (API.md) and docs/decisions.md:
responses list the documented fields as required and allow the documented extensions.

Pure data: imports only the domain's constants (enums), nothing with I/O.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from shared.domain import lottery as lottery_rules
from shared.domain import mall as mall_rules
from shared.domain.activity import LIMITS as TASK_LIMITS
from shared.domain.ledger import (
    ADJUST,
    CHECKOUT,
    CLAWBACK,
    EARN,
    EXPIRE,
    LOTTERY_COST,
    LOTTERY_PRIZE,
    REDEEM,
    REFUND,
    TRANSFER_IN,
    TRANSFER_OUT,
)
from shared.domain.rules import TIER_NAMES
from shared.routes import Route

Schema = dict[str, Any]

# Patterns shared with shared/validation.py (kept literal: a schema is data).
ID = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$"
MONEY = r"^\d{1,12}(\.\d{1,2})?$"
IDEMPOTENCY_KEY = r"^[A-Za-z0-9_-]{1,128}$"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(
    required: dict[str, Schema] | None = None,
    optional: dict[str, Schema] | None = None,
    *,
    extra: bool = True,
) -> Schema:
    """An object with ``required`` and ``optional`` properties; ``extra`` = other properties
    (documented extensions) allowed."""
    props = {**(required or {}), **(optional or {})}
    schema: Schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    if not extra:
        schema["additionalProperties"] = False
    return schema


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def page(item: Schema) -> Schema:
    return obj({"items": {"type": "array", "items": item}, "next_cursor": nullable(STRING)})


STRING: Schema = {"type": "string"}
TEXT: Schema = {"type": "string", "minLength": 1}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
ANY_OBJECT: Schema = {"type": "object"}


def text(max_length: int) -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}


def integer(minimum: int, maximum: int) -> Schema:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


LEDGER_TYPES = (
    EARN,
    REDEEM,
    EXPIRE,
    CLAWBACK,
    ADJUST,
    TRANSFER_IN,
    TRANSFER_OUT,
    LOTTERY_COST,
    LOTTERY_PRIZE,
    REFUND,
    CHECKOUT,
)

# Reusable components (``#/components/schemas/<name>``).
COMPONENTS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {"code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}, "message": TEXT},
                {"details": {}},
            )
        },
        extra=False,
    ),
    "Id": {"type": "string", "pattern": ID},
    "Money": {"type": "string", "pattern": MONEY, "examples": ["199.90"]},
    "Decimal": {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    "Timestamp": {"type": "string", "format": "date-time"},
    "Date": {"type": "string", "format": "date"},
    "Tier": enum(TIER_NAMES),
    "Expiring": obj({"points": INT, "expires_on": {"type": "string", "format": "date"}}),
    "Member": obj(
        {
            "member_id": STRING,
            "status": enum(("active", "frozen")),
            "balance": INT,
            "tier": enum(TIER_NAMES),
            "qualifying_points": INT,
            "next_tier": nullable(enum(TIER_NAMES)),
            "points_to_next_tier": INT,
            "expiring": {"type": "array", "items": ref("Expiring")},
            "checkin_streak": INT,
            "referral_code": nullable(STRING),
        },
        {"held": INT, "spendable": INT},
    ),
    "LedgerEntry": obj(
        {
            "entry_id": STRING,
            "at": ref("Timestamp"),
            "type": enum(LEDGER_TYPES),
            "points": INT,
            "balance_after": INT,
            "source": STRING,
            "ref": STRING,
            "description": STRING,
        },
        {"expires_on": nullable(ref("Date"))},
    ),
    "LedgerPage": page(ref("LedgerEntry")),
    "LotteryPage": page(ref("Lottery")),
    "Delivery": obj(
        {"method": enum(mall_rules.DELIVERY_METHODS), "name": text(100), "phone": text(32)},
        {"address": text(500)},
        extra=False,
    ),
    "CatalogItem": obj(
        {
            "item_id": STRING,
            "name": STRING,
            "kind": enum(mall_rules.KINDS),
            "points": INT,
            "cash": nullable(ref("Money")),
            "stock": nullable(INT),
            "available": BOOL,
            "starts_at": nullable(ref("Timestamp")),
            "ends_at": nullable(ref("Timestamp")),
            "min_tier": nullable(ref("Tier")),
            "per_member_limit": nullable(ANY_OBJECT),
            "image_url": nullable(STRING),
        }
    ),
    "Order": obj(
        {
            "order_id": STRING,
            "status": enum(mall_rules.STATUSES),
            "points": INT,
            "item_id": STRING,
            "quantity": INT,
        },
        {
            "coupon": nullable(ANY_OBJECT),
            "pickup_code": nullable(STRING),
            "carrier": nullable(STRING),
            "tracking_no": nullable(STRING),
        },
    ),
    "Coupon": obj(
        {
            "code": STRING,
            "item_id": STRING,
            "status": enum(("active", "used", "expired")),
            "expires_on": ref("Date"),
        }
    ),
    "Hold": obj(
        {
            "hold_id": STRING,
            "points": INT,
            "cash_value": ref("Money"),
            "expires_at": ref("Timestamp"),
        }
    ),
    "Task": obj(
        {
            "task_id": STRING,
            "name": STRING,
            "points": INT,
            "limit": enum(TASK_LIMITS),
        }
    ),
    "Campaign": obj({"campaign_id": STRING, "name": STRING}),
    "Lottery": obj(
        {
            "lottery_id": STRING,
            "name": STRING,
            "cost": INT,
            "starts_at": ref("Timestamp"),
            "ends_at": ref("Timestamp"),
            "prizes": {"type": "array", "items": ANY_OBJECT},
        }
    ),
}


class Operation(Struct, frozen=True):
    """What one route takes and answers (besides 401/403, which follow from its roles)."""

    summary: str
    responses: dict[int, Schema]  # success status -> body schema
    errors: tuple[int, ...] = ()  # documented error statuses of this operation
    request: Schema | None = None  # JSON body schema (None: no body is read)
    body_required: bool = True
    example: dict[str, Any] | None = None  # a valid body
    query: dict[str, Schema] = field(default_factory=dict)
    path: dict[str, Schema] = field(default_factory=dict)  # path parameter schemas
    idempotency_key: bool = False  # takes the Idempotency-Key header


# Fragments for the operations below.
LIST_QUERY = {"limit": integer(1, 100), "cursor": {"type": "string", "minLength": 1}}
ADMIN_MEMBER_VIEW = ref("Member")
DELIVERY_EXAMPLE = {"method": "ship", "name": "Li Lei", "phone": "13800000000", "address": "1 Rd"}
MAX_POINTS = 1_000_000
MAX_STOCK = 100_000_000
CAMPAIGN_REQUEST = obj(
    {"name": text(200), "starts_at": ref("Timestamp"), "ends_at": ref("Timestamp")},
    {
        "multiplier": ref("Decimal"),
        "bonus_points": integer(1, MAX_POINTS),
        "categories": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
        "skus": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
        "channels": {"type": "array", "items": text(64), "minItems": 1, "maxItems": 100},
    },
)
ITEM_REQUEST = obj(
    {"name": text(200), "kind": enum(mall_rules.KINDS), "points": integer(1, MAX_POINTS)},
    {
        "cash": nullable(ref("Money")),
        "stock": nullable(integer(0, MAX_STOCK)),
        "starts_at": nullable(ref("Timestamp")),
        "ends_at": nullable(ref("Timestamp")),
        "min_tier": nullable(ref("Tier")),
        "per_member_limit": nullable(
            obj({}, {"per_day": integer(1, MAX_STOCK), "total": integer(1, MAX_STOCK)})
        ),
        "coupon_valid_days": nullable(integer(1, 3650)),
        "description": nullable(text(2000)),
        "image_url": nullable(text(1000)),
    },
)
PRIZE_REQUEST = obj(
    {
        "prize_id": ref("Id"),
        "name": text(200),
        "kind": enum(lottery_rules.KINDS),
        "weight": integer(0, lottery_rules.MAX_WEIGHT),
    },
    {
        "stock": nullable(integer(0, MAX_STOCK)),
        "points": integer(1, lottery_rules.MAX_PRIZE_POINTS),
        "item_id": ref("Id"),
        "cash": ref("Money"),
    },
)
ORDER_WITH_EXTRAS = ref("Order")


OPERATIONS: dict[str, Operation] = {
    # Health and the API's own description ---------------------------------------------------
    "account.health": Operation(
        "Liveness check (no authentication).", {200: obj({"status": enum(("ok",))})}
    ),
    "account.openapi": Operation(
        "This OpenAPI document (no authentication).",
        {200: obj({"openapi": STRING, "paths": ANY_OBJECT})},
    ),
    # Members ----------------------------------------------------------------------------------
    "account.get_me": Operation(
        "The caller's balance, held points, tier, expiring points and streak.",
        {200: ref("Member")},
        (404,),
    ),
    "account.list_my_ledger": Operation(
        "The caller's ledger, newest first, with the balance after each entry.",
        {200: ref("LedgerPage")},
        (404, 422),
        query=LIST_QUERY,
    ),
    "earn.check_in": Operation(
        "Daily check-in: points once per programme day, streak bonuses.",
        {201: obj({"points": INT, "streak": INT, "bonus": INT})},
        (404, 409, 503),
    ),
    "earn.list_tasks": Operation(
        "The tasks a member can complete, and whether done this period.",
        {200: obj({"items": {"type": "array", "items": ref("Task")}})},
        (404,),
    ),
    "earn.complete_task": Operation(
        "Complete a task (once / daily / weekly).",
        {201: obj({"points": INT})},
        (404, 409, 503),
        path={"task_id": {"type": "string", "minLength": 1}},
    ),
    "transfers.send_transfer": Operation(
        "Give points to another member.",
        {201: obj({"transfer_id": STRING, "points": INT}), 200: obj({"transfer_id": STRING})},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"to_member_id": ref("Id"), "points": integer(1, 1_000_000_000)},
            {"message": text(140)},
        ),
        example={"to_member_id": "m-other", "points": 10, "message": "thanks"},
        idempotency_key=True,
    ),
    # Trusted systems --------------------------------------------------------------------------
    "earn.register_member": Operation(
        "Register a member (welcome points); the same data again answers 200.",
        {201: ref("Member"), 200: ref("Member")},
        (400, 409, 413, 422, 503),
        request=obj(
            {"member_id": ref("Id")},
            {
                "referral_code": ref("Id"),
                "birthday": {"type": "string", "pattern": r"^\d{2}-\d{2}$"},
                "joined_at": ref("Timestamp"),
            },
        ),
        example={"member_id": "m-new"},
    ),
    "earn.record_purchase": Operation(
        "Report a purchase: points by the earning rules; the same order_id answers 200.",
        {
            201: obj(
                {
                    "points": INT,
                    "breakdown": {
                        "type": "array",
                        "items": obj({"rule": STRING, "points": INT}),
                    },
                }
            ),
            200: obj({"points": INT}),
        },
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"order_id": ref("Id"), "member_id": ref("Id"), "amount": ref("Money")},
            {
                "currency": {"type": "string", "minLength": 1, "maxLength": 3},
                "channel": ref("Id"),
                "occurred_at": ref("Timestamp"),
                "items": {
                    "type": "array",
                    "maxItems": 100,
                    "items": obj(
                        {"amount": ref("Money")},
                        {"sku": ref("Id"), "category": text(64), "quantity": integer(1, 10**9)},
                    ),
                },
            },
        ),
        example={"order_id": "o-new", "member_id": "m-owner", "amount": "99.90"},
    ),
    "earn.record_refund": Operation(
        "Report a refund: the order's points are clawed back proportionally.",
        {201: obj({"points_clawed_back": INT}), 200: obj({"points_clawed_back": INT})},
        (400, 404, 409, 413, 422, 503),
        request=obj({"refund_id": ref("Id"), "order_id": ref("Id"), "amount": ref("Money")}),
        example={"refund_id": "rf-1", "order_id": "o-m-owner", "amount": "10.00"},
    ),
    "checkout.place_hold": Operation(
        "Hold points for an order at the shop's checkout.",
        {201: ref("Hold"), 200: ref("Hold")},
        (400, 403, 404, 409, 413, 422, 503),
        request=obj(
            {
                "hold_id": ref("Id"),
                "member_id": ref("Id"),
                "order_id": ref("Id"),
                "order_amount": ref("Money"),
                "points": integer(1, 1_000_000_000),
            },
            {"currency": {"type": "string", "minLength": 1, "maxLength": 3}},
        ),
        example={
            "hold_id": "h-new",
            "member_id": "m-owner",
            "order_id": "shop-o-2",
            "order_amount": "100.00",
            "points": 100,
        },
    ),
    "checkout.capture_hold": Operation(
        "Capture a hold: the points are spent (ledger type checkout).",
        {200: ref("Hold")},
        (404, 409, 503),
    ),
    "checkout.release_hold": Operation(
        "Release a hold: the points are spendable again.",
        {200: ref("Hold")},
        (404, 409, 503),
    ),
    "redeem.consume_coupon": Operation(
        "The shop consumes a coupon once.",
        {200: obj({"code": STRING, "status": STRING})},
        (400, 404, 409, 413, 422, 503),
        request=obj({}, {"order_id": ref("Id")}),
        body_required=False,
        example={"order_id": "shop-o-9"},
        path={"code": {"type": "string", "minLength": 1, "maxLength": 64}},
    ),
    "redeem.confirm_payment": Operation(
        "The shop confirms the cash part of a points + cash order.",
        {200: ORDER_WITH_EXTRAS},
        (400, 404, 409, 413, 422, 503),
        request=obj({"amount": ref("Money"), "payment_ref": ref("Id")}),
        example={"amount": "10.00", "payment_ref": "pay-1"},
    ),
    # Operators: reports, jobs, expiry ----------------------------------------------------------
    "reports.report_summary": Operation(
        "Points issued / redeemed / expired / clawed back / outstanding over a window.",
        {
            200: obj(
                {
                    "issued": INT,
                    "redeemed": INT,
                    "expired": INT,
                    "clawed_back": INT,
                    "outstanding": INT,
                    "members": INT,
                    "active_members": INT,
                    "redemption_rate": nullable(STRING),
                    "by_source": ANY_OBJECT,
                    "by_day": {"type": "array"},
                }
            )
        },
        (422,),
        query={"from": ref("Date"), "to": ref("Date")},
    ),
    "jobs.run_job": Operation(
        "Run a scheduled job now (the same code as its schedule).",
        {200: obj({"job": STRING})},
        (404, 503),
    ),
    "expire.extend_expiry": Operation(
        "Goodwill: move a member's expiring points to a later date.",
        {201: obj({"moved": {"type": "array", "items": ANY_OBJECT}})},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"reason": text(500)},
            {"expires_on": ref("Date"), "to": ref("Date"), "days": integer(1, 366)},
        ),
        example={"reason": "store closed", "days": 30},
    ),
    # Operators: programme settings --------------------------------------------------------------
    "admin.get_rules": Operation("Every programme setting, defaults filled in.", {200: ANY_OBJECT}),
    "admin.put_rules": Operation(
        "Replace the programme settings' overrides; answers every setting.",
        {200: ANY_OBJECT},
        (400, 413, 422, 503),
        request=ANY_OBJECT,
        example={"checkin_points": 10},
    ),
    "admin.list_tasks": Operation(
        "Every task, active or retired.",
        {200: obj({"items": {"type": "array", "items": ref("Task")}})},
    ),
    "admin.put_task": Operation(
        "Create (201) or replace (200) a task.",
        {201: ref("Task"), 200: ref("Task")},
        (400, 413, 422, 503),
        request=obj(
            {"name": text(200), "points": integer(1, MAX_POINTS), "limit": enum(TASK_LIMITS)},
            {"active": BOOL},
        ),
        example={"name": "Survey", "points": 20, "limit": "daily"},
    ),
    "admin.list_campaigns": Operation(
        "Every campaign, with whether it is active now.",
        {200: obj({"items": {"type": "array", "items": ref("Campaign")}})},
    ),
    "admin.put_campaign": Operation(
        "Create (201) or replace (200) a campaign.",
        {201: ref("Campaign"), 200: ref("Campaign")},
        (400, 413, 422, 503),
        request=CAMPAIGN_REQUEST,
        example={
            "name": "Double days",
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "multiplier": "2",
        },
    ),
    # Operators: member care ----------------------------------------------------------------------
    "admin.get_member": Operation(
        "A member's file: the member view plus flags and the latest operator actions.",
        {200: ADMIN_MEMBER_VIEW},
        (404, 422),
    ),
    "admin.member_ledger": Operation(
        "A member's ledger, with each entry's actor.",
        {200: ref("LedgerPage")},
        (404, 422),
        query=LIST_QUERY,
    ),
    "admin.adjust_member": Operation(
        "Credit or debit a member's points with a reason (audited).",
        {
            201: obj(
                {
                    "adjustment_id": STRING,
                    "entry_id": STRING,
                    "member_id": STRING,
                    "type": enum((ADJUST,)),
                    "points": INT,
                    "reason": STRING,
                    "actor": STRING,
                    "at": ref("Timestamp"),
                }
            )
        },
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"points": integer(-MAX_POINTS, MAX_POINTS), "reason": text(500)},
            {"allow_debt": BOOL},
        ),
        example={"points": 25, "reason": "service recovery"},
        idempotency_key=True,
    ),
    "admin.freeze_member": Operation(
        "Freeze a member (no earning, no spending).",
        {200: obj({"member_id": STRING, "status": enum(("frozen",)), "changed": BOOL})},
        (400, 404, 413, 422, 503),
        request=obj({"reason": text(500)}),
        example={"reason": "abuse under review"},
    ),
    "admin.unfreeze_member": Operation(
        "Unfreeze a member.",
        {200: obj({"member_id": STRING, "status": enum(("active",)), "changed": BOOL})},
        (400, 404, 413, 422, 503),
        request=obj({"reason": text(500)}),
        example={"reason": "review done"},
    ),
    # Points mall ------------------------------------------------------------------------------
    "redeem.list_catalog": Operation(
        "The catalog, page by page.",
        {200: page(ref("CatalogItem"))},
        (422,),
        query=LIST_QUERY,
    ),
    "redeem.get_catalog_item": Operation("One catalog item.", {200: ref("CatalogItem")}, (404,)),
    "redeem.redeem": Operation(
        "Redeem points for an item: points, stock and the order in one transaction.",
        {201: ref("Order")},
        (400, 403, 404, 409, 413, 422, 503),
        request=obj(
            {"item_id": ref("Id")},
            {"quantity": integer(1, mall_rules.MAX_QUANTITY), "delivery": ref("Delivery")},
        ),
        example={"item_id": "gift-cup", "quantity": 1, "delivery": DELIVERY_EXAMPLE},
        idempotency_key=True,
    ),
    "redeem.list_my_orders": Operation(
        "The caller's orders, newest first.",
        {200: page(ref("Order"))},
        (422,),
        query=LIST_QUERY,
    ),
    "redeem.get_my_order": Operation("One of the caller's orders.", {200: ref("Order")}, (404,)),
    "redeem.cancel_my_order": Operation(
        "Cancel one of the caller's orders while placed: points and stock return.",
        {200: ref("Order")},
        (404, 409, 503),
    ),
    "redeem.list_my_coupons": Operation(
        "The caller's coupons.", {200: page(ref("Coupon"))}, (422,), query=LIST_QUERY
    ),
    "mall_admin.get_item": Operation(
        "A catalog item as operators see it (version, units sold).",
        {200: ref("CatalogItem")},
        (404,),
    ),
    "mall_admin.put_item": Operation(
        "Create (201) or replace (200) a catalog item.",
        {201: ref("CatalogItem"), 200: ref("CatalogItem")},
        (400, 409, 413, 422, 503),
        request=ITEM_REQUEST,
        example={"name": "Thermos cup", "kind": "gift", "points": 3000, "stock": 100},
    ),
    "mall_admin.patch_item": Operation(
        "Restock, reprice, move the window of or retire a catalog item.",
        {200: ref("CatalogItem")},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {},
            {
                "stock_delta": integer(-MAX_STOCK, MAX_STOCK),
                "points": integer(1, MAX_POINTS),
                "cash": nullable(ref("Money")),
                "starts_at": nullable(ref("Timestamp")),
                "ends_at": nullable(ref("Timestamp")),
                "retired": BOOL,
            },
            extra=False,
        ),
        example={"stock_delta": 5},
    ),
    "mall_admin.list_orders": Operation(
        "The order queue by status, newest first.",
        {200: page(ref("Order"))},
        (422,),
        query={**LIST_QUERY, "status": enum(mall_rules.STATUSES)},
    ),
    "mall_admin.move_order": Operation(
        "Approve, ship, deliver or reject an order.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {"status": enum(("approved", "shipped", "delivered", "rejected"))},
            {"carrier": text(100), "tracking_no": text(100), "reason": text(500)},
        ),
        example={"status": "approved"},
    ),
    "mall_admin.confirm_pickup": Operation(
        "Hand over a pickup order on its one-time code.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=obj({"pickup_code": text(32)}),
        example={"pickup_code": "000000"},
    ),
    # Points lottery ---------------------------------------------------------------------------
    "lottery.list_lotteries": Operation(
        "Open lotteries with the odds in force and the draws left today.",
        {200: obj({"items": {"type": "array", "items": ANY_OBJECT}})},
        (404,),
    ),
    "lottery.draw": Operation(
        "Draw once: the cost is debited and a prize picked in one transaction.",
        {
            201: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
            200: obj({"draw_id": STRING, "cost": INT, "prize": nullable(ANY_OBJECT)}),
        },
        (400, 403, 404, 409, 413, 422, 503),
        request=ANY_OBJECT,
        body_required=False,
        example={},
        idempotency_key=True,
    ),
    "lottery.give_delivery_address": Operation(
        "Give the delivery address of a gift won in a draw.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=ref("Delivery"),
        example=DELIVERY_EXAMPLE,
    ),
    "lottery_admin.list_lotteries": Operation(
        "Every lottery with its prize pool and stock, latest end first.",
        {200: ref("LotteryPage")},
        (422,),
        query=LIST_QUERY,
    ),
    "lottery_admin.get_lottery": Operation(
        "A lottery with its prize pool and stock.", {200: ref("Lottery")}, (404,)
    ),
    "lottery_admin.put_lottery": Operation(
        "Create (201) or replace (200) a lottery and its prize pool.",
        {201: ref("Lottery"), 200: ref("Lottery")},
        (400, 404, 409, 413, 422, 503),
        request=obj(
            {
                "name": text(200),
                "starts_at": ref("Timestamp"),
                "ends_at": ref("Timestamp"),
                "prizes": {
                    "type": "array",
                    "items": PRIZE_REQUEST,
                    "minItems": 1,
                    "maxItems": lottery_rules.MAX_PRIZES,
                },
            },
            {
                "cost": integer(1, lottery_rules.MAX_COST),
                "daily_limit": nullable(integer(1, lottery_rules.MAX_DAILY_LIMIT)),
                "no_prize_weight": integer(0, lottery_rules.MAX_WEIGHT),
            },
        ),
        example={
            "name": "Spring draw",
            "cost": 50,
            "daily_limit": 3,
            "starts_at": "2027-01-01T00:00:00+08:00",
            "ends_at": "2027-02-01T00:00:00+08:00",
            "prizes": [
                {
                    "prize_id": "p-10",
                    "name": "10 points",
                    "kind": "points",
                    "weight": 1,
                    "points": 10,
                },
            ],
        },
    ),
    "lottery_admin.list_draws": Operation(
        "Every draw of a lottery, newest first (the audit).",
        {200: page(ANY_OBJECT)},
        (404, 422),
        query=LIST_QUERY,
    ),
    "lottery_admin.lottery_stats": Operation(
        "Observed outcomes against the published odds.",
        {200: obj({"draws": INT, "outcomes": {"type": "array"}})},
        (404,),
    ),
}


def operation_id(route: Route) -> str:
    return f"{route.function}.{route.operation}"


def operation_of(route: Route) -> Operation | None:
    return OPERATIONS.get(operation_id(route))
