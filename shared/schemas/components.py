"""Reusable components (``#/components/schemas/<name>``) the operations refer to."""

from __future__ import annotations

from shared.delivery import DELIVERY
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
from shared.schemas.base import (
    ANY_OBJECT,
    BOOL,
    ID,
    INT,
    MONEY,
    STRING,
    TEXT,
    Schema,
    array,
    enum,
    nullable,
    obj,
    page,
    ref,
)

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
        {
            "held": INT,
            "spendable": INT,
            "pending_review": INT,  # points of purchases waiting in the review queue
            "frozen_scope": nullable(enum(("all", "earning", "redeeming"))),
        },
    ),
    "LedgerEntry": obj(
        {
            "entry_id": STRING,
            "at": ref("Timestamp"),
            "type": enum(LEDGER_TYPES),
            # The text's stable code (a catalog template; the type for older entries), and
            # the description in the caller's locale (Accept-Language, saved, programme's).
            "code": STRING,
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
    "Delivery": DELIVERY.schema(),
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
        },
        {"verified": BOOL},
    ),
    "Campaign": obj(
        {"campaign_id": STRING, "name": STRING},
        {
            "starts_at": ref("Timestamp"),
            "ends_at": ref("Timestamp"),
            "active": BOOL,
            "tiers": nullable(array(STRING)),
            "registered_after": nullable(ref("Date")),
            "recurrence": nullable(obj({"weekdays": array(INT)})),
            "spend_bonus": nullable(array(obj({"min_amount": ref("Money"), "points": INT}))),
        },
    ),
    "Lottery": obj(
        {
            "lottery_id": STRING,
            "name": STRING,
            "cost": INT,
            "starts_at": ref("Timestamp"),
            "ends_at": ref("Timestamp"),
            "prizes": {"type": "array", "items": ANY_OBJECT},
        },
        {
            "tiers": nullable(array(STRING)),
            "registered_after": nullable(ref("Date")),
            "extra_draws": nullable(obj({"per_amount": ref("Money"), "draws": INT})),
        },
    ),
}
