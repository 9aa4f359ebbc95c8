"""Operators keep the mall: catalog items (create, replace, restock, reprice, retire) and
the order queue (approve, ship, deliver, reject, hand over pickup orders)."""

from __future__ import annotations

from typing import Any

from shared import clock, mall
from shared.domain.mall import LIMITS_CUSTOM, LIMITS_DEFAULT, LIMITS_NONE, PLACED
from shared.errors import ItemNotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.requests.mall import CONFIRM_PICKUP, MOVE_ORDER, ORDER_QUEUE, PATCH_ITEM, PUT_ITEM

app = HttpApp("mall_admin")


def _item_id(req: Request) -> str:
    return req.path_id("item_id", ItemNotFound, "catalog item")


@app.operation("list_items")
def list_items(req: Request) -> dict[str, Any]:
    """The listed items as a member browsing without a tier sees them (retired ones are
    found by id with ``get_item``)."""
    return mall.catalog_page(None, req.limit(), req.query.get("cursor"), clock.now())


@app.operation("get_item")
def get_item(req: Request) -> dict[str, Any]:
    return mall.admin_item(_item_id(req), clock.now())


@app.operation("put_item")
def put_item(req: Request) -> Response:
    item_id = req.new_id("item_id")
    body = req.json()
    args = PUT_ITEM.parse(body)
    limits = args.pop("per_member_limit") or {}
    if "per_member_limit" not in body:
        mode = LIMITS_DEFAULT
    elif body["per_member_limit"] is None:
        mode = LIMITS_NONE
    else:
        mode = LIMITS_CUSTOM
    definition = mall.Definition(**args, limit_mode=mode, **limits)
    return Response.upserted(mall.put_item(item_id, definition, clock.now(), req.operator))


@app.operation("patch_item")
def patch_item(req: Request) -> dict[str, Any]:
    item_id = _item_id(req)
    change = mall.Change(**PATCH_ITEM.parse(req.json()))  # absent fields stay UNSET
    return mall.patch_item(item_id, change, clock.now(), req.operator)


@app.operation("list_orders")
def list_orders(req: Request) -> dict[str, Any]:
    status = ORDER_QUEUE.parse({"status": req.query.get("status") or PLACED})["status"]
    return mall.admin_orders(status, req.limit(), req.query.get("cursor"), clock.now())


@app.operation("move_order")
def move_order(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    cmd = mall.Move(order_id=order_id, **MOVE_ORDER.parse(req.json()))
    return mall.move_order(cmd, clock.now(), req.operator)


@app.operation("confirm_pickup")
def confirm_pickup(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    code = CONFIRM_PICKUP.parse(req.json())["pickup_code"]
    return mall.confirm_pickup(order_id, code.strip(), clock.now(), req.operator)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
