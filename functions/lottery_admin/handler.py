"""Operators run the points lottery: campaigns and prize pools (create, replace, read) and the
audit of every draw (the draws, newest first, and the stats: observed vs published odds).

A function of its own so its role can write campaigns but never move points: the members'
``lottery`` function draws, this one configures and reads."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.errors import Invalid, LotteryNotFound
from shared.http import HttpApp, Request, Response
from shared.lottery import audit, campaigns
from shared.observability import logger
from shared.requests.lottery import PUT_LOTTERY
from shared.validation import ID_PATTERN

app = HttpApp("lottery_admin")


def _lottery_id(req: Request, *, creating: bool = False) -> str:
    lottery_id = req.path.get("lottery_id", "")
    if not ID_PATTERN.match(lottery_id):
        if creating:
            raise Invalid(
                "lottery_id must be 1-64 characters of letters, digits and _ . : @ -",
                details={"fields": {"lottery_id": "is not a valid id"}},
            )
        raise LotteryNotFound(f"no lottery {lottery_id!r}")
    return lottery_id


def _operator(req: Request) -> str:
    assert req.caller is not None
    return req.caller.subject


@app.operation("list_lotteries")
def list_lotteries(req: Request) -> dict[str, Any]:
    return campaigns.admin_lotteries(req.limit(), req.query.get("cursor"), clock.now())


@app.operation("get_lottery")
def get_lottery(req: Request) -> dict[str, Any]:
    return campaigns.admin_lottery(_lottery_id(req), clock.now())


@app.operation("put_lottery")
def put_lottery(req: Request) -> Response:
    lottery_id = _lottery_id(req, creating=True)
    args = PUT_LOTTERY.parse(req.json())
    prizes = tuple(campaigns.PrizeSpec(**prize) for prize in args["prizes"])
    definition = campaigns.Definition(**{**args, "prizes": prizes})
    view, created = campaigns.put_lottery(lottery_id, definition, clock.now(), _operator(req))
    return Response(201 if created else 200, view)


@app.operation("list_draws")
def list_draws(req: Request) -> dict[str, Any]:
    return audit.admin_draws(_lottery_id(req), req.limit(), req.query.get("cursor"))


@app.operation("lottery_stats")
def lottery_stats(req: Request) -> dict[str, Any]:
    return audit.admin_stats(_lottery_id(req), clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
