"""Operations of the points mall: catalog, redemptions, orders, coupons, payments."""

from __future__ import annotations

from shared.requests.mall import (
    CONFIRM_PICKUP,
    MOVE_ORDER,
    ORDER_QUEUE,
    PATCH_ITEM,
    PUT_ITEM,
    REDEEM,
)
from shared.schemas.base import (
    DELIVERY_EXAMPLE,
    LIST_QUERY,
    Operation,
    page,
    ref,
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
        request=REDEEM.schema(),
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
        request=PUT_ITEM.schema(),
        example={"name": "Thermos cup", "kind": "gift", "points": 3000, "stock": 100},
    ),
    "mall_admin.patch_item": Operation(
        "Restock, reprice, move the window of or retire a catalog item.",
        {200: ref("CatalogItem")},
        (400, 404, 409, 413, 422, 503),
        request=PATCH_ITEM.schema(),
        example={"stock_delta": 5},
    ),
    "mall_admin.list_orders": Operation(
        "The order queue by status, newest first.",
        {200: page(ref("Order"))},
        (422,),
        query={**LIST_QUERY, **ORDER_QUEUE.parameters()},
    ),
    "mall_admin.move_order": Operation(
        "Approve, ship, deliver or reject an order.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=MOVE_ORDER.schema(),
        example={"status": "approved"},
    ),
    "mall_admin.confirm_pickup": Operation(
        "Hand over a pickup order on its one-time code.",
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=CONFIRM_PICKUP.schema(),
        example={"pickup_code": "000000"},
    ),
}
