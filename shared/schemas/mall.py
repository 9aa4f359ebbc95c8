"""Operations of the points mall: catalog, redemptions, orders, coupons, payments."""

from __future__ import annotations

from shared.domain import mall as mall_rules
from shared.schemas.base import (
    BOOL,
    DELIVERY_EXAMPLE,
    LIST_QUERY,
    MAX_POINTS,
    MAX_STOCK,
    Operation,
    enum,
    integer,
    nullable,
    obj,
    page,
    ref,
    text,
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

OPERATIONS: dict[str, Operation] = {
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
}
