"""Members give points to other members."""

from __future__ import annotations

from typing import Any

from shared import clock, transfers
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.validation import Fields, idempotency_key

app = HttpApp("transfers")


@app.operation("send_transfer")
def send_transfer(req: Request) -> Response:
    body = req.json()
    f = Fields(body)
    cmd = transfers.Transfer(
        from_member_id=req.member_id,
        to_member_id=f.identifier("to_member_id"),
        points=f.integer("points", minimum=1),
        message=f.text("message", required=False, max_length=140),
        idempotency_key=idempotency_key(req.header("Idempotency-Key")),
        request=body,
    )
    f.raise_if_invalid()
    status, result = transfers.send(cmd, clock.now())
    return Response(status, result)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
