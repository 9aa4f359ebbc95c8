"""Operators keep the mall: catalog items (create, replace, restock, reprice, retire) and
the order queue (approve, ship, deliver, reject, hand over pickup orders)."""

from __future__ import annotations

from typing import Any

from shared import clock, mall
from shared.domain.mall import (
    APPROVED,
    DELIVERED,
    KINDS,
    LIMITS_CUSTOM,
    LIMITS_DEFAULT,
    LIMITS_NONE,
    MAX_POINTS,
    PLACED,
    REJECTED,
    SHIPPED,
    STATUSES,
)
from shared.domain.rules import TIER_NAMES
from shared.errors import Invalid, ItemNotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.validation import ID_PATTERN, Fields

app = HttpApp("mall_admin")

MAX_STOCK = 100_000_000


def _item_id(req: Request, *, creating: bool = False) -> str:
    item_id = req.path.get("item_id", "")
    if not ID_PATTERN.match(item_id):
        if creating:
            raise Invalid(
                "item_id must be 1-64 characters of letters, digits and _ . : @ -",
                details={"fields": {"item_id": "is not a valid id"}},
            )
        raise ItemNotFound(f"no catalog item {item_id!r}")
    return item_id


def _limits(f: Fields) -> tuple[int | None, int | None]:
    per_day = f.integer("per_day", required=False, minimum=1, maximum=MAX_STOCK)
    total = f.integer("total", required=False, minimum=1, maximum=MAX_STOCK)
    return per_day, total


def _image_url(f: Fields) -> str | None:
    url = f.text("image_url", required=False, max_length=1000)
    if url is not None and not url.startswith(("https://", "http://", "/")):
        f.problems["image_url"] = "must be an http(s) URL or a path"
        return None
    return url


@app.operation("get_item")
def get_item(req: Request) -> dict[str, Any]:
    return mall.admin_item(_item_id(req), clock.now())


@app.operation("put_item")
def put_item(req: Request) -> Response:
    item_id = _item_id(req, creating=True)
    body = req.json()
    f = Fields(body)
    if "per_member_limit" not in body:
        mode, per_day, total = LIMITS_DEFAULT, None, None
    elif body["per_member_limit"] is None:
        mode, per_day, total = LIMITS_NONE, None, None
    else:
        mode = LIMITS_CUSTOM
        per_day, total = f.nested("per_member_limit", _limits) or (None, None)
    definition = mall.Definition(
        name=f.text("name", max_length=200),
        kind=f.choice("kind", KINDS),
        points=f.integer("points", minimum=1, maximum=MAX_POINTS),
        cash=f.money("cash", required=False),
        stock=f.integer("stock", required=False, minimum=0, maximum=MAX_STOCK),
        starts_at=f.timestamp("starts_at"),
        ends_at=f.timestamp("ends_at"),
        min_tier=f.choice("min_tier", TIER_NAMES, required=False),
        limit_mode=mode,
        per_day=per_day,
        total=total,
        coupon_valid_days=f.integer("coupon_valid_days", required=False, minimum=1, maximum=3650),
        description=f.text("description", required=False, max_length=2000),
        image_url=_image_url(f),
    )
    f.raise_if_invalid()
    item, created = mall.put_item(item_id, definition, clock.now())
    return Response(201 if created else 200, item)


PATCHABLE = ("stock_delta", "points", "cash", "starts_at", "ends_at", "retired")


@app.operation("patch_item")
def patch_item(req: Request) -> dict[str, Any]:
    item_id = _item_id(req)
    body = req.json()
    f = Fields(body)
    unknown = sorted(set(body) - set(PATCHABLE))
    for name in unknown:
        f.problems[name] = "cannot be changed with PATCH (use PUT)"
    if not set(body) & set(PATCHABLE):
        f.problems["body"] = "name at least one of " + ", ".join(PATCHABLE)
    delta = f.integer("stock_delta", required=False, minimum=-MAX_STOCK, maximum=MAX_STOCK)
    if delta == 0:
        f.problems["stock_delta"] = "must not be zero"
    change = mall.Change(
        stock_delta=delta,
        points=(
            f.integer("points", minimum=1, maximum=MAX_POINTS) if "points" in body else mall.UNSET
        ),
        cash=f.money("cash", required=False) if "cash" in body else mall.UNSET,
        starts_at=f.timestamp("starts_at") if "starts_at" in body else mall.UNSET,
        ends_at=f.timestamp("ends_at") if "ends_at" in body else mall.UNSET,
        retired=f.boolean("retired"),
    )
    f.raise_if_invalid()
    return mall.patch_item(item_id, change, clock.now())


@app.operation("list_orders")
def list_orders(req: Request) -> dict[str, Any]:
    f = Fields({"status": req.query.get("status") or PLACED})
    status = f.choice("status", STATUSES)
    f.raise_if_invalid()
    assert status is not None
    return mall.admin_orders(status, req.limit(), req.query.get("cursor"), clock.now())


@app.operation("move_order")
def move_order(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    f = Fields(req.json())
    status = f.choice("status", (APPROVED, SHIPPED, DELIVERED, REJECTED))
    shipping = status == SHIPPED
    cmd = mall.Move(
        order_id=order_id,
        status=status or "",
        carrier=f.text("carrier", required=shipping, max_length=100),
        tracking_no=f.text("tracking_no", required=shipping, max_length=100),
        reason=f.text("reason", required=False, max_length=500),
    )
    f.raise_if_invalid()
    return mall.move_order(cmd, clock.now())


@app.operation("confirm_pickup")
def confirm_pickup(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    f = Fields(req.json())
    code = f.text("pickup_code", max_length=32)
    f.raise_if_invalid()
    assert code is not None
    return mall.confirm_pickup(order_id, code.strip(), clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
