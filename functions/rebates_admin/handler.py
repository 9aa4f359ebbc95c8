"""Operators run year-end rebate campaigns: define them (create, replace, read, list), and
settle, review, pay and export their statements.

A function of its own so its role reaches the rebate items and nothing else that moves
points but the rebate payout."""

from __future__ import annotations

from typing import Any

from shared import clock
from shared.domain.rebate_review import DRAFT, Review
from shared.errors import CampaignNotFound, Invalid, StatementNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.rebates import campaigns, review, views
from shared.requests.rebates import PUT_REBATE_CAMPAIGN, REVIEW_STATEMENT, STATEMENT_QUEUE
from shared.validation import ID_PATTERN

app = HttpApp("rebates_admin")

# Settlement (with the jobs' runner), payout and the CSV export are imported by their own
# routes when called: most invocations read or review campaigns, and a cold start that
# serves those does not pay for the others.


def _campaign_id(req: Request, *, creating: bool = False) -> str:
    campaign_id = req.path.get("campaign_id", "")
    if not ID_PATTERN.match(campaign_id):
        if creating:
            raise Invalid(
                "campaign_id must be 1-64 characters of letters, digits and _ . : @ -",
                details={"fields": {"campaign_id": "is not a valid id"}},
            )
        raise CampaignNotFound(f"no rebate campaign {campaign_id!r}")
    return campaign_id


@app.operation("put_campaign")
def put_campaign(req: Request) -> Response:
    campaign_id = _campaign_id(req, creating=True)
    now = clock.now()
    campaign = campaigns.campaign_of(campaign_id, PUT_REBATE_CAMPAIGN.parse(req.json()), now)
    view, created = campaigns.put_campaign(campaign, now, req.operator)
    return Response(201 if created else 200, view)


@app.operation("get_campaign")
def get_campaign(req: Request) -> dict[str, Any]:
    campaign = campaigns.get_campaign(_campaign_id(req))
    return {**campaigns.view(campaign), **views.live_totals(campaign)}


@app.operation("list_campaigns")
def list_campaigns(req: Request) -> dict[str, Any]:
    return campaigns.list_campaigns()


@app.operation("settle_campaign")
def settle_campaign(req: Request) -> dict[str, Any]:
    from shared.jobs.registry import time_left_of
    from shared.rebates import settlement

    campaign_id, now = _campaign_id(req), clock.now()
    return settlement.settle(campaign_id, now, time_left_of(req.context), actor=req.operator)


def _member_id(req: Request) -> str:
    return req.path_id("member_id", StatementNotFound)


@app.operation("list_statements")
def list_statements(req: Request) -> dict[str, Any]:
    status = STATEMENT_QUEUE.parse({"status": req.query.get("status") or DRAFT})["status"]
    cursor = req.query.get("cursor")
    return review.admin_statements(_campaign_id(req), status, req.limit(), cursor)


@app.operation("review_statement")
def review_statement(req: Request) -> dict[str, Any]:
    campaign_id, member_id = _campaign_id(req), _member_id(req)
    args = REVIEW_STATEMENT.parse(req.json())
    decision = Review(
        campaign_id,
        member_id,
        args["status"],
        args["reason"],
        req.operator,
        clock.now(),
        args["adjustment"],
    )
    return review.review_statement(decision)


@app.operation("pay_statement")
def pay_statement(req: Request) -> dict[str, Any]:
    from shared.rebates import payout

    return payout.pay_statement(_campaign_id(req), _member_id(req), clock.now(), req.operator)


@app.operation("export_statements")
def export_statements(req: Request) -> Response:
    from shared.rebates import export

    campaign_id = _campaign_id(req)
    headers = {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": f'attachment; filename="rebate-statements-{campaign_id}.csv"',
    }
    return Response(200, export.statements_csv(campaign_id), headers)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
