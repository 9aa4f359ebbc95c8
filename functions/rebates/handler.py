"""Members follow their rebate campaigns: progress during a campaign (rate reached, next
rung, amount to go) and their statement once it is settled.

A function of its own so its role reads a member's rebate items and nothing else."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.errors import StatementNotFound
from shared.http import HttpApp, Request
from shared.observability import logger
from shared.rebates import views
from shared.validation import ID_PATTERN

app = HttpApp("rebates")


@app.operation("list_my_rebates")
def list_my_rebates(req: Request) -> dict[str, Any]:
    return views.my_rebates(req.member_id, clock.now())


@app.operation("get_my_rebate_statement")
def get_my_rebate_statement(req: Request) -> dict[str, Any]:
    campaign_id = req.path.get("campaign_id", "")
    if not ID_PATTERN.match(campaign_id):
        raise StatementNotFound(f"no rebate statement in campaign {campaign_id!r}")
    return views.my_statement(req.member_id, campaign_id)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
