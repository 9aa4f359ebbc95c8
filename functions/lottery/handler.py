"""The points lottery for members: the open campaigns with their odds in force, draws, and
the delivery address of a gift won in a draw."""

from __future__ import annotations

from typing import Any

from shared import clock, lottery
from shared.domain.mall import DELIVERY_METHODS, SHIP
from shared.errors import LotteryNotFound, NotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.validation import ID_PATTERN, Fields, idempotency_key

app = HttpApp("lottery")


def _path_id(req: Request, name: str, error: type[NotFound]) -> str:
    value = req.path.get(name, "")
    if not ID_PATTERN.match(value):
        raise error(f"no {name.removesuffix('_id')} {value!r}")
    return value


@app.operation("list_lotteries")
def list_lotteries(req: Request) -> dict[str, Any]:
    return lottery.active_lotteries(req.member_id, clock.now())


@app.operation("draw")
def draw(req: Request) -> Response:
    lottery_id = _path_id(req, "lottery_id", LotteryNotFound)
    key = idempotency_key(req.header("Idempotency-Key"))
    # No field is read; a body, if any, must be a JSON object and counts for the key.
    body = req.json() if (req.event.get("body") or "").strip() else {}
    cmd = lottery.DrawRequest(req.member_id, lottery_id, idempotency_key=key, body=body)
    status, result = lottery.draw(cmd, clock.now())
    return Response(status, result)


def _delivery(f: Fields) -> dict[str, str]:
    method = f.choice("method", DELIVERY_METHODS)
    values = {
        "method": method,
        "name": f.text("name", max_length=100),
        "phone": f.text("phone", max_length=32),
        "address": f.text("address", required=method == SHIP, max_length=500),
    }
    return {k: v for k, v in values.items() if v is not None}


@app.operation("give_delivery_address")
def give_delivery_address(req: Request) -> dict[str, Any]:
    order_id = _path_id(req, "order_id", OrderNotFound)
    f = Fields(req.json())
    delivery = _delivery(f)
    f.raise_if_invalid()
    return lottery.give_delivery_address(req.member_id, order_id, delivery, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
