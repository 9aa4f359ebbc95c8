"""The points mall for members (catalog, redemptions, orders, coupons) and the shop's
systems (consuming coupons, confirming the cash part of points + cash orders)."""

from __future__ import annotations

from typing import Any

from shared import clock, mall, metrics
from shared.errors import CouponNotFound, ItemNotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.requests.mall import REDEEM
from shared.requests.members import CONFIRM_PAYMENT, CONSUME_COUPON
from shared.routes import Role
from shared.validation import idempotency_key

app = HttpApp("redeem")


def _browsing_member(req: Request) -> str | None:
    """The member whose tier decides availability; None for operators."""
    assert req.caller is not None
    return req.caller.member_id if Role.MEMBER in req.caller.roles else None


def _optional_json(req: Request) -> dict[str, Any]:
    return req.json() if (req.event.get("body") or "").strip() else {}


@app.operation("list_catalog")
def list_catalog(req: Request) -> dict[str, Any]:
    return mall.catalog_page(
        _browsing_member(req), req.limit(), req.query.get("cursor"), clock.now()
    )


@app.operation("get_catalog_item")
def get_catalog_item(req: Request) -> dict[str, Any]:
    item_id = req.path_id("item_id", ItemNotFound)
    return mall.catalog_item(item_id, _browsing_member(req), clock.now())


@app.operation("redeem")
def redeem(req: Request) -> Response:
    key = idempotency_key(req.header("Idempotency-Key"))
    body = req.json()
    cmd = mall.Redeem(
        member_id=req.member_id, **REDEEM.parse(body), idempotency_key=key, request=body
    )
    status, result = mall.redeem(cmd, clock.now())
    return Response(status, result)


@app.operation("list_my_orders")
def list_my_orders(req: Request) -> dict[str, Any]:
    return mall.my_orders(req.member_id, req.limit(), req.query.get("cursor"), clock.now())


@app.operation("get_my_order")
def get_my_order(req: Request) -> dict[str, Any]:
    return mall.my_order(req.member_id, req.path_id("order_id", OrderNotFound), clock.now())


@app.operation("cancel_my_order")
def cancel_my_order(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    return mall.cancel_my_order(req.member_id, order_id, clock.now())


@app.operation("list_my_coupons")
def list_my_coupons(req: Request) -> dict[str, Any]:
    return mall.my_coupons(req.member_id, req.limit(), req.query.get("cursor"), clock.now())


@app.operation("consume_coupon")
def consume_coupon(req: Request) -> dict[str, Any]:
    code = req.path.get("code", "")
    if not 1 <= len(code) <= 64:
        raise CouponNotFound(f"no coupon {code!r}")
    shop_order = CONSUME_COUPON.parse(_optional_json(req))["order_id"]
    return mall.consume_coupon(code.upper(), shop_order, clock.now())


@app.operation("confirm_payment")
def confirm_payment(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    args = CONFIRM_PAYMENT.parse(req.json())
    return mall.confirm_payment(order_id, args["amount"], args["payment_ref"], clock.now())


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
