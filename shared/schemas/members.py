"""Operations of members and of the shop's systems (and the API's own health and description)."""

from __future__ import annotations

from shared.requests.members import (
    CONFIRM_PAYMENT,
    CONSUME_COUPON,
    PLACE_HOLD,
    RECORD_PURCHASE,
    RECORD_REFUND,
    REGISTER_MEMBER,
    SEND_TRANSFER,
)
from shared.schemas.base import (
    ANY_OBJECT,
    INT,
    ORDER_WITH_EXTRAS,
    STRING,
    Operation,
    enum,
    items,
    obj,
    paged,
    ref,
)

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
    "account.list_my_ledger": paged(
        "The caller's ledger, newest first, with the balance after each entry.",
        ref("LedgerPage"),
        (404, 422),
    ),
    "activity.check_in": Operation(
        "Daily check-in: points once per programme day, streak bonuses.",
        {201: obj({"points": INT, "streak": INT, "bonus": INT})},
        (404, 409, 503),
    ),
    "activity.list_tasks": Operation(
        "The tasks a member can complete, and whether done this period.",
        {200: items(ref("Task"))},
        (404,),
    ),
    "activity.complete_task": Operation(
        "Complete a task (once / daily / weekly); a verified task → 403 verification_required.",
        {201: obj({"points": INT})},
        (403, 404, 409, 503),
        path={"task_id": {"type": "string", "minLength": 1}},
    ),
    "transfers.send_transfer": Operation(
        "Give points to another member.",
        {201: obj({"transfer_id": STRING, "points": INT}), 200: obj({"transfer_id": STRING})},
        (400, 404, 409, 413, 422, 503),
        request=SEND_TRANSFER.schema(),
        example={"to_member_id": "m-other", "points": 10, "message": "thanks"},
        idempotency_key=True,
        idempotency_key_required=True,
    ),
    # Trusted systems --------------------------------------------------------------------------
    "earn.register_member": Operation(
        "Register a member (welcome points); the same data again answers 200.",
        {201: ref("Member"), 200: ref("Member")},
        (400, 409, 413, 422, 503),
        request=REGISTER_MEMBER.schema(),
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
            202: obj(
                {
                    "status": enum(("pending_review",)),
                    "review_id": STRING,
                    "order_id": STRING,
                    "member_id": STRING,
                    "points": INT,
                }
            ),
        },
        (400, 404, 409, 413, 422, 503),
        request=RECORD_PURCHASE.schema(),
        example={"order_id": "o-new", "member_id": "m-owner", "amount": "99.90"},
    ),
    "earn.record_refund": Operation(
        "Report a refund: the order's points are clawed back proportionally.",
        {201: obj({"points_clawed_back": INT}), 200: obj({"points_clawed_back": INT})},
        (400, 404, 409, 413, 422, 503),
        request=RECORD_REFUND.schema(),
        example={"refund_id": "rf-1", "order_id": "o-m-owner", "amount": "10.00"},
    ),
    "checkout.place_hold": Operation(
        "Hold points for an order at the shop's checkout.",
        {201: ref("Hold"), 200: ref("Hold")},
        (400, 403, 404, 409, 413, 422, 503),
        request=PLACE_HOLD.schema(),
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
        request=CONSUME_COUPON.schema(),
        body_required=False,
        example={"order_id": "shop-o-9"},
        path={"code": {"type": "string", "minLength": 1, "maxLength": 64}},
    ),
    "redeem.confirm_payment": Operation(
        "The shop confirms the cash part of a points + cash order.",
        {200: ORDER_WITH_EXTRAS},
        (400, 404, 409, 413, 422, 503),
        request=CONFIRM_PAYMENT.schema(),
        example={"amount": "10.00", "payment_ref": "pay-1"},
    ),
}
