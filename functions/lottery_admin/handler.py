"""Operators run the points lottery: campaigns and prize pools (create, replace, read) and the
audit of every draw (the draws, newest first, and the stats: observed vs published odds).

A function of its own so its role can write campaigns but never move points: the members'
``lottery`` function draws, this one configures and reads."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.errors import LotteryNotFound
from shared.http import HttpApp, Request, Response
from shared.lottery import audit, campaigns
from shared.observability import logger
from shared.requests.lottery import PUT_LOTTERY

app = HttpApp("lottery_admin")


def _lottery_id(req: Request) -> str:
    return req.path_id("lottery_id", LotteryNotFound)


@app.operation("list_lotteries")
def list_lotteries(req: Request) -> dict[str, Any]:
    return campaigns.admin_lotteries(req.limit(), req.query.get("cursor"), clock.now())


@app.operation("get_lottery")
def get_lottery(req: Request) -> dict[str, Any]:
    return campaigns.admin_lottery(_lottery_id(req), clock.now())


@app.operation("put_lottery")
def put_lottery(req: Request) -> Response:
    lottery_id = req.new_id("lottery_id")
    args = PUT_LOTTERY.parse(req.json())
    prizes = tuple(campaigns.PrizeSpec(**prize) for prize in args["prizes"])
    definition = campaigns.Definition(**{**args, "prizes": prizes})
    return Response.upserted(
        campaigns.put_lottery(lottery_id, definition, clock.now(), req.operator)
    )


@app.operation("list_draws")
def list_draws(req: Request) -> dict[str, Any]:
    return audit.admin_draws(_lottery_id(req), req.limit(), req.query.get("cursor"))


@app.operation("lottery_stats")
def lottery_stats(req: Request) -> dict[str, Any]:
    return audit.admin_stats(_lottery_id(req), clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
