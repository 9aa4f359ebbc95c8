"""Earning points: the shop's systems register members, report purchases, refunds,
receipts and verified task completions (members' own check-ins and tasks: functions/activity)."""

from __future__ import annotations

from typing import Any

from shared import clock, members, purchases, refunds, tasks
from shared.domain.campaigns import Line
from shared.errors import MemberNotFound, OrderNotFound
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.rebates import accrual
from shared.requests.members import RECORD_PURCHASE, RECORD_REFUND, REGISTER_MEMBER
from shared.validation import ID_PATTERN

app = HttpApp("earn")


@app.operation("register_member")
def register_member(req: Request) -> Response:
    cmd = members.Registration(**REGISTER_MEMBER.parse(req.json()))
    member, created = members.register(cmd, clock.now())
    return Response(201 if created else 200, member)


@app.operation("record_purchase")
def record_purchase(req: Request) -> Response:
    args = RECORD_PURCHASE.parse(req.json())
    items = tuple(
        Line(line["amount"], line["sku"], line["category"], line["quantity"] or 1)
        for line in args["items"]
    )
    cmd = purchases.Purchase(**{**args, "items": items})
    status, result = purchases.record_purchase(cmd, clock.now())
    return Response(status, result)


@app.operation("report_task_completion")
def report_task_completion(req: Request) -> Response:
    member_id = req.path_id("member_id", MemberNotFound)
    result = tasks.complete(member_id, req.path["task_id"], clock.now(), reported=True)
    return Response(201, result)


@app.operation("record_refund")
def record_refund(req: Request) -> Response:
    cmd = refunds.Refund(**RECORD_REFUND.parse(req.json()))
    result, created = refunds.record_refund(cmd, clock.now())
    return Response(201 if created else 200, result)


@app.operation("confirm_receipt")
def confirm_receipt(req: Request) -> dict[str, Any]:
    order_id = req.path.get("order_id", "")
    if not ID_PATTERN.match(order_id):
        raise OrderNotFound(f"no purchase was reported for order {order_id!r}")
    return accrual.confirm_receipt(order_id, clock.now())


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
