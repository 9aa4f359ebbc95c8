"""A member's own account: balance, tier, expiring points, ledger. Read-only."""

from __future__ import annotations

from typing import Any

from shared import clock, members
from shared.http import HttpApp, Request
from shared.observability import logger

app = HttpApp("account")


@app.operation("health")
def health(req: Request) -> dict[str, Any]:
    return {"status": "ok"}


@app.operation("openapi")
def openapi(req: Request) -> dict[str, Any]:
    from shared.openapi import document  # only this route pays for building it

    return document()


@app.operation("get_me")
def get_me(req: Request) -> dict[str, Any]:
    return members.get_view(req.member_id, clock.now())


@app.operation("list_my_ledger")
def list_my_ledger(req: Request) -> dict[str, Any]:
    return members.ledger(req.member_id, req.limit(), req.query.get("cursor"), req.locale)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
