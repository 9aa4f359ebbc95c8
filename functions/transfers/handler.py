"""Members give points to other members."""

from __future__ import annotations

from typing import Any

from shared import clock, transfers
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.requests.members import SEND_TRANSFER
from shared.validation import required_idempotency_key

app = HttpApp("transfers")


@app.operation("send_transfer")
def send_transfer(req: Request) -> Response:
    key = required_idempotency_key(req.header("Idempotency-Key"))
    body = req.json()
    cmd = transfers.Transfer(
        from_member_id=req.member_id, **SEND_TRANSFER.parse(body), idempotency_key=key, request=body
    )
    status, result = transfers.send(cmd, clock.now())
    return Response(status, result)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
