"""The points lottery for members: the open campaigns with their odds in force, draws, and
the delivery address of a gift won in a draw."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.errors import LotteryNotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.lottery import draws, prizes
from shared.observability import logger
from shared.requests.lottery import DRAW, GIVE_DELIVERY_ADDRESS
from shared.validation import idempotency_key

app = HttpApp("lottery")


@app.operation("list_lotteries")
def list_lotteries(req: Request) -> dict[str, Any]:
    return draws.active_lotteries(req.member_id, clock.now())


@app.operation("draw")
def draw(req: Request) -> Response:
    lottery_id = req.path_id("lottery_id", LotteryNotFound)
    key = idempotency_key(req.header("Idempotency-Key"))
    # A body, if any, must be a JSON object; it counts for the key.
    body = req.json() if (req.event.get("body") or "").strip() else {}
    extra = DRAW.parse(body)["extra"]
    cmd = draws.DrawRequest(req.member_id, lottery_id, idempotency_key=key, body=body, extra=extra)
    status, result = draws.draw(cmd, clock.now())
    return Response(status, result)


@app.operation("give_delivery_address")
def give_delivery_address(req: Request) -> dict[str, Any]:
    order_id = req.path_id("order_id", OrderNotFound)
    details = GIVE_DELIVERY_ADDRESS.parse(req.json())
    return prizes.give_delivery_address(req.member_id, order_id, details, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
