"""Earning points: the shop's systems register members, report purchases and refunds;
members check in daily and complete tasks."""

from __future__ import annotations

from typing import Any

from shared import checkins, clock, members, purchases, refunds, tasks
from shared.domain.campaigns import Line
from shared.http import HttpApp, Request, Response
from shared.observability import logger
from shared.validation import Fields

app = HttpApp("earn")


@app.operation("register_member")
def register_member(req: Request) -> Response:
    f = Fields(req.json())
    cmd = members.Registration(
        member_id=f.identifier("member_id"),
        referral_code=f.identifier("referral_code", required=False),
        birthday=f.month_day("birthday"),
        joined_at=f.timestamp("joined_at"),
    )
    f.raise_if_invalid()
    member, created = members.register(cmd, clock.now())
    return Response(201 if created else 200, member)


@app.operation("record_purchase")
def record_purchase(req: Request) -> Response:
    f = Fields(req.json())
    cmd = purchases.Purchase(
        order_id=f.identifier("order_id"),
        member_id=f.identifier("member_id"),
        amount=f.money("amount"),
        currency=f.text("currency", required=False, max_length=3) or "CNY",
        channel=f.identifier("channel", required=False),
        occurred_at=f.timestamp("occurred_at"),
        items=tuple(f.objects("items", _line) or ()),
    )
    f.raise_if_invalid()
    result, created = purchases.record_purchase(cmd, clock.now())
    return Response(201 if created else 200, result)


def _line(f: Fields) -> Line:
    f.integer("quantity", required=False, minimum=1)
    return Line(
        amount=f.money("amount", positive=False),
        sku=f.identifier("sku", required=False),
        category=f.text("category", required=False, max_length=64),
    )


@app.operation("check_in")
def check_in(req: Request) -> Response:
    return Response(201, checkins.check_in(req.member_id, clock.now()))


@app.operation("list_tasks")
def list_tasks(req: Request) -> dict[str, Any]:
    return tasks.for_member(req.member_id, clock.now())


@app.operation("complete_task")
def complete_task(req: Request) -> Response:
    result = tasks.complete(req.member_id, req.path["task_id"], clock.now())
    return Response(201, result)


@app.operation("record_refund")
def record_refund(req: Request) -> Response:
    f = Fields(req.json())
    cmd = refunds.Refund(
        refund_id=f.identifier("refund_id"),
        order_id=f.identifier("order_id"),
        amount=f.money("amount"),
    )
    f.raise_if_invalid()
    result, created = refunds.record_refund(cmd, clock.now())
    return Response(201 if created else 200, result)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
