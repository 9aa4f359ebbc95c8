"""Members read the leaderboard (积分排名): this month's or this year's top 100 and their own
rank, from the period's snapshot (``shared.leaderboard``).

A function of its own so its role reads (BatchGetItem) and nothing else; the snapshot job
that writes the boards is ``leaderboard_snapshot``."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.http import HttpApp, Request
from shared.leaderboard import leaderboard
from shared.observability import logger
from shared.requests.leaderboard import LEADERBOARD_QUERY

app = HttpApp("leaderboard")


@app.operation("get_leaderboard")
def get_leaderboard(req: Request) -> dict[str, Any]:
    period = LEADERBOARD_QUERY.parse({"period": req.query.get("period")})["period"]
    return leaderboard(req.member_id, period, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
