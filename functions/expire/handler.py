"""Points expiry.

Scheduled (EventBridge): ``{"job": "expire"}`` early each morning and
``{"job": "expiry-reminders"}`` daily, through ``shared.jobs.registry`` (a run stops within
its time budget and the next scheduled invocation resumes from the run's checkpoint).
HTTP (operators): goodwill extensions of a member's expiring points.
"""

from __future__ import annotations

from typing import Any

from shared import clock, expiry
from shared.errors import Invalid
from shared.http import HttpApp, Request, Response
from shared.jobs import registry
from shared.observability import logger
from shared.requests.operators import EXTEND_EXPIRY

app = HttpApp("expire")
scheduled = registry.Scheduled(("expire", "expiry-reminders"), default="expire")


@app.operation("extend_expiry")
def extend_expiry(req: Request) -> Response:
    args = EXTEND_EXPIRY.parse(req.json())
    reason, through, to, days = args["reason"], args["expires_on"], args["to"], args["days"]
    if (to is None) == (days is None):
        raise Invalid(
            "give exactly one of to or days", details={"fields": {"to": "or days", "days": "or to"}}
        )
    cmd = expiry.ExtensionRequest(
        member_id=req.path["member_id"],
        reason=reason,
        actor=req.operator,
        through=through,
        to=to,
        days=days,
    )
    return Response(201, expiry.extend_expiry(cmd, clock.now()))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if scheduled.claims(event):
        return scheduled(event, context)
    return app.resolve(event, context)
