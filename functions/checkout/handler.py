"""Points at checkout: the shop's systems hold, capture and release a member's points.

Also runs on a schedule (``{"job": "holds"}``) to release holds whose time ran out.
"""

from __future__ import annotations

from typing import Any

from shared import checkout, clock
from shared.http import HttpApp, Request, Response
from shared.jobs import registry
from shared.observability import logger
from shared.requests.members import PLACE_HOLD

app = HttpApp("checkout")
scheduled = registry.Scheduled(("holds",), default="holds")


@app.operation("place_hold")
def place_hold(req: Request) -> Response:
    cmd = checkout.HoldRequest(**PLACE_HOLD.parse(req.json()))
    return Response.upserted(checkout.place_hold(cmd, clock.now()))


@app.operation("capture_hold")
def capture_hold(req: Request) -> dict[str, Any]:
    return checkout.capture(req.path["hold_id"], clock.now())


@app.operation("release_hold")
def release_hold(req: Request) -> dict[str, Any]:
    return checkout.release(req.path["hold_id"], clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if scheduled.claims(event):
        return scheduled(event, context)
    return app.resolve(event, context)
