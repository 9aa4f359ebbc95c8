"""Operators run the points lottery: campaigns and prize pools (create, replace, read) and the
audit of every draw (the draws, newest first, and the stats: observed vs published odds).

A function of its own so its role can write campaigns but never move points: the members'
``lottery`` function draws, this one configures and reads."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.domain.lottery import (
    KINDS,
    MAX_COST,
    MAX_DAILY_LIMIT,
    MAX_PRIZE_POINTS,
    MAX_PRIZES,
    MAX_WEIGHT,
)
from shared.errors import Invalid, LotteryNotFound
from shared.http import HttpApp, Request, Response
from shared.lottery import audit, campaigns
from shared.observability import logger
from shared.validation import ID_PATTERN, Fields

app = HttpApp("lottery_admin")

MAX_STOCK = 100_000_000


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


def _prize(f: Fields) -> campaigns.PrizeSpec:
    return campaigns.PrizeSpec(
        prize_id=f.identifier("prize_id") or "",
        name=f.text("name", max_length=200) or "",
        kind=f.choice("kind", KINDS) or "",
        weight=f.integer("weight", minimum=0, maximum=MAX_WEIGHT) or 0,
        stock=f.integer("stock", required=False, minimum=0, maximum=MAX_STOCK),
        points=f.integer("points", required=False, minimum=1, maximum=MAX_PRIZE_POINTS),
        item_id=f.identifier("item_id", required=False),
        cash=f.money("cash", required=False),
    )


@app.operation("list_lotteries")
def list_lotteries(req: Request) -> dict[str, Any]:
    return campaigns.admin_lotteries(req.limit(), req.query.get("cursor"), clock.now())


@app.operation("get_lottery")
def get_lottery(req: Request) -> dict[str, Any]:
    return campaigns.admin_lottery(_lottery_id(req), clock.now())


@app.operation("put_lottery")
def put_lottery(req: Request) -> Response:
    lottery_id = _lottery_id(req, creating=True)
    f = Fields(req.json())
    name = f.text("name", max_length=200)
    cost = f.integer("cost", required=False, minimum=1, maximum=MAX_COST)
    daily_limit = f.integer("daily_limit", required=False, minimum=1, maximum=MAX_DAILY_LIMIT)
    starts_at = f.timestamp("starts_at", required=True)
    ends_at = f.timestamp("ends_at", required=True)
    no_prize_weight = f.integer("no_prize_weight", required=False, minimum=0, maximum=MAX_WEIGHT)
    prizes = f.objects("prizes", _prize, required=True, max_items=MAX_PRIZES)
    f.raise_if_invalid()
    assert name is not None and starts_at is not None and ends_at is not None
    definition = campaigns.Definition(
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        prizes=tuple(prizes or ()),
        cost=cost,
        daily_limit=daily_limit,
        no_prize_weight=no_prize_weight or 0,
    )
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
