"""Operations of the points mall: catalog, redemptions, orders, coupons, payments."""

from __future__ import annotations

from typing import Any

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
    Operation,
    Schema,
    page,
    paged,
    ref,
    upsert,
)


def _order_step(summary: str, request: Schema, example: dict[str, Any]) -> Operation:
    """An operator moves an order on (its new state answered; it may have moved meanwhile)."""
    return Operation(
        summary,
        {200: ref("Order")},
        (400, 404, 409, 413, 422, 503),
        request=request,
        example=example,
    )


OPERATIONS: dict[str, Operation] = {
    # Points mall ------------------------------------------------------------------------------
    "redeem.list_catalog": paged("The catalog, page by page.", page(ref("CatalogItem"))),
    "redeem.get_catalog_item": Operation("One catalog item.", {200: ref("CatalogItem")}, (404,)),
    "redeem.redeem": Operation(
        "Redeem points for an item: points, stock and the order in one transaction.",
        {201: ref("Order")},
        (400, 403, 404, 409, 413, 422, 503),
        request=REDEEM.schema(),
        example={"item_id": "gift-cup", "quantity": 1, "delivery": DELIVERY_EXAMPLE},
        idempotency_key=True,
    ),
    "redeem.list_my_orders": paged("The caller's orders, newest first.", page(ref("Order"))),
    "redeem.get_my_order": Operation("One of the caller's orders.", {200: ref("Order")}, (404,)),
    "redeem.cancel_my_order": Operation(
        "Cancel one of the caller's orders while placed: points and stock return.",
        {200: ref("Order")},
        (404, 409, 503),
    ),
    "redeem.list_my_coupons": paged("The caller's coupons.", page(ref("Coupon"))),
    "mall_admin.list_items": paged(
        "The listed catalog, page by page, for the console (operators' pool).",
        page(ref("CatalogItem")),
    ),
    "mall_admin.get_item": Operation(
        "A catalog item as operators see it (version, units sold).",
        {200: ref("CatalogItem")},
        (404,),
    ),
    "mall_admin.put_item": upsert(
        "a catalog item",
        ref("CatalogItem"),
        (400, 409, 413, 422, 503),
        PUT_ITEM.schema(),
        {"name": "Thermos cup", "kind": "gift", "points": 3000, "stock": 100},
    ),
    "mall_admin.patch_item": Operation(
        "Restock, reprice, move the window of or retire a catalog item.",
        {200: ref("CatalogItem")},
        (400, 404, 409, 413, 422, 503),
        request=PATCH_ITEM.schema(),
        example={"stock_delta": 5},
    ),
    "mall_admin.list_orders": paged(
        "The order queue by status, newest first.",
        page(ref("Order")),
        query=ORDER_QUEUE.parameters(),
    ),
    "mall_admin.move_order": _order_step(
        "Approve, ship, deliver or reject an order.", MOVE_ORDER.schema(), {"status": "approved"}
    ),
    "mall_admin.confirm_pickup": _order_step(
        "Hand over a pickup order on its one-time code.",
        CONFIRM_PICKUP.schema(),
        {"pickup_code": "000000"},
    ),
}
