"""Points expiry.

Scheduled (EventBridge): ``{"job": "expire"}`` early each morning and
``{"job": "expiry-reminders"}`` daily; a run stops before Lambda's time is up and the next
scheduled invocation resumes from the run's checkpoint.
HTTP (operators): goodwill extensions of a member's expiring points.
"""

from __future__ import annotations

from typing import Any

from shared import clock, expiry, jobs
from shared.errors import Invalid
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.requests.operators import EXTEND_EXPIRY

ALLOWED = ("expire", "expiry-reminders")
app = HttpApp("expire")


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
        actor=req.caller.subject,
        through=through,
        to=to,
        days=days,
    )
    return Response(201, expiry.extend_expiry(cmd, clock.now()))


def run_scheduled(event: dict[str, Any], context: Any) -> dict[str, Any]:
    name = event.get("job", "expire")
    if name not in ALLOWED:
        raise ValueError(f"this function runs {ALLOWED}, not {name!r}")
    result = jobs.run(name, clock.now(), lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("job finished", extra=result)
    return result


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "routeKey" in (event or {}):
        return app.resolve(event, context)
    return run_scheduled(event or {}, context)
